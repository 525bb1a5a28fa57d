// attribute: decode's NDJSON in, the same records out with owner, key family and placement added
// (docs/attribute.md). Thin command: options, files and exit statuses; the work is in Attribution.
import Attribution
import Foundation
import PipelineCLI
import PipelineRecords

let diag = Diagnostics(tool: "attribute")
let usage = """
    usage: attribute --users FILE [--servers HOST:PORT[:WEIGHT],... | --keystone-conf FILE]
                     [--client python-memcached|python-memcached-1.60|pymemcache] [--token-ttl SECONDS]
                     [--capture-time UNIX] [--redact [--redact-key-file FILE]] [--output FILE] [INPUT|-]...

    Reads decode's NDJSON (files or stdin) and writes it with `kind`, `logical_key`, `user`, `via`,
    `tokens` and `placement` added to every item record.

    """ + ExitStatus.helpTable()

func fail(_ status: ExitStatus, _ message: String) -> Never {
    if status == .usage { Diagnostics.writeStderr("attribute: \(message)\n\n\(usage)\n") } else { diag.error(message) }
    exit(status.rawValue)
}

var usersPath: String?
var serversText: String?
var confPath: String?
var client = "python-memcached"
var options = AttributionOptions()
var redact = false
var redactKeyPath: String?
var outputPath: String?
var inputs: [String] = []

var args = Array(CommandLine.arguments.dropFirst())
var i = 0
@MainActor func nextValue(_ name: String) -> String {
    i += 1
    guard i < args.count else { fail(.usage, "\(name) needs a value") }
    return args[i]
}
while i < args.count {
    let a = args[i]
    switch a {
    case "--users": usersPath = nextValue(a)
    case "--servers": serversText = nextValue(a)
    case "--keystone-conf": confPath = nextValue(a)
    case "--client": client = nextValue(a)
    case "--token-ttl":
        guard let v = Double(nextValue(a)), v > 0 else { fail(.usage, "--token-ttl needs a positive number of seconds") }
        options.tokenTTL = v
    case "--capture-time":
        guard let v = Double(nextValue(a)) else { fail(.usage, "--capture-time needs a unix time") }
        options.captureTime = v
    case "--redact": redact = true
    case "--redact-key-file": redactKeyPath = nextValue(a)
    case "--output", "-o": outputPath = nextValue(a)
    case "--help", "-h":
        print(usage)
        exit(0)
    case "-": inputs.append(a)
    default:
        if a.hasPrefix("-") { fail(.usage, "unknown option \(a)") }
        inputs.append(a)
    }
    i += 1
}
if inputs.isEmpty { inputs = ["-"] }
guard let usersPath else { fail(.usage, "--users FILE is required") }
if serversText != nil && confPath != nil { fail(.usage, "give --servers or --keystone-conf, not both") }
switch client {
case "python-memcached", "python-memcached-1.59": options.scheme = .pythonMemcachedOld
case "python-memcached-1.60": options.scheme = .pythonMemcached
case "pymemcache": options.scheme = .pymemcacheRendezvous
default: fail(.usage, "unknown --client \(client) (python-memcached, python-memcached-1.60, pymemcache)")
}

@MainActor func readFile(_ path: String, what: String) -> [UInt8] {
    guard let d = FileManager.default.contents(atPath: path) else { fail(.fatal, "cannot read \(what) \(path)") }
    return [UInt8](d)
}

do {
    if let serversText { options.servers = try ServerList.parse(serversText) }
    if let confPath { options.servers = try ServerList.fromKeystoneConf(String(decoding: readFile(confPath, what: "config"), as: UTF8.self)) }
} catch {
    fail(.usage, error.description)
}
if redact {
    if let redactKeyPath {
        let key = readFile(redactKeyPath, what: "redaction key")
        guard !key.isEmpty else { fail(.fatal, "redaction key file \(redactKeyPath) is empty") }
        options.redactor = TokenRedactor(key: key)
    } else {
        var key = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for k in key.indices { key[k] = UInt8.random(in: 0...255, using: &rng) }
        options.redactor = TokenRedactor(key: key)
        diag.note("--redact without --redact-key-file: digests are stable within this run only")
    }
}

var partial = false
let parsedUsers = UserListParser.parse(readFile(usersPath, what: "user list"))
for issue in parsedUsers.issues {
    diag.warning("\(usersPath): \(issue.description) (row skipped)")
    partial = true
}
diag.note("\(parsedUsers.users.count) users from \(usersPath) (\(parsedUsers.format.rawValue))")

let attributor = Attributor(users: parsedUsers.users, options: options)
OutputSink.ignoreSIGPIPE()
var atomic: AtomicOutputFile?
if let outputPath {
    do { atomic = try AtomicOutputFile(path: outputPath) } catch { fail(.fatal, "\(error)") }
}
let sink = OutputSink(fd: atomic?.handle.fileDescriptor ?? 1, name: outputPath ?? "stdout")
var out: [UInt8] = []
out.reserveCapacity(1 << 20)
var badLines = 0

inputLoop: for input in inputs {
    let reader: ByteReader
    do {
        reader = input == "-" ? ByteReader(fd: 0, name: "stdin") : try ByteReader(path: input)
    } catch {
        fail(.fatal, error.description)
    }
    do {
        while let line = try reader.nextLine() {
            if line.isEmpty { continue }
            do throws(AttributionIssue) {
                try attributor.process(line, into: &out)
            } catch {
                badLines += 1
                if badLines <= 20 { diag.warning("\(reader.name): line \(reader.lineNumber): \(error.message) (passed through)") }
            }
            if out.count >= 1 << 20 {
                try sink.write(out)
                out.removeAll(keepingCapacity: true)
                if sink.readerClosed { break inputLoop }
            }
        }
    } catch let e as ByteReadError {
        fail(.fatal, e.description)
    } catch let e as OutputError {
        fail(.fatal, e.description)
    } catch {
        fail(.fatal, "\(error)")
    }
}
do {
    try sink.write(out)
    try atomic?.commit()
} catch {
    fail(.fatal, "\(error)")
}
if badLines > 0 {
    diag.warning("\(badLines) line(s) were not JSON records and were passed through unchanged")
    partial = true
}
for u in attributor.usersNotInExport {
    diag.note("user \(u.id)\(u.name.map { " (\($0))" } ?? "") is not in \(usersPath); seen in token bodies or lock keys")
}
let kinds = KeyKind.allCases.compactMap { k in attributor.kindCounts[k].map { "\(k.rawValue) \($0)" } }.joined(separator: ", ")
diag.note("\(attributor.recordsSeen) records; items: \(kinds.isEmpty ? "none" : kinds)\(options.servers != nil ? "; \(attributor.misplaced) not on their expected host" : "")")
exit(partial ? ExitStatus.partial.rawValue : ExitStatus.success.rawValue)
