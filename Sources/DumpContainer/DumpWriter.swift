// DumpContainer/DumpWriter: writes a `.mcdump.gz` dump — records into member buffers, each buffer
// compressed as an independent gzip member on a small thread pool and written in order (like pigz),
// a member ended every `memberBytes` of input or `memberSeconds` after its first byte (a timer thread
// does it even when no record arrives), so a killed collector leaves a readable prefix.
import ByteText
import Compression
import Crypto
import Foundation

#if canImport(Glibc)
    import Glibc
    private let systemClose = Glibc.close
#elseif canImport(Darwin)
    import Darwin
    private let systemClose = Darwin.close
#endif

/// Writes one dump file. `write` may be called from any thread (calls are serialised; a record is never
/// split by another) and BLOCKS while compression is behind — do not call it on a thread that must
/// not block, such as a NIO event loop. The member timer and the compression threads are internal. Memory is bounded: at most `compressionThreads` members in flight
/// (being compressed or waiting for their turn to be written) plus the one being filled; a producer that
/// outruns compression waits. Member buffers are reused, so resident memory stays near
/// (2 × compressionThreads + 1) × memberBytes plus the largest record (≈ 21 MiB at the defaults).
/// At `level` 1 (the default) members are compressed by the Swift encoder (`FastGzipDeflater`), about as
/// small as zlib's level 1 and about four times as fast; any other level uses zlib.
public final class DumpWriter: @unchecked Sendable {
    public let path: String
    /// A batch given to `write(taking:)` with at least this many bytes becomes a member as it is
    /// (when no member is being filled), without being copied: half a member.
    public let handOverBytes: Int
    private let core: WriterCore

    /// Creates `path` with mode 0600. Without `overwrite` an existing file is never touched (`.exists`);
    /// with it, the old file is unlinked first (so a symlink is replaced, not followed).
    public convenience init(
        path: String, overwrite: Bool = false, memberBytes: Int = 4 << 20, memberSeconds: Double = 2,
        level: Int32 = 1, compressionThreads: Int = 2
    ) throws {
        try DumpWriter.validate(
            path: path, memberBytes: memberBytes, memberSeconds: memberSeconds, level: level,
            compressionThreads: compressionThreads)
        let fd = try DumpWriter.create(path: path, overwrite: overwrite)
        self.init(
            validatedDescriptor: fd, path: path, memberBytes: memberBytes, memberSeconds: memberSeconds, level: level,
            compressionThreads: compressionThreads)
    }

    /// Writes to an already open descriptor, which the writer closes (tests use /dev/full).
    convenience init(
        adoptingDescriptor fd: Int32, path: String, memberBytes: Int = 4 << 20, memberSeconds: Double = 2,
        level: Int32 = 1, compressionThreads: Int = 2
    ) throws {
        try DumpWriter.validate(
            path: path, memberBytes: memberBytes, memberSeconds: memberSeconds, level: level,
            compressionThreads: compressionThreads)
        self.init(
            validatedDescriptor: fd, path: path, memberBytes: memberBytes, memberSeconds: memberSeconds, level: level,
            compressionThreads: compressionThreads)
    }

    private init(
        validatedDescriptor fd: Int32, path: String, memberBytes: Int, memberSeconds: Double, level: Int32,
        compressionThreads: Int
    ) {
        self.path = path
        handOverBytes = memberBytes / 2
        core = WriterCore(
            fd: fd, path: path, memberBytes: memberBytes, memberNanos: UInt64(memberSeconds * 1e9), level: level,
            threads: compressionThreads)
        core.start()
    }

    static func validate(
        path: String, memberBytes: Int, memberSeconds: Double, level: Int32, compressionThreads: Int
    ) throws(DumpWriteError) {
        func bad(_ m: String) -> DumpWriteError { DumpWriteError(kind: .invalidArgument, message: m, path: path) }
        guard memberBytes >= 1 && memberBytes <= GzipDeflater.maxInput / 2 else {
            throw bad("memberBytes \(memberBytes) out of range")
        }
        guard memberSeconds.isFinite && memberSeconds > 0 && memberSeconds <= 86_400 else {
            throw bad("memberSeconds \(memberSeconds) out of range")
        }
        guard (-1...9).contains(level) else { throw bad("gzip level \(level) is not in -1…9") }
        guard (1...64).contains(compressionThreads) else {
            throw bad("compressionThreads \(compressionThreads) is not in 1…64")
        }
        do throws(ZlibError) { _ = try GzipDeflater(level: level) } catch {  // fail early, not on a worker thread
            throw DumpWriteError(kind: .io, message: "cannot set up zlib: \(error)", path: path)
        }
    }

