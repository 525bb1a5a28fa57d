// decode/DecodeCommand: the `decode` command — its help text and the dispatch to the dump mode.
import ArgumentParser
import PipelineCLI

struct DecodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode memcached dumps (.mcdump.gz), get captures and key listings into NDJSON records.",
        discussion: """
            Writes one `source` record per input and one `item` record per item (schema in docs/records.md).
            Inputs are read in order; `-` or no argument reads stdin. The input kind is detected from its first
            bytes: a .mcdump.gz dump, a raw `get`/`gets` response capture (`VALUE … END`), an
            `lru_crawler metadump` listing or a `stats cachedump` listing.

            """ + ExitStatus.helpTable())

    @OptionGroup var dump: DumpOptions

    func run() throws {
        let status = dump.run()
        if status != .success { throw status.exitCode }
    }
}
