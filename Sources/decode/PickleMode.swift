// decode/PickleMode: `decode --pickle FILE|-` (one raw pickle → one line of canonical JSON, or
// {"$error": kind, "$detail": …} with exit 1) and `decode --disassemble-pickle FILE|-`.
import ArgumentParser
import Foundation
import PipelineCLI
import SafePickle

struct PickleMode: ParsableArguments {
    @Option(
        name: .customLong("pickle"), help: ArgumentHelp("Decode one raw pickle from FILE (or - for stdin) and print its canonical JSON.", valueName: "FILE|-"))
    var pickle: String?

    @Option(name: .customLong("disassemble-pickle"), help: ArgumentHelp("Print a pickletools.dis-like listing of one raw pickle.", valueName: "FILE|-"))
    var disassemble: String?

    var isSelected: Bool { pickle != nil || disassemble != nil }

    func validate() throws {
        if pickle != nil && disassemble != nil {
            throw ValidationError("--pickle and --disassemble-pickle are exclusive")
        }
    }

    func run() throws {
        let diagnostics = Diagnostics(tool: "decode")
        let source = pickle ?? disassemble ?? "-"
        let bytes: [UInt8]
        do {
            bytes = try PickleMode.readAll(source)
        } catch {
            diagnostics.error("cannot read \(source): \(error)")
            throw ExitStatus.fatal.exitCode
        }
        if disassemble != nil {
            PickleMode.writeStdout(Array(SafePickle.disassemble(bytes).utf8))
            return
        }
        switch SafePickle.canonicalJSON(bytes) {
        case .success(let json):
            PickleMode.writeStdout(json + [0x0A])
        case .failure(let error):
            PickleMode.writeStdout(SafePickle.errorJSON(error) + [0x0A])
            diagnostics.error("\(source): \(error)")
            throw ExitStatus.checkFailed.exitCode
        }
    }

    static func readAll(_ source: String) throws -> [UInt8] {
        if source == "-" { return [UInt8](FileHandle.standardInput.readDataToEndOfFile()) }
        guard let data = FileManager.default.contents(atPath: source) else {
            throw CLIError.io("no such readable file")
        }
        return [UInt8](data)
    }

    static func writeStdout(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                guard let base = buf.baseAddress else { return }
                let n = write(1, base + off, buf.count - off)
                if n <= 0 { return }
                off += n
            }
        }
    }
}
