// LineBlocks/LineBlocks: the inputs of a line-oriented stage (NDJSON records) cut into blocks of whole
// lines, worked on by several threads, and handed back in input order — so attribute and report use
// both cores and their output is the same bytes as a one-worker run. Memory: about
// (workers + 2) blocks in flight, each about `blockBytes` (a longer line makes a longer block, up to
// `maxLineBytes`).
import Foundation
import PipelineRecords

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole lines of one input.
public struct LineBlock: Sendable {
    /// Index of the input in the list given to `OrderedLineWork.run`.
    public let input: Int
    /// Line number (1-based) of the block's first line in its input.
    public let firstLine: Int
    /// The lines, each ending in `\n` except perhaps the input's last line.
    public let bytes: [UInt8]

    /// Calls `body` with each line (without `\n` and a trailing `\r`) and its line number; empty
    /// lines are skipped. `body` returns false to stop.
    public func forEachLine(_ body: (UnsafeRawBufferPointer, Int) -> Bool) {
        bytes.withUnsafeBytes { p in
            guard let base = p.baseAddress else { return }
            var start = 0
            var line = firstLine
            while start < p.count {
                var end = p.count
                if let hit = memchr(base + start, 0x0A, p.count - start) {
                    end = UnsafeRawPointer(hit) - base
                }
                var stop = end
                if stop > start && p[stop - 1] == 0x0D { stop -= 1 }
                if stop > start {
                    if !body(UnsafeRawBufferPointer(rebasing: p[start..<stop]), line) { return }
                }
                line += 1
                start = end + 1
            }
        }
    }
}

/// What the consumer gets, in input order.
public enum LineWorkEvent<Result> {
    /// A block and what a worker made of it.
    case block(LineBlock, Result)
    /// Input `index` ended (all its blocks came before).
    case inputEnded(Int)
    /// An input could not be opened or read, or has a line longer than allowed: nothing after it comes.
    case failed(ByteReadError)
}

public enum OrderedLineWork {
    public static let defaultBlockBytes = 1 << 20

    /// Reads `inputs` (`-` is stdin) on one thread, runs `process` on `workers` threads, and calls
    /// `consume` on the calling thread with every event in input order. `consume` returns false to
    /// stop early (the rest is dropped). Returns when everything was consumed or consumption stopped.
    public static func run<Result: Sendable>(
        inputs: [String], workers: Int, blockBytes: Int = defaultBlockBytes, maxLineBytes: Int = 64 << 20,
        process: @escaping @Sendable (LineBlock) -> Result, consume: (LineWorkEvent<Result>) -> Bool
    ) {
        typealias Job = (seq: Int, work: Work)
        let workers = max(1, workers)
        let window = workers + 2
        let jobs = BoundedQueue<Job>(capacity: window)
        let done = ReorderBuffer<LineWorkEvent<Result>>(window: window)
        let readerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var seq = 0
            let push = { (w: Work) -> Bool in
                defer { seq += 1 }
                return jobs.push((seq, w))
            }
            read: for (index, name) in inputs.enumerated() {
                let reader: BlockReader
                do throws(ByteReadError) { reader = try BlockReader(name: name, index: index, blockBytes: blockBytes, maxLineBytes: maxLineBytes) } catch {
                    _ = push(.failed(error))
                    break read
                }
                while true {
                    do throws(ByteReadError) {
                        guard let block = try reader.next() else { break }
                        if !push(.block(block)) { break read }
                    } catch {
                        _ = push(.failed(error))
                        break read
                    }
                }
                if !push(.ended(index)) { break read }
            }
            for _ in 0..<workers { jobs.push((-1, .ended(-1))) }
            readerDone.signal()
        }
        for _ in 0..<workers {
            Thread.detachNewThread {
                while let (seq, work) = jobs.pop(), seq >= 0 {
                    let event: LineWorkEvent<Result>
                    switch work {
                    case .block(let b): event = .block(b, process(b))
                    case .ended(let i): event = .inputEnded(i)
                    case .failed(let e): event = .failed(e)
                    }
                    if !done.put(seq, event) { return }
                }
            }
        }
        var inputsLeft = inputs.count
        while inputsLeft > 0 {
            let event = done.take()
            let goOn = consume(event)
            if case .inputEnded = event { inputsLeft -= 1 }
            if case .failed = event { break }
            if !goOn { break }
        }
        if inputsLeft > 0 {
            jobs.cancel()
            done.cancel()
        } else {
            readerDone.wait()
        }
    }

    enum Work: @unchecked Sendable {
        case block(LineBlock)
        case ended(Int)
        case failed(ByteReadError)
    }
}