    deinit { core.close(trailer: nil) }

    /// Appends one record. Throws `DumpWriteError` for a record that cannot be written
    /// (nothing of it is written then), after `finish`, or once a background write has failed.
    public func write(_ record: DumpRecord) throws { try core.write(record) }

    /// Appends records encoded elsewhere, in their order, none split by another writer's records.
    public func write(_ encoded: EncodedRecords) throws { try core.write(encoded) }

    /// Like `write(_:)`, and empties `encoded`. When no member is being filled and the batch is at
    /// least half a member, its buffer becomes a member of its own as it is (no copy) and `encoded`
    /// gets an empty buffer for its next batch.
    public func write(taking encoded: inout EncodedRecords) throws { try core.write(taking: &encoded) }

    /// Ends the current member now and waits until every finished member is in the file.
    public func flush() throws { try core.flush() }

    /// Writes the END record, ends the last member, waits for all members, fsyncs and closes.
    public func finish(_ trailer: DumpTrailer) throws -> DumpFileSummary {
        try core.close(trailer: trailer).get()
    }

    /// Ends the dump WITHOUT an END record (it reads back as incomplete), fsyncs and closes.
    public func closeWithoutTrailer() throws -> DumpFileSummary {
        try core.close(trailer: nil).get()
    }

    static func create(path: String, overwrite: Bool) throws(DumpWriteError) -> Int32 {
        if overwrite {
            var st = stat()
            if lstat(path, &st) == 0 {
                guard (st.st_mode & S_IFMT) != S_IFDIR else {
                    throw DumpWriteError(kind: .io, message: "is a directory", path: path)
                }
                guard unlink(path) == 0 else { throw ioError("cannot remove the old file", path: path) }
            }
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            if errno == EEXIST {
                throw DumpWriteError(kind: .exists, message: "file exists; refusing to overwrite it (overwrite not requested)", path: path)
            }
            throw ioError("cannot create", path: path)
        }
        _ = fchmod(fd, 0o600)  // umask may only remove bits; make the mode exact
        return fd
    }

    static func ioError(_ what: String, path: String) -> DumpWriteError {
        DumpWriteError(kind: .io, message: "\(what): \(String(cString: strerror(errno)))", path: path)
    }
}

/// Shared state of a writer, its compression workers and its member timer, guarded by one monitor.
final class WriterCore: @unchecked Sendable {
    private enum Cond { static let jobs = 0, progress = 1, timer = 2 }
    private enum State { case open, closing, closed }

    let path: String
    private let fd: Int32
    private let memberBytes: Int
    private let memberNanos: UInt64
    private let level: Int32
    private let threads: Int
    private let maxInFlight: Int
    private let monitor = Monitor(conditions: 3)

    // Guarded by `monitor`.
    private var current: [UInt8] = []
    private var currentStart: UInt64?
    /// Emptied member buffers kept for reuse (no malloc churn, steady resident memory).
    private var freeInputs: [[UInt8]] = []
    private var freeOutputs: [[UInt8]] = []
    private var queue: [(seq: Int, bytes: [UInt8])] = []
    /// Finished members by sequence number: a scratch buffer and how many of its bytes are the member.
    private var compressed: [Int: (bytes: [UInt8], count: Int)] = [:]
    private var nextSeq = 0
    private var nextToWrite = 0
    private var inFlight = 0
    private var writing = false
    private var failure: DumpWriteError?
    private var state = State.open
    private var liveThreads = 0
    private var records = 0
    private var uncompressedBytes: Int64 = 0
    private var compressedBytes: Int64 = 0
    private var summary: Result<DumpFileSummary, DumpWriteError>?
    // Owned by whichever thread has set `writing`.
    private var hasher = SHA256()

    init(fd: Int32, path: String, memberBytes: Int, memberNanos: UInt64, level: Int32, threads: Int) {
        self.fd = fd
        self.path = path
        self.memberBytes = memberBytes
        self.memberNanos = max(memberNanos, 1_000_000)
        self.level = level
        self.threads = threads
        self.maxInFlight = threads
        current.reserveCapacity(memberCapacity)
    }

    /// Capacity of a member buffer: a member ends before a record would make it grow.
    private var memberCapacity: Int { memberBytes + 64 << 10 }

