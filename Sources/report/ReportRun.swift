// report/ReportRun: reads every input into the aggregator (skipping lines that are not JSON
// records, with their line numbers), renders the report and writes it to stdout or --output.
import Foundation
import LineBlocks
import PipelineCLI
import PipelineRecords
import ReportRendering
import SkewAnalysis

struct ReportRun {
    let options: ReportCommand
    let diag = Diagnostics(tool: "report")

    func execute() -> ExitStatus {
        let inputs = options.inputs.isEmpty ? ["-"] : options.inputs
        var whatIf: WhatIfAnalysis?
        do {
            if let config = try options.whatIfConfig() { whatIf = try WhatIfAnalysis(config: config) }
        } catch {
            diag.error("\(error)")
            return .usage
        }
        let aggregator = Aggregator(top: options.top, showSecrets: options.showSecrets, whatIf: whatIf, keyLog: options.partial)
        var badLines = 0
        let progress = ProgressLine()
        if options.diff { return diff(inputs) }
        if options.merge {
            guard mergePartials(inputs, into: aggregator) else { return .fatal }
        } else {
            guard let bad = readRecords(inputs, into: aggregator, progress: progress) else { return .fatal }
            badLines = bad
        }
        progress.clear()
        if options.merge && aggregator.mergedPartials == 0 {
            diag.error("\(inputs.joined(separator: ", ")): no report partial to merge (empty input)")
            return .fatal
        }
        do throws(AggregationIssue) { try aggregator.finishCopies() } catch {
            diag.error(error.message)
            return .fatal
        }
        if options.partial {
            let text: String
            do throws(AggregationIssue) { text = try aggregator.partialJSON() } catch {
                diag.error(error.message)
                return .fatal
            }
            guard write(text) else { return .fatal }
        } else {
            let report = aggregator.finish()
            guard write(ReportRenderer.render(report, format: options.format, width: terminalWidth(), table: options.table)) else { return .fatal }
            if let limit = options.failAbove, let figure = ReportRun.checkedSkew(report), figure.maxOverMean > limit {
                diag.error(
                    "check failed: \(figure.metric) max/mean on \(figure.topHost) is \(String(format: "%.2f", figure.maxOverMean)), above --fail-above \(limit)"
                )
                return .checkFailed
            }
        }
        var status = ExitStatus.success
        if let problem = aggregator.integrity.problem {
            diag.warning(problem)
            status = .partial
        }
        if badLines > 0 {
            diag.warning("\(badLines) line(s) were not sound JSON records and were skipped")
            status = .partial
        }
        return status
    }

    /// Reads record files into the aggregator (blocks read by workers, added in input order). The
    /// number of lines skipped as not sound records, or nil after a fatal error (already reported).
    func readRecords(_ inputs: [String], into aggregator: Aggregator, progress: ProgressLine) -> Int? {
        var badLines = 0
        var lines = 0
        var fatal = false
        let whatIfOn = aggregator.hasWhatIf
        // Workers read the records of a block; the aggregator adds them in input order.
        OrderedLineWork.run(
            inputs: inputs, workers: options.jobs, blockBytes: options.blockBytes,
            process: { block in
                var read: [(line: Int, record: Result<ReadRecord, AggregationIssue>)] = []
                block.forEachLine { bytes, line in
                    do throws(AggregationIssue) { read.append((line, .success(try Aggregator.read(bytes, whatIf: whatIfOn)))) } catch {
                        read.append((line, .failure(error)))
                    }
                    return true
                }
                return read
            },
            consume: { event in
                switch event {
                case .block(let block, let read):
                    let name = inputs[block.input] == "-" ? "stdin" : inputs[block.input]
                    for (line, result) in read {
                        switch result {
                        case .success(let record): aggregator.add(record)
                        case .failure(let error):
                            if error.fatal {
                                diag.error("\(name): line \(line): \(error.message)")
                                fatal = true
                                return false
                            }
                            badLines += 1
                            if badLines <= 20 { diag.warning("\(name): line \(line): \(error.message) (skipped)") }
                        }
                    }
                    lines += read.count
                    progress.update("report: \(lines) records")
                    return true
                case .inputEnded:
                    return true
                case .failed(let error):
                    diag.error("\(error)")
                    fatal = true
                    return false
                }
            })
        return fatal ? nil : badLines
    }