/// Reads one input into blocks that end at a line end.
final class BlockReader {
    let name: String
    let index: Int
    let fd: Int32
    let owns: Bool
    let blockBytes: Int
    let maxLineBytes: Int
    /// Bytes read after the last complete line of the previous block.
    var carry: [UInt8] = []
    var line = 1
    var offset: Int64 = 0
    var eof = false

    init(name: String, index: Int, blockBytes: Int, maxLineBytes: Int) throws(ByteReadError) {
        self.name = name == "-" ? "stdin" : name
        self.index = index
        self.blockBytes = max(4096, blockBytes)
        self.maxLineBytes = maxLineBytes
        if name == "-" {
            fd = 0
            owns = false
        } else {
            fd = open(name, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                throw ByteReadError(kind: .io, message: "cannot open: \(String(cString: strerror(errno)))", name: name, offset: 0, line: 0)
            }
            owns = true
        }
    }

    deinit { if owns { _ = close(fd) } }

    /// The next block, nil at the end of the input.
    func next() throws(ByteReadError) -> LineBlock? {
        var buf = carry
        carry = []
        var searchFrom = 0
        while true {
            // Enough for a block, and a line end in it: cut after the last one.
            if buf.count >= blockBytes || eof {
                if eof {
                    guard !buf.isEmpty else { return nil }
                    return make(buf)
                }
                if let cut = lastNewline(buf, from: searchFrom) {
                    carry = Array(buf[(cut + 1)...])
                    buf.removeSubrange((cut + 1)...)
                    return make(buf)
                }
                searchFrom = buf.count
                guard buf.count <= maxLineBytes else {
                    throw ByteReadError(
                        kind: .lineTooLong, message: "line longer than \(maxLineBytes) bytes", name: name, offset: offset, line: line)
                }
            }
            let want = max(blockBytes - buf.count, 256 << 10)
            let old = buf.count
            buf.reserveCapacity(old + want)
            buf.append(contentsOf: repeatElement(0, count: want))
            var n = 0
            while true {
                n = buf.withUnsafeMutableBytes { p in read(fd, p.baseAddress! + old, want) }
                if n >= 0 || errno != EINTR { break }
            }
            guard n >= 0 else {
                throw ByteReadError(kind: .io, message: String(cString: strerror(errno)), name: name, offset: offset, line: line)
            }
            buf.removeSubrange((old + n)...)
            if n == 0 { eof = true }
        }
    }

    private func lastNewline(_ buf: [UInt8], from: Int) -> Int? {
        var i = buf.count - 1
        while i >= from {
            if buf[i] == 0x0A { return i }
            i -= 1
        }
        return nil
    }

    private func make(_ bytes: [UInt8]) -> LineBlock {
        let block = LineBlock(input: index, firstLine: line, bytes: bytes)
        line += bytes.withUnsafeBytes { p in
            var n = 0
            var i = 0
            while i < p.count, let hit = memchr(p.baseAddress! + i, 0x0A, p.count - i) {
                n += 1
                i = (UnsafeRawPointer(hit) - p.baseAddress!) + 1
            }
            return n
        }
        offset += Int64(bytes.count)
        return block
    }
}