    /// Keeps `buffer` for reuse unless the pool is full or it grew for one huge record.
    /// Moves the storage out of `buffer` (left empty), so no other reference keeps it shared — a shared
    /// buffer would be copied on its next append.
    /// Input buffers are emptied (records are appended to them); output buffers keep their bytes
    /// (`GzipDeflater.compress(_:into:)` overwrites them, and clearing would make it zero them again).
    private func recycle(_ buffer: inout [UInt8], into pool: inout [[UInt8]], clear: Bool = true) {
        var taken: [UInt8] = []
        swap(&taken, &buffer)
        guard taken.capacity <= 2 * memberCapacity, pool.count <= maxInFlight else { return }
        if clear { taken.removeAll(keepingCapacity: true) }
        pool.append(taken)
    }

    func start() {
        monitor.withLock { liveThreads = threads + 1 }
        for _ in 0..<threads { Thread { [self] in workerLoop() }.start() }
        Thread { [self] in timerLoop() }.start()
    }

    func write(_ record: DumpRecord) throws(DumpWriteError) {
        monitor.lock()
        defer { monitor.unlock() }
        try appendLocked(record)
        if current.count >= memberBytes { endMemberLocked() }
        if let failure { throw failure }
    }

    func write(_ encoded: EncodedRecords) throws(DumpWriteError) {
        guard !encoded.isEmpty else { return }
        monitor.lock()
        defer { monitor.unlock() }
        try prepareLocked(adding: encoded.bytes.count)
        let before = current.count
        current.append(contentsOf: encoded.bytes)
        countLocked(records: encoded.count, from: before)
        if current.count >= memberBytes { endMemberLocked() }
        if let failure { throw failure }
    }

    func write(taking encoded: inout EncodedRecords) throws(DumpWriteError) {
        monitor.lock()
        let handOver = current.isEmpty && encoded.bytes.count >= memberBytes / 2 && state == .open && failure == nil
        guard handOver else {
            monitor.unlock()
            try write(encoded)
            encoded.removeAll()
            return
        }
        defer { monitor.unlock() }
        let count = encoded.exchangeBytes(with: &current)  // `current` was empty: the batch gets its buffer
        countLocked(records: count, from: 0)
        // A handed-over batch is a member of its own (at least half a member): the next batch then
        // finds no member being filled and is handed over too, instead of copied behind this one.
        endMemberLocked()
        if let failure { throw failure }
    }

    func flush() throws(DumpWriteError) {
        monitor.lock()
        defer { monitor.unlock() }
        guard state == .open else { throw DumpWriteError(kind: .closed, message: "writer is closed", path: path) }
        endMemberLocked()
        while inFlight > 0 && failure == nil { monitor.wait(Cond.progress) }
        if let failure { throw failure }
    }

    /// Ends the dump (with END when `trailer` is given); idempotent: later calls return the first outcome.
    @discardableResult
    func close(trailer: DumpTrailer?) -> Result<DumpFileSummary, DumpWriteError> {
        monitor.lock()
        if let summary {
            monitor.unlock()
            return trailer == nil ? summary : .failure(DumpWriteError(kind: .closed, message: "writer is closed", path: path))
        }
        var endError: DumpWriteError?
        if let trailer {
            do throws(DumpWriteError) { try appendLocked(.end(trailer)) } catch { endError = error }
        }
        endMemberLocked()
        state = .closing
        monitor.broadcast(Cond.jobs)
        monitor.broadcast(Cond.timer)
        while liveThreads > 0 || inFlight > 0 { monitor.wait(Cond.progress) }
        state = .closed
        if failure == nil && fsync(fd) != 0 { failure = DumpWriter.ioError("fsync failed", path: path) }
        if systemClose(fd) != 0 && failure == nil { failure = DumpWriter.ioError("close failed", path: path) }
        let digest = WriterCore.hex(Array(hasher.finalize()))
        let result: Result<DumpFileSummary, DumpWriteError>
        if let failure = failure ?? endError {
            result = .failure(failure)
        } else {
            result = .success(
                DumpFileSummary(
                    path: path, sha256: digest,
                    compressedBytes: compressedBytes, uncompressedBytes: uncompressedBytes, records: records,
                    members: nextSeq))
        }
        summary = result
        monitor.unlock()
        return result
    }

    // MARK: - Internals (monitor held unless said otherwise)

    private func appendLocked(_ record: DumpRecord) throws(DumpWriteError) {
        try prepareLocked(adding: RecordEncoding.estimatedSize(record))
        let before = current.count
        do throws(DumpWriteError) {
            try RecordEncoding.append(record, to: &current)
        } catch {
            current.removeSubrange(before...)
            throw DumpWriteError(kind: error.kind, message: error.message, path: path)
        }
        countLocked(records: 1, from: before)
    }

