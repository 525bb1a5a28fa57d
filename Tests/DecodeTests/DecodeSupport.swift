// DecodeTests/DecodeSupport: helpers for the decode tests — run the built `decode`, parse its NDJSON,
// scratch directories, and turn a capture made by Tests/Fixtures/decode/oracle.py (Python reading a
// real memcached) into a `.mcdump.gz` with DumpWriter.
import DumpContainer
import Foundation
import Testing
import TestSupport

enum DecodeTool {
    static var path: String { Repo.executable("decode") }

    static func run(_ arguments: [String], stdin: Data? = nil) throws -> ProcessResult {
        try runProcess(path, arguments, stdin: stdin)
    }

    /// Parses NDJSON output into objects (one per line).
    static func records(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n", omittingEmptySubsequences: true).map { line in
            let o = try JSONSerialization.jsonObject(with: Data(line.utf8))
            guard let d = o as? [String: Any] else { throw TestSupportError.failed("not an object: \(line)") }
            return d
        }
    }

    static func items(_ records: [[String: Any]]) -> [[String: Any]] { records.filter { $0["type"] as? String == "item" } }
    static func sources(_ records: [[String: Any]]) -> [[String: Any]] { records.filter { $0["type"] as? String == "source" } }
}

/// A scratch directory removed at deinit.
final class ScratchDir {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "decode-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    func file(_ name: String) -> String { path + "/" + name }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

enum Oracle {
    static var script: String { Repo.path("Tests/Fixtures/decode/oracle.py") }

    /// Fills the server with the given scenarios, then captures it; returns the capture file.
    static func fillAndCapture(port: UInt16, scenarios: [String], into dir: ScratchDir) throws -> String {
        try Python.run(script: script, ["fill", String(port)] + scenarios)
        let r = try Python.run(script: script, ["capture", String(port)])
        let path = dir.file("capture.jsonl")
        try r.stdout.write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Runs the oracle's check of decode output against the capture; returns its report.
    static func check(capture: String, ndjson: String) throws -> ProcessResult {
        let interp = Python.interpreter
        let args = interp == "/usr/bin/env" ? ["python3", script, "check", capture, ndjson] : [script, "check", capture, ndjson]
        return try runProcess(interp, args)
    }
}

/// Writes a `.mcdump.gz` from an oracle capture (header, stats start/end, items, END).
enum CaptureDump {
    struct Options {
        var complete = true
        var dropItemsAfter: Int? = nil
        var port = 11211
    }

    static func write(capture: String, to path: String, options: Options = Options()) throws -> DumpFileSummary {
        let lines = try String(contentsOfFile: capture, encoding: .utf8).split(separator: "\n")
        let w = try DumpWriter(path: path, overwrite: true, memberBytes: 64 << 10)
        var items = 0
        var bytes: Int64 = 0
        var endTime: Int64?
        for line in lines {
            let o = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            if let server = o["server"] as? [String: Any] {
                let stats = try pairs(server["stats"])
                let time = stats.first { $0.name == "time" }.flatMap { Int64($0.value) }
                let uptime = stats.first { $0.name == "uptime" }.flatMap { Int64($0.value) }
                try w.write(.header(DumpHeader(
                    host: "127.0.0.1", port: options.port, collector: "decode-tests", method: "metadump",
                    serverVersion: server["version"] as? String, serverTime: time, serverUptime: uptime,
                    startedLocal: Date().timeIntervalSince1970)))
                try w.write(.stats(DumpStats(section: "general", label: "start", values: stats)))
            } else if let end = o["server_end"] as? [String: Any] {
                let stats = try pairs(end["stats"])
                endTime = stats.first { $0.name == "time" }.flatMap { Int64($0.value) }
                try w.write(.stats(DumpStats(section: "general", label: "end", values: stats)))
            } else {
                if let limit = options.dropItemsAfter, items >= limit { continue }
                let key = try #require(Data(base64Encoded: o["key_b64"] as? String ?? ""))
                let value = try #require(Data(base64Encoded: o["value_b64"] as? String ?? ""))
                try w.write(.item(DumpItem(
                    key: Array(key), flags: UInt32(o["flags"] as? Int ?? 0), valueLength: value.count,
                    cas: UInt64(o["cas"] as? Int ?? 0), exp: Int64(o["exp"] as? Int ?? -1), lastAccess: Int64(o["la"] as? Int ?? 0),
                    slabClass: o["cls"] as? Int ?? 0, fetched: o["fetched"] as? Bool ?? false,
                    totalSize: o["total_size"] as? Int ?? -1, value: Array(value))))
                items += 1
                bytes += Int64(value.count)
            }
        }
        if options.complete {
            return try w.finish(DumpTrailer(
                finishedLocal: Date().timeIntervalSince1970, serverTime: endTime, listed: items, captured: items, missed: 0,
                valueBytes: bytes, complete: true))
        }
        return try w.closeWithoutTrailer()
    }

    static func pairs(_ any: Any?) throws -> [(name: String, value: String)] {
        let list = try #require(any as? [[String]])
        return list.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }
}
