// attribute/AttributeRun: the streaming loop of `attribute` — read the user list, pass every input
// line through the Attributor, write in 1 MiB blocks (atomically with --output), summarise on stderr.
import ArgumentParser
import Attribution
import Foundation
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
        guard let d = FileManager.default.contents(atPath: path) else { throw fatal("cannot read \(what) \(path)") }
        return [UInt8](d)
    }

    func attribute(usersPath: String, options: AttributionOptions, inputs: [String], outputPath: String?) throws -> ExitStatus {
        var partial = false
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

        let attributor: Attributor
        do {
            attributor = try Attributor(users: parsedUsers.users, options: options)
        } catch {
            throw ValidationError("server list: \(error.message)")
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
        let progress = ProgressLine()

        inputLoop: for input in inputs {
            let reader: ByteReader
            do {
                reader = input == "-" ? ByteReader(fd: 0, name: "stdin") : try ByteReader(path: input)
            } catch {
                throw fatal(error.description)
            }
            do {
                while let line = try reader.nextLine() {
                    if line.isEmpty { continue }
                    do throws(AttributionIssue) {
                        try attributor.process(line, into: &out)
                    } catch {
                        if error.fatal { throw fatal("\(reader.name): line \(reader.lineNumber): \(error.message)") }
                        badLines += 1
                        if badLines <= 20 {
                            diag.warning("\(reader.name): line \(reader.lineNumber): \(error.message) (passed through)")
                        }
                    }
                    if out.count >= 1 << 20 {
                        try sink.write(out)
                        out.removeAll(keepingCapacity: true)
                        if sink.readerClosed { break inputLoop }
                        progress.update("attribute: \(attributor.recordsSeen) records, \(attributor.tokenMapCount) token ids mapped")
                    }
                }
            } catch let e as ByteReadError {
                throw fatal(e.description)
            } catch let e as OutputError {
                throw fatal(e.description)
            }
        }
        progress.clear()
        do {
            try sink.write(out)
            try atomic?.commit()
        } catch {
            throw fatal("\(error)")
        }
        if badLines > 0 {
            diag.warning("\(badLines) line(s) were not sound JSON records and were passed through unchanged")
            partial = true
        }
        for u in attributor.usersNotInExport {
            diag.note("user \(u.id)\(u.name.map { " (\($0))" } ?? "") is not in \(usersPath); seen in token bodies or lock keys")
        }
        let kinds = KeyKind.allCases.compactMap { k in attributor.kindCounts[k].map { "\(k.rawValue) \($0)" } }
            .joined(separator: ", ")
        let placed = options.servers != nil ? "; \(attributor.misplaced) not on their expected host" : ""
        diag.note("\(attributor.recordsSeen) records; items: \(kinds.isEmpty ? "none" : kinds)\(placed)")
        return partial ? .partial : .success
    }
}
