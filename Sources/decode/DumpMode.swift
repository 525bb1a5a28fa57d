// decode/DumpMode: `decode [FILE|-]...` — one thread reads (inflate + parse), `jobs` worker threads
// decode values batch by batch, and this thread writes the records in the original order (inputs
// in argument order, records as read), to stdout or through `--output`'s temporary file.
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
    var jobs: Int
    let diagnostics = Diagnostics(tool: "decode")

    /// A batch of events with the decoded value of each item that has one.
    struct Decoded: Sendable {
        var events: [InputEvent]
        var values: [DecodedValue?]
    }

    func run() -> ExitStatus {
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
        let work = BoundedQueue<(seq: Int, events: [InputEvent])>(capacity: window)
        let done = ReorderBuffer<Decoded>(window: window)
        let names = inputs.isEmpty ? ["-"] : inputs
        let readerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var seq = 0
            let reader = InputReader(inputs: names, forcedFormat: format, push: { batch in
                defer { seq += 1 }
                return work.push((seq, batch))
            })
            reader.run()
            for _ in 0..<workers { work.push((-1, [])) }
            readerDone.signal()
        }
        let decoder = self.decoder
        for _ in 0..<workers {
            Thread.detachNewThread {
                while let (seq, events) = work.pop(), seq >= 0 {
                    var values = [DecodedValue?](repeating: nil, count: events.count)
                    for (i, e) in events.enumerated() {
                        if case .item(let item) = e, let v = item.value { values[i] = decoder.decode(flags: item.flags ?? 0, value: v) }
                    }
                    if !done.put(seq, Decoded(events: events, values: values)) { return }
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
            progress.update(DumpModeRun.progressText(items: items, valueBytes: valueBytes, since: started))
        }
        progress.clear()
        if stopped {
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
