// attribute/AttributeRun: the streaming loop of `attribute` — read the user list, pass every input
// line through the Attributor, write in 1 MiB blocks (atomically with --output), summarise on stderr.
import ArgumentParser
import Attribution
import ByteText
import Foundation
import LineBlocks
import PipelineCLI
import PipelineRecords

struct AttributeRun {
    let diag: Diagnostics

    /// Prints the one-line error and returns the exit to throw.
    func fatal(_ message: String) -> ExitCode {
        diag.error(message)
        return ExitStatus.fatal.exitCode
    }

    func readFile(_ path: String, what: String) throws -> [UInt8] {
        switch FileIO.readWholeFile(path) {
        case .success(let bytes): return bytes
        case .failure(let f): throw fatal("cannot read \(what) \(path): \(f.message)")
        }
    }

    /// Reads a file of `attribute --facts-out` (StreamFactsFile); a problem is a one-line error naming the
    /// file and the line.
    func readFacts(_ path: String) throws -> StreamFactsFile {
        var reader = StreamFactsFile.Reader()
        do {
            let lines = try ByteReader(path: path)
            while let line = try lines.nextLine() {
                try reader.add(line, line: lines.lineNumber)
            }
            try reader.end()
        } catch let e as StreamFactsFile.Problem {
            throw fatal("facts \(path): \(e)")
        } catch let e as ByteReadError {
            throw fatal("cannot read facts \(path): \(e.line > 0 ? "line \(e.line): " : "")\(e.message)")
        }
        return reader.facts
    }

    /// `usersPath` nil: no user list — kinds, families and placement only; owners come from token bodies
    /// and lock keys alone. `factsPaths`: other streams' facts, joined at the end; `factsOutPath`: where
    /// this stream's facts go.
    func attribute(
        usersPath: String?, factsPaths: [String] = [], factsOutPath: String? = nil, options: AttributionOptions, inputs: [String],
        outputPath: String?, jobs: Int, blockBytes: Int
    ) throws -> ExitStatus {
        var partial = false
        var users: [User] = []
        if let usersPath {
            let parsedUsers = UserListParser.parse(try readFile(usersPath, what: "user list"))
            for issue in parsedUsers.issues {
                diag.warning("\(usersPath): \(issue.description) (row skipped)")
                partial = true
            }
            if let conflict = parsedUsers.conflict { throw fatal("\(usersPath): \(conflict.description)") }
            if parsedUsers.users.isEmpty {
                diag.warning("\(usersPath): no users in the list (an empty export?): no record can be attributed to an owner")
                partial = true
            }
            diag.note("\(parsedUsers.users.count) users from \(usersPath) (\(parsedUsers.format.rawValue))")
            users = parsedUsers.users
        }

        let attributor: Attributor
        do {
            attributor = try Attributor(users: users, options: options)
        } catch {
            throw ValidationError("server list: \(error.message)")
        }
        // Other streams' facts, read before the stream so that a bad file stops the run at once.
        for path in factsPaths {
            let f = try readFacts(path)
            attributor.addFacts(f)
            diag.note("facts \(path): \(f.users.count) users outside the export, \(f.lists.count) token lists")
        }
        OutputSink.ignoreSIGPIPE()
        var atomic: AtomicOutputFile?
        if let outputPath {
            do { atomic = try AtomicOutputFile(path: outputPath) } catch { throw fatal("\(error)") }
        }
        let sink = OutputSink(fd: atomic?.handle.fileDescriptor ?? 1, name: outputPath ?? "stdout")
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        var badLines = 0
        var failure: String?
        let progress = ProgressLine()
        let held = DeferredRecords()

        // Main pass: blocks attributed on `jobs` threads, written and learnt from in input order.
        OrderedLineWork.run(
            inputs: inputs, workers: jobs, blockBytes: blockBytes,
            process: { block in
                attributor.attributeBlock { body in block.forEachLine(body) }
            },
            consume: { event in
                switch event {
                case .block(let block, let result):
                    let name = inputs[block.input] == "-" ? "stdin" : inputs[block.input]
                    do {
                        try sink.write(result.output)
                        try held.append(result.deferred, count: result.deferredCount)
                    } catch {
                        failure = "\(error)"
                        return false
                    }
                    attributor.merge(result)
                    for (line, issue) in result.issues {
                        if issue.fatal {
                            failure = "\(name): line \(line): \(issue.message)"
                            return false
                        }
                        badLines += 1
                        if badLines <= 20 { diag.warning("\(name): line \(line): \(issue.message) (passed through)") }
                    }
                    if sink.readerClosed { return false }
                    progress.update("attribute: \(attributor.recordsSeen) records, \(held.count) held to the end")
                    return true
                case .inputEnded:
                    return true
                case .failed(let error):
                    failure = error.description
                    return false
                }
            })
        progress.clear()
        if let failure { throw fatal(failure) }

        // End: the held records, attributed with everything the stream said, in their input order
        // (on `jobs` threads too).
        if !sink.readerClosed {
            do {
                try attributor.prepareFinish(held: held, listsForFacts: factsOutPath != nil)
                let sources = try held.sources()
                OrderedLineWork.run(
                    sources: sources, workers: jobs, blockBytes: blockBytes,
                    process: { block in
                        attributor.attributeHeldBlock { body in block.forEachLine(body) }
                    },
                    consume: { event in
                        switch event {
                        case .block(_, let result):
                            attributor.mergeHeld(result)
                            do { try sink.write(result.output) } catch {
                                failure = "\(error)"
                                return false
                            }
                            return !sink.readerClosed
                        case .inputEnded:
                            return true
                        case .failed(let error):
                            failure = error.description
                            return false
                        }
                    })
                if let failure { throw fatal(failure) }
                try atomic?.commit()
                if let factsOutPath {
                    // Written only once the stream is through, so that a facts file stands for a whole stream.
                    let file = try AtomicOutputFile(path: factsOutPath)
                    try file.handle.write(contentsOf: attributor.streamFacts().rendered())
                    try file.commit()
                    let f = attributor.streamFacts()
                    diag.note(
                        "facts → \(factsOutPath): \(f.users.count) users outside the export, \(f.lists.count) token lists; \(f.sensitive) held records other streams' facts may decide"
                    )
                }
            } catch let e as ExitCode {
                throw e
            } catch {
                throw fatal("\(error)")
            }
        } else if let factsOutPath {
            diag.warning("the reader of the output went away before the end: no facts written to \(factsOutPath)")
        }
        if badLines > 0 {
            diag.warning("\(badLines) line(s) were not sound JSON records and were passed through unchanged")
            partial = true
        }
        if let usersPath {
            for u in attributor.usersNotInExport {
                diag.note("user \(u.id)\(u.name.map { " (\($0))" } ?? "") is not in \(usersPath); seen in token bodies or lock keys")
            }
        } else if !attributor.usersNotInExport.isEmpty {
            diag.note("no --users: \(attributor.usersNotInExport.count) owner(s) known from token bodies and lock keys")
        }
        let kinds = KeyKind.allCases.compactMap { k in attributor.kindCounts[k].map { "\(k.rawValue) \($0)" } }
            .joined(separator: ", ")
        let placed = options.servers != nil ? "; \(attributor.misplaced) not on their expected host" : ""
        let traffic = attributor.trafficRecords > 0 ? "; \(attributor.trafficRecords) traffic records" : ""
        diag.note("\(attributor.recordsSeen) records; items: \(kinds.isEmpty ? "none" : kinds)\(placed)\(traffic)")
        return partial ? .partial : .success
    }
}
