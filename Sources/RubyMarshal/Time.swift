// RubyMarshal/Time: Ruby's `Time#_dump` (8 packed bytes, UTC broken down, plus the `offset`, `zone`,
// `nano_num`/`nano_den` and `submicro` ivars) → an ISO 8601 text with nanoseconds and the offset.
// Anything this does not fully understand returns nil, and the Time stays a `$dump`.

enum RubyTime {
    struct Text {
        var iso: [UInt8]
        var zone: ByteRange?
    }

    /// The text of a dumped Time, or nil (legacy layout, a `year` ivar, unknown ivars, odd values).
    static func text(_ data: UnsafeRawBufferPointer, ivars: [Int32], graph: MarshalGraph) -> Text? {
        guard data.count == 8 else { return nil }
        let p = data.loadUnaligned(fromByteOffset: 0, as: UInt32.self).littleEndian
        let s = data.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian
        guard p >> 31 == 1 else { return nil }
        let utc = (p >> 30) & 1 == 1
        let year = Int64((p >> 14) & 0xFFFF) + 1900
        let month = Int64((p >> 10) & 0xF) + 1
        let day = Int64((p >> 5) & 0x1F)
        let hour = Int64(p & 0x1F)
        let minute = Int64((s >> 26) & 0x3F)
        let second = Int64((s >> 20) & 0x3F)
        let usec = Int64(s & 0xFFFFF)
        guard month <= 12, day >= 1, day <= 31, hour < 24, minute < 60, second < 60, usec < 1_000_000 else { return nil }

        var offset: Int64?
        var zone: ByteRange?
        var nanoNum: Int64?
        var nanoDen: Int64?
        var submicro: ByteRange?
        var i = 0
        while i + 1 < ivars.count {
            let name = graph.symbolBytes(ivars[i])
            let v = graph.nodes[Int(graph.resolved(ivars[i + 1]))]
            i += 2
            switch (String(decoding: name, as: UTF8.self), v) {
            case ("offset", .fixnum(let n)): offset = n
            case ("zone", .string(let r)): zone = r
            case ("zone", .nilValue): zone = nil
            case ("nano_num", .fixnum(let n)): nanoNum = n
            case ("nano_den", .fixnum(let n)): nanoDen = n
            case ("submicro", .string(let r)): submicro = r
            default: return nil
            }
        }
        var nsec = usec * 1000
        if let num = nanoNum {
            let den = nanoDen ?? 1
            guard den > 0, num >= 0, num % den == 0, num / den < 1000 else { return nil }
            nsec += num / den
        } else if let sub = submicro {
            let b = graph.bytes(sub)
            guard b.count >= 1 else { return nil }
            let digits = [b[0] >> 4, b[0] & 15] + (b.count >= 2 ? [b[1] >> 4] : [0])
            guard digits.allSatisfy({ $0 < 10 }) else { return nil }
            nsec += Int64(digits[0]) * 100 + Int64(digits[1]) * 10 + Int64(digits[2])
        }
        guard day <= daysIn(month: month, year: year) else { return nil }
        if !utc {
            guard let off = offset, off.magnitude < 86_400 else { return nil }
        }
        let shift = utc ? 0 : offset ?? 0
        // Local wall clock = UTC + offset.
        var seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second + shift
        let days = floorDiv(seconds, 86_400)
        seconds -= days * 86_400
        let (y, m, d) = civil(fromDays: days)
        guard y >= 0, y <= 99_999 else { return nil }
        var out: [UInt8] = []
        out += padded(y, 4) + [UInt8(ascii: "-")] + padded(m, 2) + [UInt8(ascii: "-")] + padded(d, 2)
        out += [UInt8(ascii: "T")] + padded(seconds / 3600, 2) + [UInt8(ascii: ":")] + padded(seconds / 60 % 60, 2)
        out += [UInt8(ascii: ":")] + padded(seconds % 60, 2) + [UInt8(ascii: ".")] + padded(nsec, 9)
        if utc {
            out.append(UInt8(ascii: "Z"))
        } else {
            let off = offset ?? 0
            out.append(off < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let a = off.magnitude
            out += padded(Int64(a / 3600), 2) + [UInt8(ascii: ":")] + padded(Int64(a / 60 % 60), 2)
            if a % 60 != 0 { out += [UInt8(ascii: ":")] + padded(Int64(a % 60), 2) }
        }
        return Text(iso: out, zone: zone)
    }

    static func padded(_ v: Int64, _ width: Int) -> [UInt8] {
        let s = Array(String(v).utf8)
        return s.count >= width ? s : [UInt8](repeating: UInt8(ascii: "0"), count: width - s.count) + s
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    static func isLeap(_ y: Int64) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int64, _ m: Int64, _ d: Int64) -> Int64 {
        let y = m <= 2 ? y0 - 1 : y0
        let era = floorDiv(y, 400)
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719_468
        let era = floorDiv(z, 146_097)
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
