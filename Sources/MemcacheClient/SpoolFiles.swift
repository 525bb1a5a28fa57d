// MemcacheClient/SpoolFiles: the scratch files of a listing (metadump spools, fingerprint runs) —
// created already unlinked, written and read whole at given offsets (through ByteText.FileIO).

#if canImport(Glibc)
    import ByteText
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

enum SpoolFiles {
    /// A new file in `directory`, already unlinked: it disappears when its descriptor is closed.
    static func unlinkedTemporary(in directory: String, prefix: String, what: String) throws -> Int32 {
        var template = Array((directory + "/" + prefix + "-XXXXXX").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw MemcacheClientError.spoolFailed("cannot create a \(what) in \(directory): \(String(cString: strerror(errno)))")
        }
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return fd
    }

    /// Writes all of `raw` at `offset`.
    static func write(_ fd: Int32, _ raw: UnsafeRawBufferPointer, at offset: Int64, what: String) throws {
        if let f = FileIO.writeAll(fd, raw, at: offset).failure {
            throw MemcacheClientError.spoolFailed("\(what) write failed: \(f.message)")
        }
    }

    /// Fills all of `raw` from `offset`; a file that ends first is an error.
    static func read(_ fd: Int32, into raw: UnsafeMutableRawBufferPointer, at offset: Int64, what: String) throws {
        guard let base = raw.baseAddress else { return }
        var done = 0
        while done < raw.count {
            switch FileIO.read(fd, into: base + done, count: raw.count - done, at: offset + Int64(done)) {
            case .success(let n) where n > 0: done += n
            case .success: throw MemcacheClientError.spoolFailed("cannot read the \(what): unexpected end")
            case .failure(let f): throw MemcacheClientError.spoolFailed("cannot read the \(what): \(f.message)")
            }
        }
    }
}
