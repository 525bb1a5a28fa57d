// decode/DumpMode: `decode [FILE|-]...` — runs the reading thread and the decoding thread over a
// bounded queue (deterministic order: one reader, one decoder, inputs in argument order), writes
// to stdout or through `--output`'s temporary file, and picks the exit status.
import CacheValues
import Foundation
import PipelineCLI
import PipelineRecords

struct DumpModeRun {
    var inputs: [String]
    var output: String?
    var format: InputFormat
    var decoder: ValueDecoder
    var options: EmitterOptions
    let diagnostics = Diagnostics(tool: "decode")

    func run() -> ExitStatus {
        OutputSink.ignoreSIGPIPE()
        var atomic: AtomicOutputFile?
        let sink: OutputSink
        if let output {
            do {
                atomic = try AtomicOutputFile(path: output)
            } catch {
                diagnostics.error("\(error)")
                return .fatal
            }
            sink = OutputSink(fd: atomic!.handle.fileDescriptor, name: output)
        } else {
            sink = OutputSink(fd: 1, name: "stdout")
        }
        let emitter = RecordEmitter(decoder: decoder, options: options, sink: sink, diagnostics: diagnostics)
        let queue = BoundedQueue<[InputEvent]>(capacity: 8)
        let reader = InputReader(inputs: inputs.isEmpty ? ["-"] : inputs, forcedFormat: format, queue: queue)
        let readerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            reader.run()
            readerDone.signal()
        }
        var stopped = false
        var inputsLeft = reader.inputs.count
        while inputsLeft > 0 && !stopped {
            let batch = queue.pop()
            for event in batch where !stopped {
                if !emitter.handle(event) { stopped = true }
                if case .finished = event { inputsLeft -= 1 }
            }
        }
        if stopped { queue.cancel() } else { emitter.flush() }
        if !stopped { readerDone.wait() }

        if let e = emitter.outputError {
            diagnostics.error(e.message)
            atomic?.abandon()
            return .fatal
        }
        if emitter.readerClosed { return .success }
        if emitter.unreadableInputs > 0 {
            atomic?.abandon()
            return .fatal
        }
        if let atomic {
            do { try atomic.commit() } catch {
                diagnostics.error("\(error)")
                return .fatal
            }
        }
        return emitter.skippedSomething ? .partial : .success
    }
}