    /// Throws when the writer is closed or has failed; ends the current member first when `size` more
    /// bytes would make its buffer reallocate (a copy and a doubling).
    private func prepareLocked(adding size: Int) throws(DumpWriteError) {
        guard state == .open else { throw DumpWriteError(kind: .closed, message: "writer is closed", path: path) }
        if let failure { throw failure }
        if !current.isEmpty && current.count + size > current.capacity {
            endMemberLocked()
            guard state == .open else { throw DumpWriteError(kind: .closed, message: "writer is closed", path: path) }
            if let failure { throw failure }
        }
    }

    /// Counts `count` records that grew the current member from `before` bytes; a member that was
    /// empty starts its timer.
    private func countLocked(records count: Int, from before: Int) {
        records += count
        uncompressedBytes += Int64(current.count - before)
        if before == 0 {
            currentStart = Monitor.nowNanos()
            monitor.signal(Cond.timer)
        }
    }

    /// Hands the current buffer to the compression queue, waiting while too many members are in flight.
    private func endMemberLocked() {
        while !current.isEmpty && inFlight >= maxInFlight && failure == nil { monitor.wait(Cond.progress) }
        guard !current.isEmpty else { return }
        if failure != nil {  // nothing more reaches the file; drop the data
            current.removeAll(keepingCapacity: true)
            currentStart = nil
            return
        }
        queue.append((nextSeq, current))
        nextSeq += 1
        inFlight += 1
        if let reused = freeInputs.popLast() {
            current = reused
        } else {
            current = []
            current.reserveCapacity(memberCapacity)
        }
        currentStart = nil
        monitor.signal(Cond.jobs)
    }

    private func workerLoop() {
        // Level 1 (the default): the Swift encoder; any other level: zlib's.
        let fast: FastGzipDeflater? = level == 1 ? FastGzipDeflater() : nil
        var deflater: GzipDeflater?
        monitor.lock()
        while true {
            if !queue.isEmpty {
                var job = queue.removeFirst()
                var out = freeOutputs.popLast() ?? []
                monitor.unlock()
                var error: DumpWriteError?
                var produced = 0
                do throws(ZlibError) {
                    if let fast {
                        produced = try fast.compress(job.bytes, into: &out)
                    } else {
                        if deflater == nil { deflater = try GzipDeflater(level: level) }
                        if let deflater { produced = try deflater.compress(job.bytes, into: &out) }
                    }
                } catch let e {
                    error = DumpWriteError(kind: .io, message: "compression failed: \(e)", path: path)
                }
                monitor.lock()
                recycle(&job.bytes, into: &freeInputs)
                if let error, failure == nil { failure = error }
                compressed[job.seq] = (out, produced)
                out = []  // the dictionary holds the only reference now
                drainLocked()
                continue
            }
            if state != .open { break }
            monitor.wait(Cond.jobs)
        }
        liveThreads -= 1
        monitor.broadcast(Cond.progress)
        monitor.unlock()
    }

    /// Writes finished members in sequence order; one thread at a time does it (the `writing` flag).
    private func drainLocked() {
        guard !writing else { return }
        writing = true
        while let finished = compressed.removeValue(forKey: nextToWrite) {
            var data = finished.bytes
            let count = finished.count
            if failure == nil {
                monitor.unlock()
                let error = writeAll(data, count: count)
                monitor.lock()
                if let error {
                    if failure == nil { failure = error }
                } else {
                    compressedBytes += Int64(count)
                }
            }
            recycle(&data, into: &freeOutputs, clear: false)
            nextToWrite += 1
            inFlight -= 1
            monitor.broadcast(Cond.progress)
        }
        writing = false
    }

    /// Called without the monitor, by the thread owning `writing`.
    private func writeAll(_ data: [UInt8], count: Int) -> DumpWriteError? {
        data.withUnsafeBytes { whole -> DumpWriteError? in
            let raw = UnsafeRawBufferPointer(rebasing: whole[0..<min(count, whole.count)])
            hasher.update(bufferPointer: raw)
            if let f = FileIO.writeAll(fd, raw).failure {
                errno = f.errno  // ioError names it
                return DumpWriter.ioError("write failed", path: path)
            }
            return nil
        }
    }

    static func hex(_ bytes: [UInt8]) -> String { Hex.lowercase(bytes) }

    private func timerLoop() {
        monitor.lock()
        while state == .open {
            if let start = currentStart {
                let deadline = start &+ memberNanos
                if Monitor.nowNanos() >= deadline {
                    endMemberLocked()
                    continue
                }
                monitor.wait(Cond.timer, untilNanos: deadline)
            } else {
                monitor.wait(Cond.timer)
            }
        }
        liveThreads -= 1
        monitor.broadcast(Cond.progress)
        monitor.unlock()
    }
}
