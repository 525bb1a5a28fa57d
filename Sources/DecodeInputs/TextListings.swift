// DecodeInputs/TextListings: the text inputs operators already have — a raw `get`/`gets` response capture
// (`VALUE <key> <flags> <bytes> [<cas>]` blocks ended by `END`), an `lru_crawler metadump` listing
// (`key=… exp=… la=… cas=… fetch=… cls=… size=…`) and a `stats cachedump` listing
// (`ITEM <key> [<n> b; <t> s]`). A bad line becomes a positioned failure and reading goes on.
import ByteText
import DumpContainer
import PipelineRecords

public enum TextListings {
    public typealias Emit = (InputEvent) -> Bool

    /// Reads a `get`/`gets` response capture.
    public static func readGetCapture(_ r: ByteReader, emit: Emit) throws(ByteReadError) {
        var lastWasEnd = false
        // Once a data block's length disagreed with its framing, the capture is never called complete.
        var framingBroken = false
        while let line = try r.nextLine() {
            let lineOffset = r.offset - Int64(line.count) - 1
            if line.isEmpty { continue }
            if line.elementsEqual("END".utf8) {
                lastWasEnd = true
                continue
            }
            lastWasEnd = false
            let fields = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: true)
            guard fields.count == 4 || fields.count == 5, fields[0].elementsEqual("VALUE".utf8),
                let flags = UInt32(ascii: fields[2]), let n = Int(ascii: fields[3]), n >= 0
            else {
                if !emit(.failure(InputFailure(kind: "bad_line", message: "not a VALUE line: \(preview(line))", offset: lineOffset, fatal: false))) { return }
                continue
            }
            var item = RawItem(key: Array(fields[1]))
            item.flags = flags
            item.valueLength = n
            if fields.count == 5 {
                guard let cas = UInt64(ascii: fields[4]) else {
                    if !emit(.failure(InputFailure(kind: "bad_line", message: "bad cas in: \(preview(line))", offset: lineOffset, fatal: false))) { return }
                    continue
                }
                item.cas = cas
            }
            let data: [UInt8]
            do throws(ByteReadError) {
                data = try r.read(count: n)
            } catch {
                _ = emit(.failure(InputFailure(kind: "truncated", message: "value of \(preview(fields[1])) cut short", offset: error.offset, fatal: false)))
                return
            }
            // The data block must end in \r\n exactly where its length says; otherwise the length
            // and the data disagree and the value is not to be trusted: withheld, and reported.
            let after = r.offset
            guard try r.peek(2).elementsEqual([0x0D, 0x0A]) else {
                framingBroken = true
                let message = "value of \(preview(fields[1])): the \(n)-byte data block is not followed by CRLF (its length does not match the data); item withheld"
                if !emit(.failure(InputFailure(kind: "bad_framing", message: message, offset: after, fatal: false))) { return }
                continue
            }
            _ = try r.read(count: 2)
            item.value = data
            if !emit(.item(item)) { return }
        }
        if lastWasEnd && !framingBroken { _ = emit(.listingComplete) }
    }

    /// Reads `lru_crawler metadump` output (URI-encoded keys, `\n` line ends, optional `OK`, final `END`).
    public static func readMetadump(_ r: ByteReader, emit: Emit) throws(ByteReadError) {
        var lastWasEnd = false
        while let line = try r.nextLine() {
            let lineOffset = r.offset - Int64(line.count) - 1
            if line.isEmpty || line.elementsEqual("OK".utf8) { continue }
            if line.elementsEqual("END".utf8) { lastWasEnd = true; continue }
            lastWasEnd = false
            guard let item = parseMetadumpLine(line) else {
                if !emit(.failure(InputFailure(kind: "bad_line", message: "not a metadump line: \(preview(line))", offset: lineOffset, fatal: false))) { return }
                continue
            }
            if !emit(.item(item)) { return }
        }
        if lastWasEnd { _ = emit(.listingComplete) }
    }

    static func parseMetadumpLine(_ line: ArraySlice<UInt8>) -> RawItem? {
        var item: RawItem?
        var fields: [(Substring, Substring)] = []
        for token in line.split(separator: UInt8(ascii: " ")) {
            guard let eq = token.firstIndex(of: UInt8(ascii: "=")) else { return nil }
            fields.append((Substring(decoding: token[token.startIndex..<eq], as: UTF8.self), Substring(decoding: token[(eq + 1)...], as: UTF8.self)))
        }
        guard let keyField = fields.first(where: { $0.0 == "key" }), let key = PercentEncoding.decodeStrict(keyField.1.utf8), !key.isEmpty else { return nil }
        item = RawItem(key: key)
        for (name, value) in fields {
            switch name {
            case "exp":
                guard let v = Int64(value) else { return nil }
                item?.exp = v < 0 ? .never : .at(v)
            case "la": guard let v = Int64(value) else { return nil }; item?.lastAccess = v
            case "cas": guard let v = UInt64(value) else { return nil }; item?.cas = v
            case "fetch":
                guard value == "yes" || value == "no" else { return nil }
                item?.fetched = value == "yes"
            case "cls": guard let v = Int(value) else { return nil }; item?.slabClass = v
            case "size": guard let v = Int(value) else { return nil }; item?.totalSize = v
            case "flags": guard let v = UInt32(value) else { return nil }; item?.flags = v
            default: break  // fields of later versions (ext_page, …) are ignored
            }
        }
        return item
    }

    /// Reads `stats cachedump` output (one or several classes, each ended by `END`).
    public static func readCachedump(_ r: ByteReader, emit: Emit) throws(ByteReadError) {
        var lastWasEnd = false
        while let line = try r.nextLine() {
            let lineOffset = r.offset - Int64(line.count) - 1
            if line.isEmpty { continue }
            if line.elementsEqual("END".utf8) { lastWasEnd = true; continue }
            lastWasEnd = false
            guard let item = parseCachedumpLine(line) else {
                if !emit(.failure(InputFailure(kind: "bad_line", message: "not a cachedump line: \(preview(line))", offset: lineOffset, fatal: false))) { return }
                continue
            }
            if !emit(.item(item)) { return }
        }
        if lastWasEnd { _ = emit(.listingComplete) }
    }

    /// `ITEM <key> [<bytes> b; <time> s]`; time 0 means no expiry.
    static func parseCachedumpLine(_ line: ArraySlice<UInt8>) -> RawItem? {
        guard line.starts(with: "ITEM ".utf8), let open = line.lastIndex(of: UInt8(ascii: "[")), line.last == UInt8(ascii: "]") else { return nil }
        let keyEnd = open - 1
        let keyStart = line.startIndex + 5
        guard keyEnd > keyStart, line[keyEnd] == UInt8(ascii: " ") else { return nil }
        let inner = String(decoding: line[(open + 1)..<(line.endIndex - 1)], as: UTF8.self)
        let parts = inner.split(separator: " ")
        guard parts.count == 4, parts[1] == "b;", parts[3] == "s", let n = Int(parts[0]), let t = Int64(parts[2]) else { return nil }
        var item = RawItem(key: Array(line[keyStart..<keyEnd]), exp: t == 0 ? .never : .at(t))
        item.valueLength = n
        return item
    }

    static func preview<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let head = Array(bytes.prefix(80))
        var s = ""
        for b in head { s += (b >= 0x20 && b < 0x7F) ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16) }
        return bytes.count > 80 ? s + "…" : s
    }
}

extension FixedWidthInteger {
    /// Parses ASCII decimal digits (optional leading `-` for signed types); nil otherwise.
    init?<C: Collection>(ascii: C) where C.Element == UInt8 {
        self.init(String(decoding: ascii, as: UTF8.self), radix: 10)
    }
}
