// DecodePipeline/DumpMode: `decode [FILE|-]...` — one thread reads (inflate + parse), `jobs` worker threads
// decode values batch by batch, and this thread writes the records in the original order (inputs
// in argument order, records as read), to stdout or through `--output`'s temporary file.
import DecodeInputs
import CacheValues
import Foundation
import LineBlocks
import PipelineCLI
import PipelineRecords

/// decode's main mode, whole: inputs in, records out, an exit status.
public struct DumpModeRun: Sendable {
    public var inputs: [String]
    public var output: String?
    public var format: InputFormat
    public var decoder: ValueDecoder
    public var options: EmitterOptions
    public var jobs: Int
    /// The most bytes of values held between reading and writing (InFlightBudget).
    public var bufferBytes: Int
    let diagnostics = Diagnostics(tool: "decode")

    public init(
        inputs: [String], output: String?, format: InputFormat, decoder: ValueDecoder, options: EmitterOptions, jobs: Int, bufferBytes: Int
    ) {
        self.inputs = inputs
        self.output = output
        self.format = format
        self.decoder = decoder
        self.options = options
        self.jobs = jobs
        self.bufferBytes = bufferBytes
    }

    /// A batch of events with the decoded value of each item a worker decoded (nil: left for the
    /// writing thread), and the bytes it counts against the budget.
    struct Decoded: Sendable {
        var events: [InputEvent]
        var values: [DecodedValue?]
        var heldBytes: Int
    }

    public func run() -> ExitStatus {
        OutputSink.ignoreSIGPIPE()
        var atomic: AtomicOutputFile?
        let sink: OutputSink
        if let output {
            do {
                let file = try AtomicOutputFile(path: output)
                atomic = file
                sink = OutputSink(fd: file.handle.fileDescriptor, name: output)
            } catch {
                diagnostics.error("\(error)")
                return .fatal
            }
        } else {
            sink = OutputSink(fd: 1, name: "stdout")
        }
        let emitter = RecordEmitter(decoder: decoder, options: options, sink: sink, diagnostics: diagnostics)
        let workers = max(1, jobs)
        let window = workers + 2
        let work = BoundedQueue<(seq: Int, events: [InputEvent], rawBytes: Int)>(capacity: window)
        let done = ReorderBuffer<Decoded>(window: window)
        let budget = InFlightBudget(limit: bufferBytes)
        let names = inputs.isEmpty ? ["-"] : inputs
        let readerDone = DoneSignal()
        Thread.detachNewThread {
            var seq = 0
            let reader = InputReader(
                inputs: names, forcedFormat: format,
                push: { batch, rawBytes in
                    defer { seq += 1 }
                    guard budget.reserve(rawBytes) else { return false }
                    return work.push((seq, batch, rawBytes))
                })
            reader.run()
            for _ in 0..<workers { work.push((-1, [], 0)) }
            readerDone.signal()
        }
        let decoder = self.decoder
        let detail = options.detail
        let maxValueJSON = options.maxValueJSON
        for _ in 0..<workers {
            Thread.detachNewThread {
                while let (seq, events, rawBytes) = work.pop(), seq >= 0 {
                    var values = [DecodedValue?](repeating: nil, count: events.count)
                    var held = rawBytes
                    for (i, e) in events.enumerated() {
                        // Over the budget, the rest is decoded by the writing thread as it writes.
                        guard case .item(let item) = e, let v = item.value, budget.hasRoom else { continue }
                        var d = decoder.decode(flags: item.flags ?? 0, value: v, key: item.key)
                        d.reduce(detail: detail, maxValueJSON: maxValueJSON)
                        budget.add(d.retainedBytes)
                        held += d.retainedBytes
                        values[i] = d
                    }
                    if !done.put(seq, Decoded(events: events, values: values, heldBytes: held)) { return }
                }
            }
        }
        var stopped = false
        var inputsLeft = names.count
        let progress = ProgressLine()
        let started = ProgressLine.monotonicSeconds()
        var items = 0
        var valueBytes = 0
        while inputsLeft > 0 && !stopped {
            let batch = done.take()
            for (i, event) in batch.events.enumerated() where !stopped {
                if !emitter.handle(event, decoded: batch.values[i]) { stopped = true }
                if case .finished = event { inputsLeft -= 1 }
                if case .item(let item) = event {
                    items += 1
                    valueBytes += item.value?.count ?? 0
                }
            }
            budget.release(batch.heldBytes)
            progress.update(DumpModeRun.progressText(items: items, valueBytes: valueBytes, since: started))
        }
        progress.clear()
        if stopped {
            budget.cancel()
            work.cancel()
            done.cancel()
        } else {
            emitter.flush()
            readerDone.wait()
        }

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

    /// The TTY progress line: items, value bytes and the rate so far.
    static func progressText(items: Int, valueBytes: Int, since start: Double) -> String {
        let seconds = max(ProgressLine.monotonicSeconds() - start, 0.001)
        return "decode: \(items) items, \(formatBytes(Int64(valueBytes))) of values, "
            + "\(formatBytes(Int64(Double(valueBytes) / seconds)))/s"
    }
}
