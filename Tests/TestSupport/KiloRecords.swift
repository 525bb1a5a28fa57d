// TestSupport/KiloRecords: scratch folders, and the Keystone-Kilo NDJSON records that
// Tests/python/kilo_records.py writes (decode's schema), for the attribute and report tests.
import Foundation
import Synchronization

/// Scratch folders made by this test process, removed when it exits.
private let scratchFolders = Mutex<[String]>([])

public enum Scratch {
    /// A new empty folder under the system temporary directory; it is removed when the test process exits.
    public static func directory(_ label: String) throws -> String {
        let path = NSTemporaryDirectory() + "mcf-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        scratchFolders.withLock { folders in
            if folders.isEmpty { atexit { Scratch.removeAll() } }
            folders.append(path)
        }
        return path
    }

    static func removeAll() {
        for folder in scratchFolders.withLock({ $0 }) { try? FileManager.default.removeItem(atPath: folder) }
    }
}

public struct KiloRecords: Sendable {
    public let directory: String
    public var records: String { directory + "/records.ndjson" }
    public var usersJSON: String { directory + "/users.json" }
    public var usersCSV: String { directory + "/users.csv" }
    public var expectedPath: String { directory + "/expected.json" }

    /// Runs the generator; `shuffle` puts items in random order (token keys before their lists);
    /// `scale` multiplies every user's token count (0.25: about 800 token keys, quick in debug builds).
    public static func generate(shuffle: Bool = false, scale: Double = 0.25, extraArguments: [String] = []) throws -> KiloRecords {
        let dir = try Scratch.directory(shuffle ? "kilo-shuffled" : "kilo")
        try Python.run(
            script: Repo.path("Tests/python/kilo_records.py"),
            [dir, "--scale", String(scale)] + (shuffle ? ["--shuffle"] : []) + extraArguments)
        return KiloRecords(directory: dir)
    }

    /// Number of lines (records) in records.ndjson.
    public func recordCount() throws -> Int {
        try String(contentsOfFile: records, encoding: .utf8).split(separator: "\n").count
    }

    /// expected.json: `servers`, `ghost` (a user absent from the export) and `keys` (key → kind, user).
    public func expected() throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: expectedPath))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
    }
}

/// Parses NDJSON text into objects (lines that are not JSON objects are dropped).
public func ndjsonObjects(_ data: Data) -> [[String: Any]] {
    String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
        try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
}
