// DumpContainer/FileDigest: the SHA-256 of a file as it is on disk — for a dump whose writer could
// not finish (disk full, a stopped capture), so that the manifest still fingerprints what is there.
import ByteText
import Crypto

#if canImport(Glibc)
    import Glibc
#endif

public enum FileDigest {
    /// The hex SHA-256 and size of the file at `path`, read in 1 MiB pieces; nil if it cannot be read.
    public static func sha256(path: String) -> (hex: String, bytes: Int64)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var hasher = SHA256()
        var total: Int64 = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            guard case .success(let n) = FileIO.read(fd, into: &chunk) else { return nil }
            if n == 0 { break }
            chunk.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<n])) }
            total += Int64(n)
        }
        return (WriterCore.hex(Array(hasher.finalize())), total)
    }
}
