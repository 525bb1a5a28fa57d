// SafePickle/Disassemble: a `pickletools.dis`-like listing (offset, opcode byte, name, argument),
// indented by MARK depth, for debugging. It only reads arguments; it evaluates nothing, and stops
// with a message at the first malformed or truncated opcode.

extension SafePickle {
    public static func disassemble(_ bytes: [UInt8]) -> String {
        var lines: [String] = []
        var pos = 0
        var depth = 0
        func readUInt(_ w: Int) -> UInt64? {
            guard w <= bytes.count - pos else { return nil }
            var v: UInt64 = 0
            for k in stride(from: w - 1, through: 0, by: -1) { v = v << 8 | UInt64(bytes[pos + k]) }
            pos += w
            return v
        }
        func readLine() -> String? {
            guard let nl = bytes[pos...].firstIndex(of: 0x0A) else { return nil }
            let s = String(decoding: bytes[pos..<nl], as: UTF8.self)
            pos = nl + 1
            return s
        }
        func readBytes(_ n: UInt64) -> [UInt8]? {
            guard n <= UInt64(bytes.count - pos) else { return nil }
            let b = Array(bytes[pos..<(pos + Int(n))])
            pos += Int(n)
            return b
        }
        func show(_ b: [UInt8]) -> String {
            var s = ""
            for c in b.prefix(80) {
                if c >= 0x20 && c < 0x7F && c != 0x5C && c != 0x27 {
                    s.append(Character(Unicode.Scalar(c)))
                } else {
                    s += "\\x" + (c < 16 ? "0" : "") + String(c, radix: 16)
                }
            }
            return "'" + s + (b.count > 80 ? "'…" : "'")
        }
        while pos < bytes.count {
            let start = pos
            let byte = bytes[pos]
            pos += 1
            guard let op = Opcode(rawValue: byte) else {
                lines.append("\(pad(start)): 0x\(String(byte, radix: 16)) <unknown opcode>")
                break
            }
            var arg: String? = ""
            switch op.argKind {
            case .none: arg = ""
            case .uint1, .uint2, .uint4, .uint8:
                let w = [PickleArgKind.uint1: 1, .uint2: 2, .uint4: 4, .uint8: 8][op.argKind] ?? 1
                arg = readUInt(w).map { String($0) }
            case .int4: arg = readUInt(4).map { String(Int32(truncatingIfNeeded: $0)) }
            case .float8: arg = readUInt(8).map { String(Double(bitPattern: $0)) }
            case .decimalnlShort, .decimalnlLong, .stringnl, .stringnlNoescape, .unicodestringnl, .floatnl:
                arg = readLine()
            case .stringnlNoescapePair:
                if let m = readLine(), let n = readLine() { arg = m + " " + n } else { arg = nil }
            case .long1, .long4, .string1, .string4, .bytes1, .bytes4, .bytes8, .unicodestring1, .unicodestring4,
                .unicodestring8, .bytearray8:
                let w: Int
                switch op.argKind {
                case .long1, .string1, .bytes1, .unicodestring1: w = 1
                case .bytes8, .unicodestring8, .bytearray8: w = 8
                default: w = 4
                }
                if let n = readUInt(w) {
                    let signed = w == 4 && (op.argKind == .string4 || op.argKind == .long4) && n & 0x8000_0000 != 0
                    arg = signed ? nil : readBytes(n).map { show($0) }
                } else {
                    arg = nil
                }
            }
            if op == .MARK { depth += 1 }
            let code = byte >= 0x20 && byte < 0x7F ? String(Character(Unicode.Scalar(byte))) : "\\x" + String(byte, radix: 16)
            let indent = String(repeating: " ", count: min(depth, 40))
            guard let a = arg else {
                lines.append("\(pad(start)): \(code.padding(4)) \(indent)\(op.name) <truncated or bad argument>")
                break
            }
            lines.append("\(pad(start)): \(code.padding(4)) \(indent)\(op.name.padding(16))\(a.isEmpty ? "" : " " + a)")
            if [.LIST, .TUPLE, .DICT, .APPENDS, .SETITEMS, .ADDITEMS, .FROZENSET, .POP_MARK, .INST, .OBJ].contains(op) {
                depth = max(0, depth - 1)
            }
            if op == .STOP {
                lines.append("highest protocol among opcodes = \(highestProtocol(bytes[0..<pos]))")
                break
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func pad(_ n: Int) -> String {
        let s = String(n)
        return String(repeating: " ", count: max(0, 5 - s.count)) + s
    }

    static func highestProtocol(_ b: ArraySlice<UInt8>) -> Int {
        // Coarse: the PROTO header if present, else 0/1 by presence of binary opcodes.
        if b.count >= 2, b.first == Opcode.PROTO.rawValue, let v = b.dropFirst().first { return Int(v) }
        return 0
    }
}

extension String {
    fileprivate func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
