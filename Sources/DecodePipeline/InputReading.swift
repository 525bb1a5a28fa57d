// DecodePipeline/InputReading: the reading thread — opens each input in order, detects its format, hashes
// its bytes (a side thread for files, a pump through a pipe for stdin) and turns it into InputEvents
// in batches for the decoding thread.
import ByteText
import DecodeInputs
import Crypto
import DumpContainer
import Foundation
import LineBlocks
import PipelineRecords

/// SHA-256 of an input, computed beside the main reading (its own descriptor, or the stdin pump).
final class InputHash: @unchecked Sendable {
    private let done = DoneSignal()
    private var digest: String?

    func finish(_ d: String?) {
        digest = d
        done.signal()
    }

    func wait() -> String? {
        done.wait()
        return digest
    }

    static func hex(_ d: SHA256.Digest) -> String { d.withUnsafeBytes { Hex.lowercase($0) } }

    /// Hashes the file at `path` on a new thread.
    static func ofFile(_ path: String) -> InputHash {
        let h = InputHash()
        Thread.detachNewThread {
            let fd = open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { h.finish(nil); return }
            defer { close(fd) }
            var hasher = SHA256()
            var buf = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                guard case .success(let n) = FileIO.read(fd, into: &buf) else { h.finish(nil); return }
                if n == 0 { break }
                buf.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            }
            h.finish(hex(hasher.finalize()))
        }
        return h
    }
}

/// Reads the inputs one after another and pushes their events, batched, into `queue`.
struct InputReader {
    let inputs: [String]
    let forcedFormat: InputFormat
    /// Receives each batch in order with its raw value bytes; returns false when the consumer has stopped.
    let push: ([InputEvent], Int) -> Bool
    static let batchItems = 256
    static let batchBytes = 1 << 20

    func run() {
        for name in inputs {
            var batch: [InputEvent] = []
            var bytes = 0
            var stopped = false
            let emit: (InputEvent) -> Bool = { event in
                if stopped { return false }
                batch.append(event)
                if case .item(let it) = event { bytes += it.value?.count ?? 0 }
                if batch.count >= InputReader.batchItems || bytes >= InputReader.batchBytes {
                    stopped = !push(batch, bytes)
                    batch = []
                    bytes = 0
                }
                return !stopped
            }
            readOne(name, emit: emit)
            if !stopped { stopped = !push(batch, bytes) }
            if stopped { return }
        }
    }

    private func readOne(_ name: String, emit: (InputEvent) -> Bool) {
        let opened: OpenedInput
        switch OpenedInput.open(name, forced: forcedFormat) {
        case .success(let o): opened = o
        case .failure(let f):
            _ = emit(.begin(file: name, format: forcedFormat))
            _ = emit(.failure(f))
            _ = emit(.finished(sha256: nil))
            return
        }
        _ = emit(.begin(file: name, format: opened.format))
        switch opened.format {
        case .mcdump, .auto:
            readDump(opened, emit: emit)
        case .nc, .metadump, .cachedump:
            let r = ByteReader(fd: opened.fd, name: name, maxLineBytes: 1 << 20)
            do throws(ByteReadError) {
                switch opened.format {
                case .nc: try TextListings.readGetCapture(r, emit: emit)
                case .metadump: try TextListings.readMetadump(r, emit: emit)
                default: try TextListings.readCachedump(r, emit: emit)
                }
            } catch {
                _ = emit(.failure(InputFailure(kind: error.kind.rawValue, message: error.message, offset: error.offset, fatal: false)))
            }
        }
        opened.close()
        _ = emit(.finished(sha256: opened.hash.wait()))
    }

    private func readDump(_ opened: OpenedInput, emit: (InputEvent) -> Bool) {
        // Records are released once their gzip member's CRC-32 and length checked out; those of a
        // member that fails come flagged (items, misses) or withheld (stats, notes), then the error.
        let reader = VerifyingReader(DumpReader(fileDescriptor: opened.fd, name: opened.name))
        while true {
            let checked: CheckedRecord?
            do {
                checked = try reader.next()
            } catch let e as DumpReadError {
                let fatal = reader.header == nil
                _ = emit(
                    .failure(InputFailure(kind: e.kind.rawValue, message: e.message, offset: e.compressedOffset, recordOffset: e.recordOffset, fatal: fatal)))
                return
            } catch {
                _ = emit(.failure(InputFailure(kind: "io", message: "\(error)", offset: nil, fatal: reader.header == nil)))
                return
            }
            guard let checked else { return }
            let flag = checked.unverified
            let ok: Bool
            switch checked.record {
            case .header(let h): ok = emit(.header(h))
            case .stats(let s): ok = emit(flag == nil ? .stats(s) : .withheld)
            case .item(let i): ok = emit(.item(RawItem(i, unverified: flag)))
            case .miss(let m): ok = emit(.miss(m, unverified: flag))
            case .note(let n): ok = emit(flag == nil ? .note(n) : .withheld)
            case .event(let line): ok = emit(flag == nil ? .event(line) : .withheld)
            case .watch(let w): ok = emit(flag == nil ? .watch(w) : .withheld)
            case .end(let t): ok = emit(.end(t))
            }
            if !ok { return }
        }
    }
}
