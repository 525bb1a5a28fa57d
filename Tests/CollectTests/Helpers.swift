// Helpers for CollectTests: running the built `collect`, reading its dumps back with DumpReader,
// the Python scripts in Tests/python, a recording proxy and a listener that never answers.
import DumpContainer
import Foundation
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

enum CollectRun {
    static var executable: String { Repo.executable("collect") }

    static func run(_ args: [String], stdin: Data? = nil, timeout: TimeInterval = 120) throws -> ProcessResult {
        try runProcess(executable, args, stdin: stdin, timeout: timeout)
    }

    /// A fresh, empty directory under the system temp dir, removed when the test process exits.
    static func tempDir(_ name: String) throws -> String {
        try Scratch.directory("collect-\(name)")
    }

    static func manifest(_ dir: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: dir + "/MANIFEST.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    static func servers(_ manifest: [String: Any]) -> [[String: Any]] {
        manifest["servers"] as? [[String: Any]] ?? []
    }
}

/// Everything in one dump, read with DumpReader; `error` is what stopped the reading early, if anything.
struct ReadDump {
    var header: DumpHeader?
    var stats: [DumpStats] = []
    var items: [DumpItem] = []
    var misses: [DumpMiss] = []
    var notes: [DumpNote] = []
    var events: [[UInt8]] = []
    var watch: DumpWatch?
    var trailer: DumpTrailer?
    var error: Error?

    init(path: String) throws {
        let reader = try DumpReader(path: path)
        do {
            while let r = try reader.next() {
                switch r {
                case .header(let h): header = h
                case .stats(let s): stats.append(s)
                case .item(let i): items.append(i)
                case .miss(let m): misses.append(m)
                case .note(let n): notes.append(n)
                case .event(let line): events.append(line)
                case .watch(let w): watch = w
                case .end(let t): trailer = t
                }
            }
        } catch {
            self.error = error
        }
    }

    var itemsByHexKey: [String: DumpItem] {
        Dictionary(items.map { ($0.key.hex, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

extension Array where Element == UInt8 {
    var hex: String { map { String(format: "%02x", $0) }.joined() }
}

enum PyScript {
    static func path(_ name: String) -> String { Repo.path("Tests/python/\(name)") }

    static func json(_ name: String, _ args: [String], stdin: Data? = nil) throws -> Any {
        let r = try Python.run(script: path(name), args, stdin: stdin)
        return try JSONSerialization.jsonObject(with: r.stdout)
    }

    /// The server's metadump as {hex key: fields}, read by Python over a raw socket.
    static func snapshot(_ port: UInt16) throws -> [String: [String: Any]] {
        try json("collect_snapshot.py", [String(port)]) as? [String: [String: Any]] ?? [:]
    }
}

/// A background child process whose first stdout line is read (e.g. a port), stopped by pid.
final class Background {
    let process = Process()
    let firstLine: String

    init(_ executable: String, _ arguments: [String]) throws {
        ignoreBrokenPipes()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        let handle = out.fileHandleForReading
        while true {
            let byte = handle.readData(ofLength: 1)
            if byte.isEmpty || byte == Data([0x0A]) { break }
            line.append(byte)
        }
        firstLine = String(decoding: line, as: UTF8.self)
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// A loopback listener that accepts connections (in the kernel backlog) and never answers.
final class SilentListener {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard ok == 0, listen(fd, 16) == 0 else {
            close(fd)
            throw TestSupportError.failed("cannot listen")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        self.port = UInt16(bigEndian: addr.sin_port)
    }

    deinit { close(fd) }
}

/// Polls `condition` every 20 ms for at most `seconds` (a bound against hangs, not a timing assertion).
func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if condition() { return true }
        usleep(20_000)
    }
    return condition()
}

func fileSize(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
}
