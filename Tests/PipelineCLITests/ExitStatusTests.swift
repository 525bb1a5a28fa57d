// PipelineCLITests: the shared exit-status table and diagnostics.
import Testing
@testable import PipelineCLI

@Suite struct ExitStatusTests {
    @Test func tableMatchesDesign() {
        #expect(ExitStatus.success.rawValue == 0)
        #expect(ExitStatus.checkFailed.rawValue == 1)
        #expect(ExitStatus.fatal.rawValue == 2)
        #expect(ExitStatus.partial.rawValue == 3)
        #expect(ExitStatus.usage.rawValue == 64)
        let table = ExitStatus.helpTable()
        #expect(table.contains("64  usage error"))
        #expect(!table.contains("opt-in"))
        #expect(ExitStatus.helpTable([.checkFailed: "--fail-above tripped"]).contains("1   --fail-above tripped"))
    }

    @Test func bytesAreHumanReadable() {
        #expect(formatBytes(512) == "512 B")
        #expect(formatBytes(1536) == "1.5 KiB")
        #expect(formatBytes(600 * 1024 * 1024) == "600.0 MiB")
    }
}
