// ByteTextTests/FileIOTests: the one way to read and write a descriptor — whole writes through a pipe
// a reader drains concurrently, positioned reads and writes, end of file, and a failure that names
// its errno.
import ByteText
import Foundation
import Testing

@Suite struct FileIOTests {
    @Test func aWholeBufferGoesThroughAPipeAndComesBackTheSame() throws {
        var fds: [Int32] = [0, 0]
        #expect(pipe(&fds) == 0)
        let payload = (0..<(3 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let readEnd = fds[0], writeEnd = fds[1]
        let reader = Thread {
            // Reads until end of file, in reads of at most 100,000 bytes.
            var got: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 100_000)
            while case .success(let n) = FileIO.read(readEnd, into: &chunk), n > 0 { got += chunk[0..<n] }
            close(readEnd)
            ReadBack.shared.set(got)
        }
        reader.start()
        let (written, failure) = payload.withUnsafeBytes { FileIO.writeAll(writeEnd, $0) }
        close(writeEnd)
        #expect(failure == nil && written == payload.count)
        let back = ReadBack.shared.wait()
        #expect(back == payload)
    }

    @Test func positionedReadsAndWritesAndEndOfFile() throws {
        let path = NSTemporaryDirectory() + "fileio-\(UUID().uuidString)"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        #expect(fd >= 0)
        defer { close(fd); unlink(path) }
        #expect(Array("0123456789".utf8).withUnsafeBytes { FileIO.writeAll(fd, $0) }.failure == nil)
        #expect(Array("AB".utf8).withUnsafeBytes { FileIO.writeAll(fd, $0, at: 4) }.failure == nil)
        var buf = [UInt8](repeating: 0, count: 6)
        #expect(FileIO.read(fd, into: &buf, at: 2) == .success(6))
        #expect(String(decoding: buf, as: UTF8.self) == "23AB67")
        #expect(FileIO.read(fd, into: &buf, at: 10) == .success(0))  // end of file
    }

    @Test func aFailureNamesItsErrno() {
        var buf = [UInt8](repeating: 0, count: 8)
        guard case .failure(let f) = FileIO.read(-1, into: &buf) else {
            Issue.record("reading fd -1 succeeded")
            return
        }
        #expect(f.errno == EBADF && f.message == String(cString: strerror(EBADF)))
        let w = Array("x".utf8).withUnsafeBytes { FileIO.writeAll(-1, $0) }
        #expect(w.written == 0 && w.failure?.errno == EBADF)
    }
}

/// The reader thread's result, handed over once.
final class ReadBack: @unchecked Sendable {
    static let shared = ReadBack()
    private let done = NSCondition()
    private var bytes: [UInt8]?

    func set(_ b: [UInt8]) {
        done.lock(); bytes = b; done.signal(); done.unlock()
    }

    func wait() -> [UInt8] {
        done.lock(); defer { bytes = nil; done.unlock() }
        while bytes == nil { done.wait() }
        return bytes!
    }
}
