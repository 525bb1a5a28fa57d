// ByteText/ByteSearch: where a byte string first occurs in a buffer, by the C library's `memmem`
// (glibc's and Darwin's are vectorised two-way searches; Swift's Glibc module does not export it).

@_silgen_name("memmem")
@usableFromInline
func c_memmem(_ haystack: UnsafeRawPointer, _ haystackLength: Int, _ needle: UnsafeRawPointer, _ needleLength: Int) -> UnsafeMutableRawPointer?

public enum ByteSearch {
    /// The offset of the first occurrence of `needle` in `haystack` at or after `from`; nil when there
    /// is none (or `needle` is empty).
    @inlinable
    public static func firstIndex(of needle: UnsafeRawBufferPointer, in haystack: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        guard !needle.isEmpty, from >= 0, from < haystack.count, let h = haystack.baseAddress, let n = needle.baseAddress,
            let hit = c_memmem(h + from, haystack.count - from, n, needle.count)
        else { return nil }
        return UnsafeRawPointer(hit) - h
    }
}
