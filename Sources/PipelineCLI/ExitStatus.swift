// PipelineCLI/ExitStatus: the one exit-status table shared by collect, decode, attribute and report.
import ArgumentParser

/// Exit statuses of every stage (README, "Exit statuses").
public enum ExitStatus: Int32, CaseIterable, Sendable {
    /// Success (also when stdout's reader closed early).
    case success = 0
    /// An opt-in check failed (e.g. `report --fail-above`).
    case checkFailed = 1
    /// Fatal error: the output is not to be trusted.
    case fatal = 2
    /// Finished, but some hosts or records were skipped (each said on stderr and in the output).
    case partial = 3
    /// Usage error (bad arguments), as EX_USAGE.
    case usage = 64

    public var exitCode: ExitCode { ExitCode(rawValue) }

    public var meaning: String {
        switch self {
        case .success: return "success"
        case .checkFailed: return "an opt-in check failed"
        case .fatal: return "fatal error; output not to be trusted"
        case .partial: return "finished, but some hosts or records were skipped (named on stderr and in the output)"
        case .usage: return "usage error"
        }
    }

    /// The table as printed at the end of every `--help`.
    public static func helpTable(_ overrides: [ExitStatus: String] = [:]) -> String {
        var lines = ["EXIT STATUS:"]
        for s in ExitStatus.allCases where s != .checkFailed || overrides[s] != nil {
            lines.append("  " + String(s.rawValue).padding(toLength: 4, withPad: " ", startingAt: 0) + (overrides[s] ?? s.meaning))
        }
        return lines.joined(separator: "\n")
    }
}
