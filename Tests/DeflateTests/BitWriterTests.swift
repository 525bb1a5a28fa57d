// The encoder's bit writer never writes past its buffer: a full buffer sets `overflowed` (which makes
// `RawDeflater.compress` store the input instead, or give up with nil) and the bytes beyond stay as
// they were.
@testable import Deflate
import Testing

@Suite("DEFLATE bit writer")
struct BitWriterTests {
    @Test("bits go out least significant first; a full buffer overflows without writing past its end")
    func overflow() {
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: 16)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: 0xEE, count: 16)
        var w = BitWriter(base: buffer, capacity: 6)
        w.put(0b101, 3)
        w.put(0x1F, 5)
        w.put(0xABCD, 16)
        w.put(0x1234_5678, 32)  // the first 4 bytes go out
        #expect(!w.overflowed)
        #expect(w.count == 4)
        w.flush()  // 4 more bytes needed, 2 left
        #expect(w.overflowed)
        #expect(w.count == 6)
        #expect(Array(UnsafeBufferPointer(start: buffer, count: 6)) == [0xFD, 0xCD, 0xAB, 0x78, 0x56, 0x34])
        #expect(Array(UnsafeBufferPointer(start: buffer + 6, count: 10)) == [UInt8](repeating: 0xEE, count: 10))

        var stored = BitWriter(base: buffer, capacity: 8)
        stored.put(1, 3)
        stored.alignToByte()
        let bytes: [UInt8] = Array(repeating: 7, count: 20)
        bytes.withUnsafeBytes { stored.putBytes($0) }  // 1 + 20 bytes into 8
        #expect(stored.overflowed)
        #expect(stored.count == 1)
        #expect(Array(UnsafeBufferPointer(start: buffer + 8, count: 8)) == [UInt8](repeating: 0xEE, count: 8))
    }
}
