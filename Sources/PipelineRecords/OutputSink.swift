// PipelineRecords/OutputSink: buffered writes of record bytes to a file descriptor (stdout or a
// temporary output file). A reader that goes away (EPIPE) is not an error: the sink goes quiet and
// reports `readerClosed`, and the stage exits 0 (README, "Exit statuses").
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
import ByteText
import JSONText

/// A write failure other than the reader closing the pipe.
public struct OutputError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var errno: Int32
    public init(message: String, errno: Int32) {
        self.message = message
        self.errno = errno
    }
    public var description: String { message }
}

public final class OutputSink {
    public let fd: Int32
    public let name: String
    /// True once a write failed with EPIPE (the reader closed early); later writes are dropped.
    public private(set) var readerClosed = false
    /// Bytes handed to the descriptor so far.
    public private(set) var bytesWritten: Int64 = 0

    /// Makes SIGPIPE harmless for the process, so a closed stdout shows up as EPIPE. Call once at start.
    public static func ignoreSIGPIPE() { signal(SIGPIPE, SIG_IGN) }

    public init(fd: Int32, name: String = "stdout") {
        self.fd = fd
        self.name = name
        OutputSink.widenPipe(fd)
    }

    /// Asks for a 1 MiB kernel buffer when `fd` is a pipe (Linux; 64 KiB by default): the stages of
    /// `decode | attribute | report` then hand each other whole blocks with few wake-ups. Best effort.
    public static func widenPipe(_ fd: Int32) {
        #if os(Linux)
            var st = stat()
            if fstat(fd, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO { _ = fcntl(fd, 1031 /* F_SETPIPE_SZ */, Int32(1 << 20)) }
        #endif
    }

    /// Writes all of `bytes` (ByteText.FileIO: short writes continued, EINTR retried). A reader that
    /// went away (EPIPE) quiets the sink.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(OutputError) {
        guard !readerClosed, !bytes.isEmpty else { return }
        let (written, failure) = FileIO.writeAll(fd, bytes)
        bytesWritten += Int64(written)
        guard let failure else { return }
        if failure.errno == EPIPE {
            readerClosed = true
            return
        }
        throw OutputError(message: "cannot write to \(name): \(failure.message)", errno: failure.errno)
    }

    public func write(_ bytes: [UInt8]) throws(OutputError) {
        var failure: OutputError?
        bytes.withUnsafeBytes { p in
            do throws(OutputError) { try write(p) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Writes the writer's complete lines and clears it.
    public func drain(_ writer: inout NDJSONWriter) throws(OutputError) {
        try write(writer.buffer)
        writer.clear()
    }
}
