// decode: turns collected memcached values into data. Modes: dumps and listings to NDJSON records
// (`decode [FILE|-]...`, DumpOptions/DumpMode), one item's pickle listing (`--disassemble KEY`),
// and single raw pickles (`--pickle`, `--disassemble-pickle`, PickleMode).
import ArgumentParser
import PipelineCLI

@main
struct Decode: ParsableCommand {
    static func main() { mainWithOneLineErrors() }

    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract:
            "Decode memcached dumps, get captures and key listings into NDJSON records — Python pickles, Ruby Marshal, PHP serialize and igbinary, JSON — with each key's family. Nothing is ever executed.",
        discussion: """
            `decode [FILE|-]...` writes one `source` record per input and one `item` record per item (schema: docs/records.md). Inputs are read in order; `-` or no argument reads stdin. The input kind is detected from its first bytes: a .mcdump.gz dump, a raw `get`/`gets` response capture (`VALUE … END`), an `lru_crawler metadump` listing or a `stats cachedump` listing. Each value is read by its client's convention (`--client auto`: python-memcached, pymemcache, Dalli/Rails, php-memcached, told apart by the flags and bytes; docs/records.md) and each key gets its family (docs/families.md). Values are decoded on every core; records keep the input order.

            `decode --pickle FILE|-` prints the canonical JSON of one raw pickle (docs/canonical-json.md).

            EXAMPLES:
              decode incident-42/*.mcdump.gz --output decoded.ndjson
              decode incident-42/*.mcdump.gz | attribute --users users.json | report
              decode --values summary 10.0.0.2_11211.mcdump.gz | head
              decode --families families.txt --client php-memcached web/*.mcdump.gz
              decode --disassemble 6e49b86a7502dae881f3b9466ecbdfa4743c7eb9 d.mcdump.gz
              printf 'get k\\r\\n' | nc -q1 10.0.0.2 11211 > get.txt; decode get.txt
              decode --pickle value.bin

            """
                + ExitStatus.helpTable([
                    .checkFailed: "--pickle: the pickle could not be decoded ({\"$error\": …} printed)",
                    .fatal: "an input could not be read at all",
                    .partial: "done, but items or records were skipped (see stderr and output)",
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
