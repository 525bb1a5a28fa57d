// report: aggregates decode's or attribute's NDJSON in one streaming pass and prints why one host
// is hotter than the others (docs/report.md). Thin command: options, inputs and exit statuses.
import Foundation
import PipelineCLI
import PipelineRecords
import ReportRendering
import SkewAnalysis

let diag = Diagnostics(tool: "report")
let usage = """
    usage: report [--format text|markdown|json] [--top N] [--width COLUMNS] [--show-secrets]
                  [--output FILE] [INPUT|-]...

    Reads NDJSON records (files or stdin) and prints per-host totals and traffic, skew figures,
    the explanation of the hottest host, top users, largest keys and slab classes.

    """ + ExitStatus.helpTable()

func fail(_ status: ExitStatus, _ message: String) -> Never {
    if status == .usage { Diagnostics.writeStderr("report: \(message)\n\n\(usage)\n") } else { diag.error(message) }
    exit(status.rawValue)
}

var format = ReportFormat.text
var top = 10
var showSecrets = false
var outputPath: String?
var width: Int?
var inputs: [String] = []
let args = Array(CommandLine.arguments.dropFirst())
var index = 0
@MainActor func nextValue(_ name: String) -> String {
    index += 1
    guard index < args.count else { fail(.usage, "\(name) needs a value") }
    return args[index]
}
while index < args.count {
    let a = args[index]
    switch a {
    case "--format", "-f":
        let v = nextValue(a)
        guard let f = ReportFormat(rawValue: v) else { fail(.usage, "unknown --format \(v) (text, markdown, json)") }
        format = f
    case "--top":
        guard let n = Int(nextValue(a)), n > 0, n <= 100_000 else { fail(.usage, "--top needs a number from 1 to 100000") }
        top = n
    case "--width":
        guard let n = Int(nextValue(a)), n >= 40, n <= 1000 else { fail(.usage, "--width needs a number from 40 to 1000") }
        width = n
    case "--show-secrets": showSecrets = true
    case "--output", "-o": outputPath = nextValue(a)
    case "--help", "-h":
        print(usage)
        exit(0)
    case "-": inputs.append(a)
    default:
        if a.hasPrefix("-") { fail(.usage, "unknown option \(a)") }
        inputs.append(a)
    }
    index += 1
}
if inputs.isEmpty { inputs = ["-"] }

@MainActor func terminalWidth() -> Int {
    if let w = width { return w }
    if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c >= 40 { return c }
    var ws = winsize()
    if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col >= 40 { return Int(ws.ws_col) }
    return 120
}

let aggregator = Aggregator(top: top, showSecrets: showSecrets)
var badLines = 0
for input in inputs {
    let reader: ByteReader
    do {
        reader = input == "-" ? ByteReader(fd: 0, name: "stdin") : try ByteReader(path: input)
    } catch {
        fail(.fatal, error.description)
    }
    do {
        while let line = try reader.nextLine() {
            if line.isEmpty { continue }
            do throws(AggregationIssue) { try aggregator.add(line) } catch {
                badLines += 1
                if badLines <= 20 { diag.warning("\(reader.name): line \(reader.lineNumber): \(error.message) (skipped)") }
            }
        }
    } catch {
        fail(.fatal, error.description)
    }
}
let rendered = ReportRenderer.render(aggregator.finish(), format: format, width: terminalWidth())
OutputSink.ignoreSIGPIPE()
do {
    if let outputPath {
        let f = try AtomicOutputFile(path: outputPath)
        try OutputSink(fd: f.handle.fileDescriptor, name: outputPath).write(Array(rendered.utf8))
        try f.commit()
    } else {
        try OutputSink(fd: 1).write(Array(rendered.utf8))
    }
} catch {
    fail(.fatal, "\(error)")
}
if badLines > 0 {
    diag.warning("\(badLines) line(s) were not JSON records and were skipped")
    exit(ExitStatus.partial.rawValue)
}
exit(ExitStatus.success.rawValue)