    /// `--diff BEFORE AFTER`: each side read as partials or as records (whichever its first line is),
    /// compared, rendered.
    func diff(_ inputs: [String]) -> ExitStatus {
        var sides: [Aggregator] = []
        var badLines = 0
        let progress = ProgressLine()
        for input in inputs {
            let side = Aggregator(top: options.top, showSecrets: options.showSecrets)
            let kind: InputKind
            do { kind = try ReportRun.inputKind(input) } catch {
                diag.error("\(error)")
                return .fatal
            }
            switch kind {
            case .empty:
                diag.error("\(input): empty: --diff needs a partial or records on each side")
                return .fatal
            case .partials:
                guard mergePartials([input], into: side) else { return .fatal }
            case .records:
                guard let bad = readRecords([input], into: side, progress: progress) else { return .fatal }
                badLines += bad
            }
            sides.append(side)
        }
        progress.clear()
        let d = DiffReport.compare(before: sides[0], after: sides[1], beforeName: inputs[0], afterName: inputs[1])
        guard write(DiffRenderer.render(d, format: options.format, width: terminalWidth(), table: options.table)) else { return .fatal }
        var status = ExitStatus.success
        for (side, name) in zip(sides, ["before", "after"]) {
            if let problem = side.integrity.problem {
                diag.warning("\(name): \(problem)")
                status = .partial
            }
        }
        if badLines > 0 {
            diag.warning("\(badLines) line(s) were not sound JSON records and were skipped")
            status = .partial
        }
        return status
    }

    enum InputKind { case partials, records, empty }

    /// Whether a file holds partials (its first non-empty line is a `report-partial` object) or records.
    static func inputKind(_ path: String) throws -> InputKind {
        let reader = try ByteReader(path: path)
        while let line = try reader.nextLine() {
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { continue }
            guard let value = try? JSONParser.parse(line) else { return .records }
            return value["type"]?.string == Aggregator.partialType ? .partials : .records
        }
        return .empty
    }

    /// `--merge`: adds every partial (one per line), refusing one given twice. False after an error message.
    func mergePartials(_ inputs: [String], into aggregator: Aggregator) -> Bool {
        var seenPartials = Set<Int>()
        for input in inputs {
            do {
                let reader = input == "-" ? ByteReader(fd: 0, name: "stdin") : try ByteReader(path: input)
                while let line = try reader.nextLine() {
                    if line.isEmpty { continue }
                    do throws(AggregationIssue) {
                        // The same partial twice would count everything in it twice.
                        var hasher = Hasher()
                        line.withUnsafeBytes { hasher.combine(bytes: $0) }
                        guard seenPartials.insert(hasher.finalize()).inserted else {
                            throw AggregationIssue(message: "the same partial was given before (it would be counted twice)")
                        }
                        try aggregator.merge(partialLine: line)
                    } catch {
                        diag.error("\(reader.name): line \(reader.lineNumber): \(error.message)")
                        return false
                    }
                }
            } catch {
                diag.error("\(error)")
                return false
            }
        }
        return true
    }

    /// The skew figure `--fail-above` checks: the one on the explanation's basis (traffic since start,
    /// else window traffic, else bytes), the first of those the report has.
    static func checkedSkew(_ report: Report) -> SkewFigures? {
        for metric in ["traffic since start", "traffic", "bytes"] {
            if let f = report.skew.first(where: { $0.metric == metric }) { return f }
        }
        return nil
    }

    /// Writes the report; false (after an error message) when it cannot be written.
    func write(_ text: String) -> Bool {
        OutputSink.ignoreSIGPIPE()
        do {
            if let path = options.output {
                let f = try AtomicOutputFile(path: path)
                try OutputSink(fd: f.handle.fileDescriptor, name: path).write(Array(text.utf8))
                try f.commit()
            } else {
                try OutputSink(fd: 1).write(Array(text.utf8))
            }
            return true
        } catch {
            diag.error("\(error)")
            return false
        }
    }

    func terminalWidth() -> Int {
        if let w = options.width { return w }
        if let c = ProcessInfo.processInfo.environment["COLUMNS"].flatMap(Int.init), c >= 40, c <= 1000 { return c }
        var ws = winsize()
        if ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col >= 40 { return Int(ws.ws_col) }
        return 120
    }
}
