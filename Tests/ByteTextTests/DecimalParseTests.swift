// ByteTextTests/DecimalParseTests: the one ASCII integer parser (memcached's listings and responses,
// the dump's record lines): digits only, an optional `-` for signed values, no overflow.
import ByteText
import Testing

@Suite struct DecimalParseTests {
    @Test func unsignedAndSignedEdges() {
        func u(_ s: String) -> UInt64? { DecimalText.parseUnsigned(Array(s.utf8)) }
        func i(_ s: String) -> Int64? { DecimalText.parseSigned(Array(s.utf8)) }
        #expect(u("0") == 0 && u("007") == 7 && u("18446744073709551615") == UInt64.max)
        for bad in ["", "-1", "+1", " 1", "1 ", "1a", "18446744073709551616", "000000000000000000001"] { #expect(u(bad) == nil, "\(bad)") }
        #expect(i("-9223372036854775808") == Int64.min && i("9223372036854775807") == Int64.max && i("-0") == 0 && i("-12") == -12)
        for bad in ["", "-", "--1", "+5", "9223372036854775808", "-9223372036854775809", "1-"] { #expect(i(bad) == nil, "\(bad)") }
        // Every value round-trips through the writer.
        for v: Int64 in [0, 1, -1, 42, -4242, Int64.max, Int64.min, 1 << 53, -(1 << 53)] {
            var out: [UInt8] = []
            DecimalText.append(v, to: &out)
            #expect(DecimalText.parseSigned(out) == v)
        }
    }
}
