// PipelineCLI/CommandLineParsing: parses a stage's command line with ArgumentParser, but reports a
// usage error as ONE line on stderr (`tool: error: … (see 'tool --help')`) and exits 64; `--help` and
// `--version` print as usual and exit 0.
import ArgumentParser
import ByteText

#if canImport(Glibc)
    import Glibc
    private func terminate(_ code: Int32) -> Never { Glibc.exit(code) }
#elseif canImport(Darwin)
    import Darwin
    private func terminate(_ code: Int32) -> Never { Darwin.exit(code) }
#endif

extension ParsableCommand {
    /// The parsed command, or the process ends: 0 after `--help`/`--version`, else the parser's exit
    /// code (64 for every usage error) after a one-line message.
    public static func parseOrExitWithOneLine(_ arguments: [String]? = nil) -> Self {
        do {
            return try parse(arguments)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            Diagnostics.writeStderr(oneLineUsageError(error) + "\n")
            // ArgumentParser gives 64 (EX_USAGE) for parse and validation errors; keep any other code.
            terminate(code.rawValue)
        }
    }

    /// `tool: error: message (see 'tool --help')`, the parser's message folded onto one line, its
    /// control characters (from the arguments it quotes) shown visibly.
    public static func oneLineUsageError(_ error: Error) -> String {
        let name = configuration.commandName ?? "command"
        var text = message(for: error)
        if text.hasPrefix("Error: ") { text.removeFirst(7) }
        let parts = text.split(whereSeparator: { $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingSpaces() }
            .filter { !$0.isEmpty && !$0.hasPrefix("Usage:") && !$0.hasPrefix("See '") }
        return "\(name): error: \(ControlCharacters.shownVisibly(parts.joined(separator: "; "))) (see '\(name) --help')"
    }
}

extension ParsableCommand {
    /// `main` for a stage: parse with one-line usage errors, run, and end with the status the command
    /// chose. A usage error found while running (a bad config file, say) is one line and 64 too.
    public static func mainWithOneLineErrors() {
        var command = parseOrExitWithOneLine()
        do {
            try command.run()
        } catch {
            finish(after: error)
        }
    }

    static func finish(after error: Error) -> Never {
        if let code = error as? ExitCode { terminate(code.rawValue) }
        let code = exitCode(for: error)
        if code.rawValue == ExitStatus.usage.rawValue {
            Diagnostics.writeStderr(oneLineUsageError(error) + "\n")
            terminate(code.rawValue)
        }
        exit(withError: error)
    }
}

extension AsyncParsableCommand {
    /// The async form of `mainWithOneLineErrors`.
    public static func mainWithOneLineErrors() async {
        var command = parseOrExitWithOneLine()
        do {
            try await command.run()
        } catch {
            finish(after: error)
        }
    }
}
