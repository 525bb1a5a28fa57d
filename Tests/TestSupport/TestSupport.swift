// TestSupport: real things for tests — a memcached process on a free loopback port,
// the project's Python test environment, the repository's paths, built executables.
import Foundation

public enum TestSupportError: Error, CustomStringConvertible {
    case notFound(String)
    case failed(String)
    public var description: String {
        switch self {
        case .notFound(let s): return "not found: \(s)"
        case .failed(let s): return s
        }
    }
}

/// Paths inside this repository, found from this file's location.
public enum Repo {
    public static let root: URL = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // TestSupport
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()  // repo
    }()
    public static func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// Directory holding the built products of the running test bundle (`.build/debug`).
    public static var productsDirectory: URL {
        let bundle = Bundle.main.bundleURL
        // On Linux, swift test runs `<products>/<name>PackageTests.xctest`; the executables sit beside it.
        var dir = bundle
        for _ in 0..<3 {
            if FileManager.default.fileExists(atPath: dir.appendingPathComponent("collect").path)
                || FileManager.default.fileExists(atPath: dir.appendingPathComponent("decode").path)
            {
                return dir
            }
            dir = dir.deletingLastPathComponent()
        }
        return bundle.deletingLastPathComponent()
    }

    /// A built executable of this package (collect, decode, …).
    public static func executable(_ name: String) -> String { productsDirectory.appendingPathComponent(name).path }
}

/// Result of running a child process to completion.
public struct ProcessResult: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    public var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
    public var stderrText: String { String(decoding: stderr, as: UTF8.self) }
}

/// A child (or a killed server) may go away before reading all we write: such a write must fail
/// with EPIPE, not end the whole test run with SIGPIPE. Every helper that spawns or connects calls this.
public func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }

/// Runs a program with arguments and optional stdin (in `directory`, if given); collects both outputs (no
/// deadlock on large output).
public func runProcess(
    _ executable: String, _ arguments: [String], stdin: Data? = nil,
    environment: [String: String]? = nil, timeout: TimeInterval = 300, directory: String? = nil
) throws -> ProcessResult {
    ignoreBrokenPipes()
    let p = Process()
    p.executableURL = URL(fileURLWithPath: executable)
    p.arguments = arguments
    if let environment { p.environment = environment }
    if let directory { p.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
    p.standardOutput = outPipe
    p.standardError = errPipe
    p.standardInput = stdin == nil ? FileHandle.nullDevice : inPipe
    try p.run()
    let group = DispatchGroup()
    nonisolated(unsafe) var out = Data()
    nonisolated(unsafe) var err = Data()
    group.enter()
    DispatchQueue.global().async {
        out = outPipe.fileHandleForReading.readDataToEndOfFile(); group.leave()
    }
    group.enter()
    DispatchQueue.global().async {
        err = errPipe.fileHandleForReading.readDataToEndOfFile(); group.leave()
    }
    if let stdin {
        DispatchQueue.global().async {
            try? inPipe.fileHandleForWriting.write(contentsOf: stdin)
            try? inPipe.fileHandleForWriting.close()
        }
    }
    if group.wait(timeout: .now() + timeout) == .timedOut {
        p.terminate()
        throw TestSupportError.failed("\(executable) \(arguments.joined(separator: " ")) timed out after \(timeout)s")
    }
    p.waitUntilExit()
    return ProcessResult(status: p.terminationStatus, stdout: out, stderr: err)
}

/// The project's Python test environment (created by `Tests/run`: python-memcached, dogpile.cache, pymemcache).
public enum Python {
    /// `MCF_PYTHON` if set, else `<repo>/.venv/bin/python`, else `python3` on PATH.
    public static var interpreter: String {
        if let env = ProcessInfo.processInfo.environment["MCF_PYTHON"], !env.isEmpty { return env }
        let venv = Repo.path(".venv/bin/python")
        if FileManager.default.isExecutableFile(atPath: venv) { return venv }
        return "/usr/bin/env"
    }

    /// Runs `python script args…`; throws with stderr when the script fails.
    @discardableResult
    public static func run(script: String, _ arguments: [String] = [], stdin: Data? = nil) throws -> ProcessResult {
        let interp = interpreter
        let args = interp == "/usr/bin/env" ? ["python3", script] + arguments : [script] + arguments
        let r = try runProcess(interp, args, stdin: stdin)
        if r.status != 0 {
            throw TestSupportError.failed("python \(script) \(arguments.joined(separator: " ")) exited \(r.status): \(r.stderrText)")
        }
        return r
    }

    /// Runs inline Python code (`python -c CODE args…`).
    @discardableResult
    public static func run(code: String, _ arguments: [String] = [], stdin: Data? = nil) throws -> ProcessResult {
        let interp = interpreter
        let args = interp == "/usr/bin/env" ? ["python3", "-c", code] + arguments : ["-c", code] + arguments
        let r = try runProcess(interp, args, stdin: stdin)
        if r.status != 0 { throw TestSupportError.failed("python -c exited \(r.status): \(r.stderrText)") }
        return r
    }
}

/// Finds a free TCP port on 127.0.0.1 (bind to port 0, read it back, close).
public func freeLoopbackPort() throws -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestSupportError.failed("socket() failed") }
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_port = 0
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    let bound = withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard bound == 0 else { throw TestSupportError.failed("bind() failed") }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
    }
    return UInt16(bigEndian: addr.sin_port)
}

/// A real memcached process on 127.0.0.1, started on a free port and stopped by pid.
public final class MemcachedServer: @unchecked Sendable {
    public let port: UInt16
    public let process: Process
    public var pid: Int32 { process.processIdentifier }
    public var address: String { "127.0.0.1:\(port)" }

    public static var binary: String? {
        for p in ["/usr/bin/memcached", "/usr/local/bin/memcached", "/usr/sbin/memcached"]
        where FileManager.default.isExecutableFile(atPath: p) { return p }
        return nil
    }

    /// Starts memcached with `-l 127.0.0.1 -p PORT -U 0` plus `extraArguments` (e.g. `["-m", "256", "-X"]`)
    /// and waits until it accepts connections.
    public init(memoryMB: Int = 256, extraArguments: [String] = []) throws {
        ignoreBrokenPipes()
        guard let bin = MemcachedServer.binary else {
            throw TestSupportError.notFound("memcached (Tests/run installs it: apt-get install memcached)")
        }
        var lastError: Error = TestSupportError.failed("memcached did not start")
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            var args = ["-l", "127.0.0.1", "-p", String(port), "-U", "0", "-m", String(memoryMB), "-t", "2"]
            if getuid() == 0 { args += ["-u", "root"] }
            p.arguments = args + extraArguments
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            if MemcachedServer.waitForListen(port: port, seconds: 5), p.isRunning {
                self.port = port
                self.process = p
                return
            }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            lastError = TestSupportError.failed("memcached did not listen on 127.0.0.1:\(port)")
        }
        throw lastError
    }

    static func waitForListen(port: UInt16, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if canConnect(port: port) { return true }
            usleep(20_000)
        }
        return false
    }

    public static func canConnect(port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0
            }
        }
    }

    /// Sends SIGKILL (simulates a crash) and waits for the process to end.
    public func kill9() {
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// Stops the server by pid (SIGTERM, then SIGKILL after a grace period).
    public func stop() {
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(3)
        while process.isRunning && Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}

/// SplitMix64: a small seeded generator, so a failure can be replayed (tests name their seeds).
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
