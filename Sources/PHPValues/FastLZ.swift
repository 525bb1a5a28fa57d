// PHPValues/FastLZ: FastLZ level 1 and level 2 decompression (php-memcached's bundled fastlz.c,
// ECOSYSTEMS §6) with every input read and every match distance checked, the output capped at the
// expected length (php-memcached's 4-byte prefix) and required to equal it.

/// FastLZ decompression (docs/php-values.md).
public enum FastLZ {
    /// Decompresses a FastLZ block whose output must be exactly `expectedCount` bytes. Errors:
    /// `truncated` (a literal run, match length or distance byte past the end), `ref_error` (a match
    /// reaching before the start of the output), `bad_argument` (a level other than 1 or 2; output longer
    /// or shorter than `expectedCount`). Offsets are inside `input`.
    public static func decompress(_ input: UnsafeRawBufferPointer, expectedCount: Int) throws(PHPValueError) -> [UInt8] {
        guard expectedCount >= 0 else { throw PHPValueError(.badArgument, "negative expected length", offset: 0) }
        if input.isEmpty {
            guard expectedCount == 0 else { throw PHPValueError(.truncated, "empty FastLZ block, \(expectedCount) bytes expected", offset: 0) }
            return []
        }
        let level = Int(input[0] >> 5) + 1
        guard level == 1 || level == 2 else { throw PHPValueError(.badArgument, "FastLZ level \(level) (only 1 and 2 exist)", offset: 0) }
        var out = [UInt8]()
        out.reserveCapacity(expectedCount)
        let n = input.count
        var ip = 1
        var ctrl = Int(input[0] & 31)
        var opcodeAt = 0
        func tooLong(_ at: Int) -> PHPValueError {
            PHPValueError(.badArgument, "FastLZ output longer than the \(expectedCount) bytes expected", offset: at)
        }
        while true {
            if ctrl < 32 {
                let run = ctrl + 1
                guard n - ip >= run else { throw PHPValueError(.truncated, "literal run of \(run) bytes runs past the input", offset: opcodeAt) }
                guard out.count + run <= expectedCount else { throw tooLong(opcodeAt) }
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: input[ip..<ip + run]))
                ip += run
            } else {
                var len = (ctrl >> 5) - 1
                var ofs = (ctrl & 31) << 8
                if len == 6 {
                    if level == 1 {
                        guard ip < n else { throw PHPValueError(.truncated, "match length byte past the input", offset: ip) }
                        len += Int(input[ip])
                        ip += 1
                    } else {
                        while true {
                            guard ip < n else { throw PHPValueError(.truncated, "match length byte past the input", offset: ip) }
                            let code = Int(input[ip])
                            ip += 1
                            len += code
                            if code != 255 { break }
                            guard len <= expectedCount else { throw tooLong(opcodeAt) }
                        }
                    }
                }
                guard ip < n else { throw PHPValueError(.truncated, "match distance byte past the input", offset: ip) }
                let code = Int(input[ip])
                ip += 1
                var distance = ofs + code + 1
                if level == 2 && code == 255 && ofs == 31 << 8 {
                    guard n - ip >= 2 else { throw PHPValueError(.truncated, "16-bit match distance past the input", offset: ip) }
                    ofs = Int(input[ip]) << 8 | Int(input[ip + 1])
                    ip += 2
                    distance = ofs + 8191 + 1
                }
                let count = len + 3
                guard distance <= out.count else {
                    throw PHPValueError(.refError, "match distance \(distance) reaches before the \(out.count) bytes written", offset: opcodeAt)
                }
                guard out.count + count <= expectedCount else { throw tooLong(opcodeAt) }
                var from = out.count - distance
                for _ in 0..<count {  // byte by byte: the source may overlap what is being written
                    out.append(out[from])
                    from += 1
                }
            }
            guard ip < n else { break }
            opcodeAt = ip
            ctrl = Int(input[ip])
            ip += 1
        }
        guard out.count == expectedCount else {
            throw PHPValueError(.badArgument, "FastLZ output is \(out.count) bytes, \(expectedCount) expected", offset: n)
        }
        return out
    }

    /// `decompress` of an array of bytes.
    public static func decompress(_ input: [UInt8], expectedCount: Int) throws(PHPValueError) -> [UInt8] {
        let r: Result<[UInt8], PHPValueError> = input.withUnsafeBytes { p in
            do throws(PHPValueError) {
                return .success(try decompress(p, expectedCount: expectedCount))
            } catch {
                return .failure(error)
            }
        }
        return try r.get()
    }
}
