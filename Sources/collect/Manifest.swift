// collect/Manifest: MANIFEST.json — what was captured from which server, how, when (server clock),
// how completely, and the sha256 of each dump (docs/collect.md documents every field).
import Capture
import Foundation
import JSONText
import PipelineCLI

struct Manifest: Codable {
    var manifestVersion = 1
    var tool = "collect"
    var toolVersion: String
    var commandLine: [String]
    var outputDirectory: String
    var startedLocal: Double
    var finishedLocal: Double
    var options: ManifestOptions
    /// complete | partial (some server not complete) | interrupted (a signal or the time limit) | failed (no dump)
    var status: String
    /// Why the capture was stopped before its end (interrupted only).
    var stopReason: String?
    var complete: Bool
    var exitStatus: Int32
    var servers: [ManifestServer]
}

struct ManifestOptions: Codable {
    var keysOnly: Bool
    var keysFile: String?
    var forceCachedump: Bool
    var allowLruBump: Bool
    var connections: Int
    var rate: Double?
    var bandwidthMbPerS: Double?
    var maxValueBytes: Int
    var connectTimeout: Double
    var readTimeout: Double
    var timeLimit: Double
    var statsEvery: Double?
    var watch: Double?
    var watchOnly: Bool
    var watchSample: Int?
}

enum ManifestFile {
    static func write(_ m: Manifest, to path: String) throws {
        let enc = JSONTextEncoder(layout: .indented, keyName: JSONTextEncoder.snakeCase)
        var data = Data(try enc.encode(m))
        data.append(0x0A)
        let out = try AtomicOutputFile(path: path, mode: 0o600)
        do {
            try out.handle.write(contentsOf: data)
            try out.commit()
        } catch {
            out.abandon()
            throw error
        }
    }
}
