// DecodePipeline/DisassembleMode: `decode --disassemble KEY [FILE|-]...` — finds the first item with that
// key, peels its zlib/dogpile layers and prints the pickle's opcode listing.
import DecodeInputs
import ByteText
import CacheValues
import Foundation
import LineBlocks
import PipelineCLI
import PipelineRecords

/// `decode --disassemble KEY`: the opcode listing of one item's pickle.
public struct DisassembleMode: Sendable {
    public var inputs: [String]
    public var format: InputFormat
    public var key: String
    public var decoder: ValueDecoder
    let diagnostics = Diagnostics(tool: "decode")

    public init(inputs: [String], format: InputFormat, key: String, decoder: ValueDecoder) {
        self.inputs = inputs
        self.format = format
        self.key = key
        self.decoder = decoder
    }

    func wantedKey() -> [UInt8]? {
        if key.hasPrefix("b64:") { return Base64.decode(String(key.dropFirst(4))) }
        return Array(key.utf8)
    }

    public func run() -> ExitStatus {
        OutputSink.ignoreSIGPIPE()
        guard let wanted = wantedKey() else {
            diagnostics.error("--disassemble: bad base64 after b64:")
            return .usage
        }
        let queue = BoundedQueue<[InputEvent]>(capacity: 4)
        let names = inputs.isEmpty ? ["-"] : inputs
        let format = self.format
        Thread.detachNewThread {
            InputReader(inputs: names, forcedFormat: format, push: { batch, _ in queue.push(batch) }).run()
        }
        var inputsLeft = names.count
        var found: RawItem?
        var unreadable = false
        outer: while inputsLeft > 0, let batch = queue.pop() {
            for event in batch {
                switch event {
                case .item(let item) where item.key == wanted && item.value != nil:
                    found = item
                    break outer
                case .failure(let f):
                    diagnostics.error("\(f.kind): \(f.message)")
                    if f.fatal { unreadable = true }
                case .finished: inputsLeft -= 1
                default: break
                }
            }
        }
        queue.cancel()
        guard let item = found, let value = item.value else {
            diagnostics.error("no item with a captured value has key \(key)")
            return unreadable ? .fatal : .partial
        }
        switch decoder.picklePayload(flags: item.flags ?? 0, value: value) {
        case .failure(let e):
            diagnostics.error("\(e.layer): \(e.message)")
            return .partial
        case .success(let pickle):
            let listing = pickle.withUnsafeBytes { decoder.pickle.disassemble($0) }
            let sink = OutputSink(fd: 1)
            do throws(OutputError) { try sink.write(Array(listing.utf8)) } catch {
                diagnostics.error(error.message)
                return .fatal
            }
            return .success
        }
    }
}
