// PipelineCLI/Diagnostics: stderr messages and TTY-only progress for every stage.
import ByteText

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes one-line diagnostics to stderr, prefixed with the tool's name. stdout is data only.
/// A message can carry a server's bytes, a key, a user name or a file name: its control characters are
/// shown visibly (`ControlCharacters.shownVisibly`), so it stays one line and never drives the terminal.
public struct Diagnostics: Sendable {
    public let tool: String
    public init(tool: String) { self.tool = tool }

    public func error(_ message: String) { Diagnostics.writeStderr(line("error: ", message)) }
    public func warning(_ message: String) { Diagnostics.writeStderr(line("warning: ", message)) }
    public func note(_ message: String) { Diagnostics.writeStderr(line("", message)) }

    /// `tool: <level>message` and a newline, the message's control characters shown visibly.
    func line(_ level: String, _ message: String) -> String {
        "\(tool): \(level)\(ControlCharacters.shownVisibly(message))\n"
    }

    public static func writeStderr(_ s: String) {
        var s = s
        s.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = write(2, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { break }
                off += n
            }
        }
    }

    /// True when stderr is a terminal (progress is drawn only then).
    public static var stderrIsTTY: Bool { isatty(2) == 1 }
}

/// A single self-overwriting status line on stderr, drawn only on a TTY and at most every `interval` seconds.
public final class ProgressLine: @unchecked Sendable {
    private let enabled: Bool
    private let interval: Double
    private var last: Double = 0
    private var drawn = false

    public init(enabled: Bool = Diagnostics.stderrIsTTY, interval: Double = 0.2) {
        self.enabled = enabled
        self.interval = interval
    }

    public func update(_ text: @autoclosure () -> String, force: Bool = false) {
        guard enabled else { return }
        let now = ProgressLine.monotonicSeconds()
        guard force || now - last >= interval else { return }
        last = now
        Diagnostics.writeStderr("\r\u{1B}[2K" + ControlCharacters.shownVisibly(text()))
        drawn = true
    }

    public func clear() {
        guard enabled, drawn else { return }
        Diagnostics.writeStderr("\r\u{1B}[2K")
        drawn = false
    }

    public static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

/// Human-readable byte counts (binary units) for progress lines and reports.
public func formatBytes(_ n: Int64) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var v = Double(n)
    var i = 0
    while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
    return i == 0 ? "\(n) B" : String(format1: v) + " " + units[i]
}

extension String {
    init(format1 v: Double) {
        let scaled = (v * 10).rounded() / 10
        self = String(scaled)
    }
}
