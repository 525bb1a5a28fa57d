// CacheValues/SuspiciousGlobals: cache-poisoning triage. A pickle can name any callable, and an
// application that unpickles a poisoned value runs it (the flask-caching and aiocache advisories).
// SafePickle never calls anything: the plain data types it knows (datetime, Decimal, UUID, sets,
// OrderedDict, dogpile's CachedValue, …) become data, and any other callable is rendered by name —
// `{"$class": NAME, …}` when the pickle calls it, `{"$global": NAME}` when it only names it. Every
// such name outside an allowlist of plain data types is suspicious: `os.system`, `subprocess.Popen`,
// `builtins.eval` and the like, but also an application's own classes, which an operator recognises
// at a glance while a payload stands out. The allowlist: the builtins that only make plain data, the
// time-zone classes of pytz and dateutil, and the data types SafePickle already turns into data.
import ByteText

enum SuspiciousGlobals {
    /// Builtins that only make plain data.
    static let plainBuiltins: Set<String> = [
        "set", "frozenset", "bytearray", "bytes", "complex", "object", "list", "dict", "tuple", "int", "float",
        "str", "bool", "slice", "range", "xrange", "unicode", "long", "basestring", "NoneType",
    ]
    /// Plain data types by their full name (those SafePickle does not already render as data).
    static let plainTypes: Set<String> = [
        "datetime.date", "datetime.datetime", "datetime.time", "datetime.timedelta", "datetime.timezone",
        "datetime.tzinfo", "decimal.Decimal", "uuid.UUID", "collections.OrderedDict", "collections.defaultdict",
        "collections.deque", "collections.Counter", "fractions.Fraction", "_codecs.encode",
        "dogpile.cache.api.CachedValue", "dogpile.cache.api.NoValue",
    ]
    /// Module prefixes whose classes are time zones (plain data): pytz, dateutil.tz.
    static let plainModulePrefixes = ["pytz.", "dateutil.tz."]

    /// Whether a global named `module.name` is suspicious (outside the allowlist).
    static func isSuspicious(_ qualified: Substring) -> Bool {
        let module = qualified.prefix { $0 != "." }
        if module == "builtins" || module == "__builtin__" {
            return !plainBuiltins.contains(String(qualified.dropFirst(module.count + 1)))
        }
        if plainTypes.contains(String(qualified)) { return false }
        return !plainModulePrefixes.contains { qualified.hasPrefix($0) }
    }

    /// The suspicious names a canonical JSON value holds, each once, in order of appearance (at most
    /// `limit`). A `{"$class":"…"` or `{"$global":"…"` can only be the renderer's own: inside a JSON
    /// string every `"` is escaped, so the bytes `{"` never occur there. Each marker is searched for
    /// with memmem; the two searches advance together, the nearer hit first.
    static func find(in json: [UInt8], limit: Int = 16) -> [String] {
        var found: [String] = []
        json.withUnsafeBytes { p in
            let n = p.count
            func next(_ m: Int, from: Int) -> Int {
                markers[m].withUnsafeBytes { ByteSearch.firstIndex(of: $0, in: p, from: from) } ?? n
            }
            var hit = [next(0, from: 0), next(1, from: 0)]
            while found.count < limit {
                let m = hit[0] <= hit[1] ? 0 : 1
                guard hit[m] < n else { break }
                let start = hit[m] + markers[m].count
                var end = start
                while end < n && p[end] != UInt8(ascii: "\"") && p[end] != UInt8(ascii: "\\") { end += 1 }
                let name = String(decoding: UnsafeRawBufferPointer(rebasing: p[start..<end]), as: UTF8.self)
                if isSuspicious(Substring(name)) && !found.contains(name) { found.append(name) }
                hit[m] = next(m, from: end)
            }
        }
        return found
    }

    private static let markers: [[UInt8]] = [Array(#"{"$class":""#.utf8), Array(#"{"$global":""#.utf8)]
}
