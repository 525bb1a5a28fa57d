// CacheValues/SuspiciousGlobals: cache-poisoning triage. A pickle can name any callable, and an
// application that unpickles a poisoned value runs it (the flask-caching and aiocache advisories).
// SafePickle never calls anything; it renders a named callable as `{"$class": NAME, …}` (called) or
// `{"$global": NAME}` (referenced), while the plain data types it knows (datetime, Decimal, UUID,
// sets, dogpile's CachedValue, …) become data. This finds those names in the canonical JSON and keeps
// the ones that reach the system or run code: modules such as `os`/`posix`/`nt`, `subprocess`, `sys`,
// `socket`, `importlib`, `ctypes`, `pickle`, `operator`, `functools`, and every builtin that is not a
// plain data type (`eval`, `exec`, `getattr`, `__import__`, `open`, …). An application's own classes
// are not suspicious by themselves; they stay visible in the value as `$class`.
enum SuspiciousGlobals {
    /// Top-level modules whose callables reach the system, run code or build gadgets.
    static let modules: Set<String> = [
        "os", "posix", "nt", "posixpath", "ntpath", "subprocess", "commands", "popen2", "pty", "sys", "shutil",
        "socket", "ssl", "importlib", "imp", "runpy", "code", "codeop", "ctypes", "cffi", "marshal", "pickle",
        "cPickle", "_pickle", "copyreg_unsafe", "dill", "multiprocessing", "signal", "platform", "webbrowser",
        "types", "operator", "functools", "io", "_io", "pathlib", "tempfile", "glob", "fcntl", "resource",
        "threading", "_thread", "thread", "asyncio", "timeit", "pdb", "bdb", "trace", "cProfile", "profile",
        "urllib", "urllib2", "http", "httplib", "ftplib", "smtplib", "telnetlib", "xmlrpc", "xmlrpclib",
        "sqlite3", "zipimport", "pkgutil", "gc", "inspect", "ast", "distutils", "setuptools", "pip",
    ]
    /// Builtins that only make plain data; every other builtin is suspicious.
    static let plainBuiltins: Set<String> = [
        "set", "frozenset", "bytearray", "bytes", "complex", "object", "list", "dict", "tuple", "int", "float",
        "str", "bool", "slice", "range", "xrange", "unicode", "long", "basestring", "NoneType", "Ellipsis",
        "NotImplemented", "reversed", "enumerate", "zip", "map", "filter",
    ]

    /// Whether a global named `module.name` is suspicious.
    static func isSuspicious(_ qualified: Substring) -> Bool {
        let module = qualified.prefix { $0 != "." }
        if module == "builtins" || module == "__builtin__" || module == "__builtins__" {
            return !plainBuiltins.contains(String(qualified.dropFirst(module.count + 1)))
        }
        return modules.contains(String(module))
    }

    /// The suspicious names a canonical JSON value holds, each once, in order of appearance (at most
    /// `limit`). A `{"$class":"…"` or `{"$global":"…"` can only be the renderer's own: inside a JSON
    /// string every `"` is escaped, so the bytes `{"` never occur there.
    static func find(in json: [UInt8], limit: Int = 16) -> [String] {
        var found: [String] = []
        let markers: [[UInt8]] = [Array(#"{"$class":""#.utf8), Array(#"{"$global":""#.utf8)]
        json.withUnsafeBufferPointer { p in
            var i = 0
            let n = p.count
            while i < n, found.count < limit {
                guard p[i] == UInt8(ascii: "{") else { i += 1; continue }
                var matched: [UInt8]?
                for m in markers where i + m.count <= n && p[i..<(i + m.count)].elementsEqual(m) { matched = m }
                guard let m = matched else { i += 1; continue }
                let start = i + m.count
                var end = start
                while end < n && p[end] != UInt8(ascii: "\"") && p[end] != UInt8(ascii: "\\") { end += 1 }
                let name = String(decoding: p[start..<end], as: UTF8.self)
                if isSuspicious(Substring(name)) && !found.contains(name) { found.append(name) }
                i = end
            }
        }
        return found
    }
}
