// decode: turns collected memcached values into data. Modes: dumps and listings to NDJSON records
// (`decode [FILE|-]...`, DumpOptions/DumpMode), one item's pickle listing (`--disassemble KEY`),
// and single raw pickles (`--pickle`, `--disassemble-pickle`, PickleMode).
import ArgumentParser
import PipelineCLI

@main
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode memcached dumps, get captures and key listings into NDJSON records; decode Python pickles into canonical JSON. Nothing is ever executed.",
        discussion: """
            `decode [FILE|-]...` writes one `source` record per input and one `item` record per item (schema in
            docs/records.md). Inputs are read in order; `-` or no argument reads stdin. The input kind is detected
            from its first bytes: a .mcdump.gz dump, a raw `get`/`gets` response capture (`VALUE … END`), an
            `lru_crawler metadump` listing or a `stats cachedump` listing.
            `decode --pickle FILE|-` prints the canonical JSON of one raw pickle (CANONICAL_JSON.md).

            """
            + ExitStatus.helpTable([
                .checkFailed: "--pickle: the pickle could not be decoded ({\"$error\": …} was printed)",
                .fatal: "an input could not be read at all",
            ]))

    @OptionGroup var pickleMode: PickleMode
    @OptionGroup var dump: DumpOptions

    func validate() throws {
        if pickleMode.isSelected && (!dump.inputs.isEmpty || dump.output != nil || dump.disassemble != nil) {
            throw ValidationError("--pickle/--disassemble-pickle take one FILE|- and no dump inputs, --output or --disassemble")
        }
    }

    func run() throws {
        if pickleMode.isSelected {
            try pickleMode.run()
            return
        }
        let status = dump.run()
        if status != .success { throw status.exitCode }
    }
}
