// DecodeInputs/TextListings: the text inputs operators already have — a raw `get`/`gets` response capture
// (`VALUE <key> <flags> <bytes> [<cas>]` blocks ended by `END`), an `lru_crawler metadump` listing
// (`key=… exp=… la=… cas=… fetch=… cls=… size=…`) and a `stats cachedump` listing
// (`ITEM <key> [<n> b; <t> s]`). Lines are parsed by MemcacheProtocol's parsers, the ones collect reads
// the servers with: a listing line leniently (only its key is required), the others as the server
// writes them. A bad line becomes a positioned failure and reading goes on.
import ByteText
import DumpContainer
import MemcacheProtocol
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
            let header: ValueHeader
            do { header = try ValueParser.header(line, offset: Int(lineOffset)) } catch {
                let what = line.starts(with: "VALUE ".utf8) ? "bad VALUE line" : "not a VALUE line"
                if !emit(.failure(InputFailure(kind: "bad_line", message: "\(what): \(preview(line))", offset: lineOffset, fatal: false))) { return }
                continue
            }
            var item = RawItem(key: header.key)
            item.flags = header.flags
            item.valueLength = header.size
            item.cas = header.cas
            let n = header.size
            let data: [UInt8]
            do throws(ByteReadError) {
                data = try r.read(count: n)
            } catch {
                _ = emit(
                    .failure(InputFailure(kind: "truncated", message: "value of \(preview(header.key[...])) cut short", offset: error.offset, fatal: false)))
                return
            }
            // The data block must end in \r\n exactly where its length says; otherwise the length
            // and the data disagree and the value is not to be trusted: withheld, and reported.
            let after = r.offset
            guard try r.peek(2).elementsEqual([0x0D, 0x0A]) else {
                framingBroken = true
                let message =
                    "value of \(preview(header.key[...])): the \(n)-byte data block is not followed by CRLF (its length does not match the data); item withheld"
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
                if !emit(.failure(InputFailure(kind: "bad_line", message: "not a metadump line: \(preview(line))", offset: lineOffset, fatal: false))) {
                    return
                }
                continue
            }
            if !emit(.item(item)) { return }
        }
        if lastWasEnd { _ = emit(.listingComplete) }
    }

    static func parseMetadumpLine(_ line: ArraySlice<UInt8>) -> RawItem? {
        guard let f = try? MetadumpParser.fields(line, offset: 0) else { return nil }
        var item = RawItem(key: f.key)
        if let v = f.exp { item.exp = v < 0 ? .never : .at(v) }
        if let v = f.lastAccess { item.lastAccess = v }
        if let v = f.cas { item.cas = v }
        if let v = f.fetched { item.fetched = v }
        if let v = f.slabClass { item.slabClass = v }
        if let v = f.totalSize { item.totalSize = v }
        if let v = f.flags { item.flags = v }
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
                if !emit(.failure(InputFailure(kind: "bad_line", message: "not a cachedump line: \(preview(line))", offset: lineOffset, fatal: false))) {
                    return
                }
                continue
            }
            if !emit(.item(item)) { return }
        }
        if lastWasEnd { _ = emit(.listingComplete) }
    }

    /// `ITEM <key> [<bytes> b; <time> s]`; time 0 means no expiry.
    static func parseCachedumpLine(_ line: ArraySlice<UInt8>) -> RawItem? {
        guard let e = try? CachedumpParser.entry(line, offset: 0) else { return nil }
        var item = RawItem(key: e.key, exp: e.exp < 0 ? .never : .at(e.exp))
        item.valueLength = e.valueLength
        return item
    }

    static func preview<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        let head = Array(bytes.prefix(80))
        var s = ""
        for b in head { s += (b >= 0x20 && b < 0x7F) ? String(UnicodeScalar(b)) : "\\x" + String(b, radix: 16) }
        return bytes.count > 80 ? s + "…" : s
    }
}
