// PipelineRecordsTests/DecimalTextTests: ByteText's decimal digits — the appending and the
// pointer-writing forms — against Swift's own `description` at every digit-count boundary.
import ByteText
import Testing
import TestSupport

@Suite("Decimal text")
struct DecimalTextTests {
    /// 0, 1, 9, 10, 11, 99, 100, … up to the 20-digit UInt64.max, plus seeded random values.
    static func unsignedSamples() -> [UInt64] {
        var values: [UInt64] = [0, 1, UInt64.max, UInt64.max - 1]
        var p: UInt64 = 10
        for _ in 1...19 {
            values += [p - 1, p, p + 1]
            p = p &* 10
        }
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 { values.append(rng.next() >> UInt64.random(in: 0...63, using: &rng)) }
        return values
    }

    @Test("write and append give Swift's digits for unsigned values of every length")
    func unsignedDigits() {
        var buffer = [UInt8](repeating: 0xAA, count: DecimalText.maxBytes + 1)
        for v in Self.unsignedSamples() {
            let n = buffer.withUnsafeMutableBufferPointer { DecimalText.write(v, to: $0.baseAddress!) }
            #expect(Array(buffer[0..<n]) == Array(v.description.utf8), "\(v)")
            #expect(buffer[DecimalText.maxBytes] == 0xAA, "wrote past maxBytes for \(v)")
            var appended: [UInt8] = [0x41]
            DecimalText.append(v, to: &appended)
            #expect(appended == [0x41] + Array(v.description.utf8))
        }
    }

    @Test("write and append give Swift's digits for signed values, Int64.min included")
    func signedDigits() {
        var samples: [Int64] = [Int64.min, Int64.min + 1, Int64.max, -1, 0, -10, -9]
        for u in Self.unsignedSamples() { samples.append(Int64(bitPattern: u)) }
        var buffer = [UInt8](repeating: 0xAA, count: DecimalText.maxBytes + 1)
        for v in samples {
            let n = buffer.withUnsafeMutableBufferPointer { DecimalText.write(v, to: $0.baseAddress!) }
            #expect(Array(buffer[0..<n]) == Array(v.description.utf8), "\(v)")
            #expect(buffer[DecimalText.maxBytes] == 0xAA, "wrote past maxBytes for \(v)")
            var appended: [UInt8] = []
            DecimalText.append(v, to: &appended)
            #expect(appended == Array(v.description.utf8))
        }
    }
}
