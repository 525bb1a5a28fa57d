// decode/DumpOptions: the options of the dump-decoding mode — inputs, --output, --client, --values,
// --max-value-json, --input-format, limits, --jobs — with validation, and --disassemble KEY.
import DecodeInputs
import ArgumentParser
import CacheValues
import DecodePipeline
import Foundation
import KeyFamilies
import PipelineCLI

extension ClientConvention: ExpressibleByArgument {}
extension ValueDetail: ExpressibleByArgument {}
extension InputFormat: ExpressibleByArgument {}

/// The options of the dump-decoding mode (`decode [FILE|-]...`), usable as an `@OptionGroup`.
struct DumpOptions: ParsableArguments {
    @Argument(help: "Dumps or listings to read (`-` = stdin).")
    var inputs: [String] = []

    @Option(name: .shortAndLong, help: "Write to FILE (through a temporary file and a rename) instead of stdout.")
    var output: String?

    @Option(
        help: ArgumentHelp(
            "Client flag convention: auto (each item by its flags and bytes), python-memcached, pymemcache, pylibmc, bmemcached, dalli or php-memcached.",
            valueName: "NAME"))
    var client: ClientConvention = .auto

    @Option(help: "How much of each value to keep: full, none (metadata only) or summary (type, length, counts).")
    var values: ValueDetail = .full

    @Option(name: .customLong("max-value-json"), help: ArgumentHelp("Cut value JSON longer than BYTES (marked `$truncated`).", valueName: "BYTES"))
    var maxValueJSON: Int?

    @Option(
        name: .customLong("max-traffic-keys"),
        help: ArgumentHelp("Keys of a watch window with their own traffic record; the others' traffic is summed (`other_keys`).", valueName: "N"))
    var maxTrafficKeys = 1_000_000

    @Option(name: .customLong("input-format"), help: "auto, mcdump, nc, metadump or cachedump.")
    var inputFormat: InputFormat = .auto

    @Option(name: .customLong("max-inflated-bytes"), help: ArgumentHelp("Largest decompressed size of a zlib value.", valueName: "BYTES"))
    var maxInflatedBytes: Int = 64 << 20

    @Option(name: .customLong("max-inflate-ratio"), help: "Largest decompression ratio of a zlib value over 1 MiB.")
    var maxInflateRatio: Int = 200

    @Option(help: "Value-decoding threads (default: the number of cores); output order never depends on it.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(
        name: .customLong("buffer-mb"),
        help: ArgumentHelp("At most MB mebibytes of values held between reading and writing (raw and decoded).", valueName: "MB"))
    var bufferMB: Int = 64

    @Option(help: ArgumentHelp("Family rules: lines `REGEX => FAMILY [OWNER]`, tried before the built-in profiles (docs/families.md).", valueName: "FILE"))
    var families: String?

    @Option(help: ArgumentHelp("Print the pickle listing of the item with this key (UTF-8, or `b64:` + base64) and exit.", valueName: "KEY"))
    var disassemble: String?

    func validate() throws {
        if let m = maxValueJSON, m < 0 { throw ValidationError("--max-value-json must be ≥ 0") }
        if maxTrafficKeys < 1 { throw ValidationError("--max-traffic-keys must be ≥ 1") }
        if maxInflatedBytes <= 0 { throw ValidationError("--max-inflated-bytes must be > 0") }
        if maxInflateRatio <= 0 { throw ValidationError("--max-inflate-ratio must be > 0") }
        if jobs < 1 || jobs > 64 { throw ValidationError("--jobs must be 1…64") }
        if bufferMB < 1 || bufferMB > 1 << 20 { throw ValidationError("--buffer-mb must be 1…1048576") }
        if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("stdin (`-`) can be read only once") }
        if disassemble != nil && output != nil { throw ValidationError("--disassemble prints to stdout; --output does not apply") }
    }

    func makeDecoder() -> ValueDecoder {
        var limits = ValueLimits()
        limits.maxInflatedBytes = maxInflatedBytes
        limits.maxInflateRatio = maxInflateRatio
        return ValueDecoder(convention: client, limits: limits, pickle: SafePickleRenderer())
    }

    /// Runs the dump mode (or `--disassemble`) and returns the exit status.
    func run() -> ExitStatus {
        let status: ExitStatus
        if let key = disassemble {
            status = DisassembleMode(inputs: inputs, format: inputFormat, key: key, decoder: makeDecoder()).run()
        } else {
            let classifier: FamilyClassifier
            switch FamilyRulesFile.classifier(path: families) {
            case .success(let c): classifier = c
            case .failure(let e):
                Diagnostics(tool: "decode").error(e.message)
                return .fatal
            }
            status = DumpModeRun(
                inputs: inputs, output: output, format: inputFormat, decoder: makeDecoder(),
                options: EmitterOptions(detail: values, maxValueJSON: maxValueJSON, families: classifier, maxTrafficKeys: maxTrafficKeys), jobs: jobs,
                bufferBytes: bufferMB << 20
            ).run()
        }
        return status
    }
}
