// DumpContainer/DumpReader: streams the records of a `.mcdump.gz` dump from a file or a descriptor,
// member after member, with memory bounded by the largest record. Any damage — truncation, corrupt
// gzip data, garbage after a member, grammar violations, over-limit lengths — is a positioned
// DumpReadError, never a trap.
#if canImport(Glibc)
    import ByteText
    import Compression
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads records one at a time. `next()` returns nil at a clean end of input: after END for a complete
/// dump, or at a gzip member boundary without END for a cleanly cut one (`sawTrailer` is then false).
/// After an error every further `next()` throws the same error.
public final class DumpReader {
    public let name: String
    public let maxValueBytes: Int
    /// Longest record line accepted (header, stats, item line …).
    public var maxLineBytes = 8 << 20
    /// True once the END record has been read; it is returned only after the rest of the input was
    /// verified (its gzip member ended with a good CRC and nothing follows).
    public private(set) var sawTrailer = false
    /// The header, once read.
    public private(set) var header: DumpHeader?
    /// Format 2: lines of record types this reader does not know, stepped over.
    public private(set) var skippedRecords = 0
    /// Complete gzip members decompressed so far.
    public private(set) var membersRead = 0
    /// Decompressed offset of the next record.
    public var recordOffset: Int64 { recordStart }
    /// Bytes of the file consumed so far (by the decompressor).
    public var compressedOffset: Int64 { bytesRead - Int64(inEnd - inStart) }
    /// Decompressed offset up to which every byte has passed its member's CRC-32/ISIZE check (the end of
    /// the last complete member). A record that ends (`recordOffset` after it was returned) at or before
    /// this offset is verified; one returned before a later `corrupt_gzip` error may not be.
    public private(set) var verifiedOffset: Int64 = 0

    private let fd: Int32
    private let ownsDescriptor: Bool
    private let inflater = GzipInflater(format: .gzip)
    private let inBuf: UnsafeMutableRawBufferPointer
    private var inStart = 0
    private var inEnd = 0
    private var bytesRead: Int64 = 0
    private var eof = false
    private var inMember = false
    private var memberStart: Int64 = 0
    private var lastMemberEnd: Int64 = 0
    private var produced: Int64 = 0
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var scanFrom = 0
    private var recordStart: Int64 = 0
    private var boundaries: [(decompressed: Int64, compressed: Int64)] = []
    private var failure: DumpReadError?
    /// A decompression error met after the failing call still produced output: that output is
    /// parsed first (its records can only be unverified: `verifiedOffset` stays before them), then
    /// this is thrown. zlib's tools recover the same bytes.
    private var deferredFailure: DumpReadError?
    private var ended = false
    private static let chunk = 256 << 10
    private static let maxBoundaries = 4096

