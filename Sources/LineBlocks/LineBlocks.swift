// LineBlocks/LineBlocks: the inputs of a line-oriented stage (NDJSON records) cut into blocks of whole
// lines, worked on by several threads, and handed back in input order — so attribute and report use
// both cores and their output is the same bytes as a one-worker run. Memory: about
// (workers + 2) blocks in flight, each about `blockBytes` (a longer line makes a longer block, up to
// `maxLineBytes`).
import ByteText
import Foundation
import PipelineRecords

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where lines come from.
public enum LineSource: @unchecked Sendable {
    /// A file, or stdin for `-`.
    case path(String)
    /// An open descriptor, read from its current offset (not closed).
    case descriptor(Int32, name: String)
    /// Bytes in memory.
    case bytes([UInt8], name: String)
}

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
        run(
            sources: inputs.map { .path($0) }, workers: workers, blockBytes: blockBytes, maxLineBytes: maxLineBytes,
            process: process, consume: consume)
    }

    /// `run` over any sources (files, descriptors, bytes in memory).
    public static func run<Result: Sendable>(
        sources inputs: [LineSource], workers: Int, blockBytes: Int = defaultBlockBytes, maxLineBytes: Int = 64 << 20,
        process: @escaping @Sendable (LineBlock) -> Result, consume: (LineWorkEvent<Result>) -> Bool
    ) {
        typealias Job = (seq: Int, work: Work)
        let workers = max(1, workers)
        let window = workers + 2
        let jobs = BoundedQueue<Job>(capacity: window)
        let done = ReorderBuffer<LineWorkEvent<Result>>(window: window)
        let readerDone = DoneSignal()
        Thread.detachNewThread {
            var seq = 0
            let push = { (w: Work) -> Bool in
                defer { seq += 1 }
                return jobs.push((seq, w))
            }
            read: for (index, source) in inputs.enumerated() {
                let reader: BlockReader
                do throws(ByteReadError) { reader = try BlockReader(source, index: index, blockBytes: blockBytes, maxLineBytes: maxLineBytes) } catch {
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

/// Reads one input into blocks that end at a line end. The bytes are read straight into one buffer
/// that keeps what follows the last line end for the next block (no zero-filling, no regrowing per
/// read); each block is one copy out of it. A pipe is asked for a 1 MiB kernel buffer (Linux).
final class BlockReader {
    let name: String
    let index: Int
    let fd: Int32
    let owns: Bool
    let blockBytes: Int
    let maxLineBytes: Int
    /// Bytes to deliver before the buffer's (the rest of a block cut before a too-long line).
    var carry: [UInt8] = []
    var line = 1
    var offset: Int64 = 0
    var eof = false
    private var buffer: UnsafeMutableRawPointer
    private var capacity: Int
    private var count = 0

    init(_ source: LineSource, index: Int, blockBytes: Int, maxLineBytes: Int) throws(ByteReadError) {
        self.index = index
        self.blockBytes = max(4096, blockBytes)
        self.maxLineBytes = maxLineBytes
        capacity = self.blockBytes + (256 << 10)
        buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 16)
        switch source {
        case .path("-"):
            name = "stdin"
            fd = 0
            owns = false
        case .path(let path):
            name = path
            fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                buffer.deallocate()
                throw ByteReadError(kind: .io, message: "cannot open: \(String(cString: strerror(errno)))", name: path, offset: 0, line: 0)
            }
            owns = true
        case .descriptor(let d, let n):
            name = n
            fd = d
            owns = false
        case .bytes(let b, let n):
            name = n
            fd = -1
            owns = false
            carry = b
            eof = true
        }
        if fd >= 0 { OutputSink.widenPipe(fd) }
    }

    deinit {
        buffer.deallocate()
        if owns { _ = close(fd) }
    }

    private func reserve(_ total: Int) {
        guard total > capacity else { return }
        var newCapacity = capacity
        while newCapacity < total { newCapacity *= 2 }
        let b = UnsafeMutableRawPointer.allocate(byteCount: newCapacity, alignment: 16)
        b.copyMemory(from: buffer, byteCount: count)
        buffer.deallocate()
        buffer = b
        capacity = newCapacity
    }

    /// Takes the first `n` bytes out of the buffer as a block's bytes.
    private func take(_ n: Int) -> [UInt8] {
        let out = [UInt8](UnsafeRawBufferPointer(start: buffer, count: n))
        count -= n
        if count > 0 { memmove(buffer, buffer + n, count) }
        return out
    }

    /// The next block, nil at the end of the input.
    func next() throws(ByteReadError) -> LineBlock? {
        if !carry.isEmpty {
            reserve(count + carry.count)
            if count > 0 { memmove(buffer + carry.count, buffer, count) }
            carry.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            count += carry.count
            carry = []
        }
        var searchFrom = 0
        while true {
            if eof {
                guard count > 0 else { return nil }
                // The end: what is left, in blocks of whole lines too.
                var n = count
                if count > blockBytes, let hit = memchr(buffer + blockBytes, 0x0A, count - blockBytes) {
                    n = (UnsafeRawPointer(hit) - UnsafeRawPointer(buffer)) + 1
                }
                return try make(take(n))
            }
            if count >= blockBytes {
                // Enough for a block, and a line end in it: cut after the last one.
                if let cut = lastNewline(from: searchFrom) { return try make(take(cut + 1)) }
                searchFrom = count
                guard count <= maxLineBytes else {
                    throw ByteReadError(
                        kind: .lineTooLong, message: "line longer than \(maxLineBytes) bytes", name: name, offset: offset, line: line)
                }
            }
            if capacity - count < (64 << 10) { reserve(capacity * 2) }
            let n: Int
            switch FileIO.read(fd, into: buffer + count, count: capacity - count) {
            case .success(let got): n = got
            case .failure(let f): throw ByteReadError(kind: .io, message: f.message, name: name, offset: offset, line: line)
            }
            count += n
            if n == 0 { eof = true }
        }
    }

    private func lastNewline(from: Int) -> Int? {
        let p = buffer.assumingMemoryBound(to: UInt8.self)
        var i = count - 1
        while i >= from {
            if p[i] == 0x0A { return i }
            i -= 1
        }
        return nil
    }

    /// The block, its lines counted; a line longer than `maxLineBytes` is an error naming it.
    private func make(_ bytes: [UInt8]) throws(ByteReadError) -> LineBlock {
        var tooLong: (line: Int, offset: Int)?
        let count = bytes.withUnsafeBytes { p in
            var n = 0
            var i = 0
            while i < p.count {
                let end = memchr(p.baseAddress! + i, 0x0A, p.count - i).map { UnsafeRawPointer($0) - p.baseAddress! } ?? p.count
                if end - i > maxLineBytes && tooLong == nil { tooLong = (n, i) }
                if end < p.count { n += 1 }
                i = end + 1
            }
            return n
        }
        if let tooLong, tooLong.offset > 0 {
            // The lines before it come first; the next call reports it.
            carry = Array(bytes[tooLong.offset...]) + carry
            return try make(Array(bytes[0..<tooLong.offset]))
        }
        if let tooLong {
            throw ByteReadError(
                kind: .lineTooLong, message: "line longer than \(maxLineBytes) bytes", name: name,
                offset: offset + Int64(tooLong.offset), line: line + tooLong.line)
        }
        let block = LineBlock(input: index, firstLine: line, bytes: bytes)
        line += count
        offset += Int64(bytes.count)
        return block
    }
}
