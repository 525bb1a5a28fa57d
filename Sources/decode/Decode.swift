// decode: turns collected memcached values into data. This first version decodes single raw
// pickles (`--pickle`, `--disassemble-pickle`); the dump-decoding mode joins as further options.
import ArgumentParser
import PipelineCLI

@main
struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode",
        abstract: "Decode Python pickles (and, later, collected dumps) into canonical JSON without executing anything.",
        discussion: ExitStatus.helpTable([
            .checkFailed: "the pickle could not be decoded ({\"$error\": …} was printed)",
            .fatal: "the input could not be read",
        ]))

    @OptionGroup var pickleMode: PickleMode

    func validate() throws {
        if !pickleMode.isSelected {
            throw ValidationError("choose a mode: --pickle FILE|- or --disassemble-pickle FILE|-")
        }
    }

    func run() throws {
        if pickleMode.isSelected { try pickleMode.run() }
    }
}
