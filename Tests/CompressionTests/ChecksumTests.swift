// CompressionTests/ChecksumTests: ISA-L's CRC-32 is zlib's (and so python-memcached's binascii.crc32,
// which its server hash uses), whole and continued over pieces; Adler-32 likewise.
import Compression
import CZlib
import Testing
import TestSupport

@Suite struct ChecksumTests {
    @Test func crc32AndAdler32AreZlibsWholeAndInPieces() {
        var rng = SplitMix64(seed: 9)
        for n in [0, 1, 2, 3, 7, 8, 15, 16, 63, 64, 65, 255, 1000, 4096, 65_537, 300_001] {
            let bytes = (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let zlibCRC = bytes.withUnsafeBufferPointer { UInt32(CZlib.crc32(0, $0.baseAddress, uInt($0.count))) }
            let zlibAdler = bytes.withUnsafeBufferPointer { UInt32(CZlib.adler32(1, $0.baseAddress, uInt($0.count))) }
            #expect(bytes.withUnsafeBytes { Checksum.crc32($0) } == zlibCRC, "crc32 of \(n) bytes")
            for kind in [Checksum.Kind.crc32, .adler32] {
                var running = Checksum.initial(kind)
                var at = 0
                while at < n {
                    let k = min(n - at, Int.random(in: 1...5000, using: &rng))
                    running = bytes.withUnsafeBytes { Checksum.update(kind, running, UnsafeRawBufferPointer(rebasing: $0[at..<(at + k)])) }
                    at += k
                }
                #expect(running == (kind == .crc32 ? zlibCRC : zlibAdler), "\(kind) of \(n) bytes in pieces")
            }
        }
        // The check value of the CRC-32 catalogue: "123456789" → cbf43926.
        #expect(Array("123456789".utf8).withUnsafeBytes { Checksum.crc32($0) } == 0xCBF4_3926)
    }
}