    /// Opens `path` for reading (`io` error if it cannot be opened).
    public convenience init(path: String, maxValueBytes: Int = 64 << 20) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw DumpReadError(
                kind: .io, message: "cannot open: \(String(cString: strerror(errno)))", file: path, compressedOffset: nil)
        }
        self.init(fd: fd, owns: true, name: path, maxValueBytes: maxValueBytes)
    }

    /// Reads from an open descriptor (e.g. 0 for stdin), which stays open; `name` is used in errors.
    public convenience init(fileDescriptor: Int32, name: String, maxValueBytes: Int = 64 << 20) {
        self.init(fd: fileDescriptor, owns: false, name: name, maxValueBytes: maxValueBytes)
    }

    private init(fd: Int32, owns: Bool, name: String, maxValueBytes: Int) {
        self.fd = fd
        self.ownsDescriptor = owns
        self.name = name
        self.maxValueBytes = min(max(0, maxValueBytes), 1 << 40)  // keeps length arithmetic far from overflow
        inBuf = .allocate(byteCount: DumpReader.chunk, alignment: 16)
    }

    deinit {
        inBuf.deallocate()
        if ownsDescriptor { _ = close(fd) }
    }

    /// The next record, nil at a clean end of input; throws `DumpReadError`.
    public func next() throws -> DumpRecord? {
        if let failure { throw failure }
        if ended { return nil }
        do throws(DumpReadError) {
            let r = try readRecord()
            if r == nil { ended = true }
            return r
        } catch {
            failure = error
            throw error
        }
    }

    // MARK: - Records

    private func readRecord() throws(DumpReadError) -> DumpRecord? {
        while true {
            if let nl = findNewline() {
                let parsed: ParsedLine
                do throws(LineError) {
                    parsed = try RecordDecoding.parse(pending[pendingStart..<nl], maxValueBytes: maxValueBytes, format: header?.format)
                } catch {
                    throw positioned(header == nil && error.kind == .badRecord ? .badHeader : error.kind, error.message)
                }
                switch parsed {
                case .skipped:
                    consume(through: nl + 1)
                    skippedRecords += 1
                    continue
                case .record(let record):
                    try checkOrder(record)
                    consume(through: nl + 1)
                    if case .end = record {
                        try verifyEndOfInput()
                        sawTrailer = true
                    }
                    return record
                case .itemNeedingValue(var item):
                    try checkOrder(.item(item))
                    let lineBytes = nl + 1 - pendingStart
                    let needed = lineBytes + item.valueLength + 1
                    while pending.count - pendingStart < needed {
                        guard try fill() else {
                            let have = pending.count - pendingStart - lineBytes
                            throw positioned(
                                .truncated, "ITEM declares \(item.valueLength) value bytes; input ends after \(have)")
                        }
                    }
                    // fill() may have compacted `pending`: positions are relative to pendingStart.
                    let vs = pendingStart + lineBytes
                    guard pending[vs + item.valueLength] == 0x0A else {
                        throw positioned(.badRecord, "ITEM value of \(item.valueLength) bytes is not followed by '\\n'")
                    }
                    item.value = Array(pending[vs..<(vs + item.valueLength)])
                    consume(through: vs + item.valueLength + 1)
                    return .item(item)
                }
            }
            if header == nil {
                let have = pending[pendingStart...].prefix(7)
                guard have.elementsEqual(Array("MCDUMP ".utf8).prefix(have.count)) else {
                    throw positioned(.badHeader, "stream does not start with an MCDUMP header line")
                }
            }
            guard pending.count - pendingStart <= maxLineBytes else {
                throw positioned(.badRecord, "record line longer than \(maxLineBytes) bytes")
            }
            guard try fill() else {
                if pending.count > pendingStart {
                    throw positioned(.truncated, "input ends inside a record line (\(pending.count - pendingStart) bytes)")
                }
                if header == nil {
                    if bytesRead == 0 { throw positioned(.truncated, "empty input: no gzip member") }
                    throw positioned(.badHeader, "no MCDUMP header line")
                }
                return nil
            }
        }
    }

    /// END is delivered only when the rest of the input is intact: its member ends cleanly and no byte follows.
    private func verifyEndOfInput() throws(DumpReadError) {
        while pending.count == pendingStart {
            guard try fill() else { return }
        }
        throw positioned(.badRecord, "record after END")
    }

    private func checkOrder(_ record: DumpRecord) throws(DumpReadError) {
        switch record {
        case .header(let h):
            guard header == nil else { throw positioned(.badRecord, "a second MCDUMP header") }
            header = h
        case .end:
            guard header != nil else { throw positioned(.badHeader, "stream does not start with an MCDUMP header line") }
        default:
            guard header != nil else { throw positioned(.badHeader, "stream does not start with an MCDUMP header line") }
        }
    }

    private func findNewline() -> Int? {
        let from = max(scanFrom, pendingStart)
        let end = pending.count
        let found: Int? = pending.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress, from < end else { return nil }
            guard let p = memchr(base + from, 0x0A, end - from) else { return nil }
            return UnsafeRawPointer(base).distance(to: UnsafeRawPointer(p))
        }
        if found == nil { scanFrom = end }
        return found
    }

    private func consume(through index: Int) {
        recordStart += Int64(index - pendingStart)
        pendingStart = index
        scanFrom = index
        while boundaries.count >= 2 && boundaries[1].decompressed <= recordStart { boundaries.removeFirst() }
    }

    private func positioned(_ kind: DumpReadError.Kind, _ message: String) -> DumpReadError {
        while boundaries.count >= 2 && boundaries[1].decompressed <= recordStart { boundaries.removeFirst() }
        return DumpReadError(
            kind: kind, message: message, file: name, compressedOffset: boundaries.first?.compressed ?? memberStart,
            recordOffset: recordStart)
    }

    // MARK: - Decompression

    /// Appends decompressed bytes to `pending`; false at a clean end of input (a member boundary).
    private func fill() throws(DumpReadError) -> Bool {
        if let deferredFailure { throw deferredFailure }
        if pendingStart > 0 && pendingStart >= pending.count / 2 {
            pending.removeSubrange(0..<pendingStart)
            scanFrom -= pendingStart
            pendingStart = 0
        }
        while true {
            if inStart == inEnd && !eof { try readInput() }
            if inStart == inEnd && eof {
                if inMember {
                    throw DumpReadError(
                        kind: .truncated,
                        message: "gzip member starting at byte \(memberStart) is cut off at byte \(bytesRead) (end of input)",
                        file: name, compressedOffset: memberStart, recordOffset: recordStart)
                }
                return false
            }
            if !inMember {
                memberStart = compressedOffset
                inMember = true
                if membersRead > 0 || memberStart > 0 { inflater.reset() }
                if let last = boundaries.last, last.decompressed == produced { boundaries.removeLast() }
                // Many tiny members inside one record: forget the older half at once (positions in errors
                // then name a later member of that record; memory and time stay bounded).
                if boundaries.count >= DumpReader.maxBoundaries { boundaries.removeFirst(boundaries.count / 2) }
                boundaries.append((produced, memberStart))
            }
            let step: GzipInflater.Step
            do throws(ZlibError) {
                step = try inflater.inflate(UnsafeRawBufferPointer(rebasing: inBuf[inStart..<inEnd]), final: eof)
            } catch {
                let failure = gzipError(error)
                let out = inflater.output
                guard out.count > 0 else { throw failure }
                pending.append(contentsOf: out)
                produced += Int64(out.count)
                deferredFailure = failure
                return true
            }
            inStart += step.consumed
            let out = inflater.output
            if out.count > 0 {
                pending.append(contentsOf: out)
                produced += Int64(out.count)
            }
            switch step.status {
            case .streamEnd:
                inMember = false
                membersRead += 1
                verifiedOffset = produced
                lastMemberEnd = compressedOffset
            case .needsInput:
                // The decoder stops short of a symbol or header it cannot see whole: keep the rest.
                try readInput(keepingFrom: inStart)
            case .outputFull:
                break
            }
            if out.count > 0 { return true }
        }
    }

    private func gzipError(_ error: ZlibError) -> DumpReadError {
        if error.kind == .truncated {
            return DumpReadError(
                kind: .truncated,
                message: "gzip member starting at byte \(memberStart) is cut off at byte \(bytesRead) (end of input)",
                file: name, compressedOffset: memberStart, recordOffset: recordStart)
        }
        let afterMember = membersRead > 0 && memberStart == lastMemberEnd && produced == boundaries.last?.decompressed
        let message =
            afterMember && error.kind == .data && error.message.contains("header")
            ? "data after the gzip member ending at byte \(lastMemberEnd) is not a gzip member (\(error.message))"
            : "gzip member starting at byte \(memberStart): \(error.message)"
        return DumpReadError(
            kind: .corruptGzip, message: message, file: name, compressedOffset: memberStart, recordOffset: recordStart)
    }

    /// Reads more input after the unconsumed bytes from `keep` (moved to the front), or from the
    /// start of the buffer. Sets `eof` when there is no more.
    private func readInput(keepingFrom keep: Int? = nil) throws(DumpReadError) {
        let kept = keep.map { inEnd - $0 } ?? 0
        // The decoder keeps back at most a few hundred bytes (a block header), never a whole buffer.
        guard kept < inBuf.count else {
            throw DumpReadError(
                kind: .corruptGzip, message: "decompressor makes no progress", file: name, compressedOffset: memberStart,
                recordOffset: recordStart)
        }
        if let keep, kept > 0, keep > 0, let base = inBuf.baseAddress { memmove(base, base + keep, kept) }
        inStart = 0
        inEnd = kept
        guard let base = inBuf.baseAddress else { return }
        switch FileIO.read(fd, into: base + kept, count: inBuf.count - kept) {
        case .success(let n) where n > 0:
            inEnd = kept + n
            bytesRead += Int64(n)
        case .success:
            eof = true
        case .failure(let f):
            throw DumpReadError(
                kind: .io, message: "read failed: \(f.message)", file: name,
                compressedOffset: bytesRead - Int64(kept), recordOffset: recordStart)
        }
    }
}
