// JSONText/JSONTextEncoder: `Encodable` values (the dump's header, notes and trailer; collect's
// manifest) as JSON text written with the project's one writer and escaping, instead of Foundation's
// JSONEncoder: object keys sorted by their UTF-8 bytes, `/` not escaped, nil optionals left out,
// numbers as NDJSONWriter writes them, a NaN or an infinity refused. Compact on one line, or indented by two spaces for files
// people read.

import ByteText

public struct JSONTextEncoder {
    public enum Layout: Sendable { case compact, indented }

    public var layout: Layout
    /// Spells each Swift property name as a JSON key (`snakeCase` for `camelCase` properties).
    public var keyName: @Sendable (String) -> String

    public init(layout: Layout = .compact, keyName: @escaping @Sendable (String) -> String = { $0 }) {
        self.layout = layout
        self.keyName = keyName
    }

    /// `thisName` → `this_name`, `bandwidthMbPerS` → `bandwidth_mb_per_s`, `serverURLList` →
    /// `server_url_list`: an underscore before an upper-case letter that follows a lower-case letter
    /// or a digit, or that starts a word after a run of capitals; then all lower case.
    public static let snakeCase: @Sendable (String) -> String = { name in
        let u = Array(name.unicodeScalars)
        var out = String.UnicodeScalarView()
        for (i, c) in u.enumerated() {
            let upper = c.properties.isUppercase
            if upper && i > 0 {
                let prev = u[i - 1]
                let nextLower = i + 1 < u.count && u[i + 1].properties.isLowercase
                if prev.properties.isLowercase || prev.properties.numericType != nil
                    || (prev.properties.isUppercase && nextLower)
                {
                    out.append("_")
                }
            }
            out.append(contentsOf: upper ? c.properties.lowercaseMapping.unicodeScalars : String(c).unicodeScalars)
        }
        return String(out)
    }

    /// The JSON text of `value` (no trailing newline).
    public func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        let root = Node()
        try value.encode(to: TreeEncoder(node: root, codingPath: [], keyName: keyName))
        var out: [UInt8] = []
        switch layout {
        case .compact:
            var w = NDJSONWriter(capacity: 1024)
            root.write(to: &w)
            out = w.buffer
        case .indented:
            root.writeIndented(to: &out, indent: 0)
        }
        return out
    }
}

/// One value of the tree an `Encodable` builds (a class: containers are filled after they are made).
final class Node {
    enum Content {
        case null, bool(Bool), int(Int64), uint(UInt64), double(Double), string(String)
        case array([Node]), object([(String, Node)])
    }
    var content: Content = .null

    func setMember(_ name: String) -> Node {
        let child = Node()
        var members: [(String, Node)] = []
        if case .object(let m) = content { members = m }
        if let i = members.firstIndex(where: { $0.0 == name }) { members[i].1 = child } else { members.append((name, child)) }
        content = .object(members)
        return child
    }

    func appendElement() -> Node {
        let child = Node()
        var elements: [Node] = []
        if case .array(let e) = content { elements = e }
        elements.append(child)
        content = .array(elements)
        return child
    }

    static func sorted(_ members: [(String, Node)]) -> [(String, Node)] {
        members.sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
    }

    func write(to w: inout NDJSONWriter) {
        switch content {
        case .null: w.null()
        case .bool(let b): w.bool(b)
        case .int(let i): w.int(i)
        case .uint(let u): w.uint(u)
        case .double(let d): w.double(d)
        case .string(let s): w.string(s)
        case .array(let elements):
            w.beginArray()
            for e in elements { e.write(to: &w) }
            w.endArray()
        case .object(let members):
            w.beginObject()
            for (k, v) in Node.sorted(members) { w.key(k); v.write(to: &w) }
            w.endObject()
        }
    }

    func writeIndented(to out: inout [UInt8], indent: Int) {
        func newline(_ depth: Int) {
            out.append(0x0A)
            out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * depth))
        }
        switch content {
        case .array(let elements) where !elements.isEmpty:
            out.append(UInt8(ascii: "["))
            for (i, e) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                e.writeIndented(to: &out, indent: indent + 1)
            }
            newline(indent)
            out.append(UInt8(ascii: "]"))
        case .object(let members) where !members.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (i, (k, v)) in Node.sorted(members).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(indent + 1)
                var key = k
                key.withUTF8 { JSONString.appendQuotedValid(UnsafeRawBufferPointer($0), to: &out) }
                out.append(contentsOf: ": ".utf8)
                v.writeIndented(to: &out, indent: indent + 1)
            }
            newline(indent)
            out.append(UInt8(ascii: "}"))
        default:
            var w = NDJSONWriter(capacity: 64)
            write(to: &w)
            out.append(contentsOf: w.buffer)
        }
    }
}

struct TreeEncoder: Encoder {
    let node: Node
    var codingPath: [any CodingKey]
    let keyName: @Sendable (String) -> String
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        if case .object = node.content {} else { node.content = .object([]) }
        return KeyedEncodingContainer(KeyedContainer<Key>(node: node, codingPath: codingPath, keyName: keyName))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if case .array = node.content {} else { node.content = .array([]) }
        return UnkeyedContainer(node: node, codingPath: codingPath, keyName: keyName)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleContainer(node: node, codingPath: codingPath, keyName: keyName)
    }
}

/// JSON has no NaN or infinity: such a number is refused, as Foundation's encoder refuses it.
private func finite(_ d: Double, _ path: [any CodingKey]) throws -> Double {
    guard d.isFinite else {
        throw EncodingError.invalidValue(d, .init(codingPath: path, debugDescription: "\(d) is not a JSON number"))
    }
    return d
}

/// Puts one value into `node`: the scalars JSON has directly, anything else through its `encode(to:)`.
private func store<T: Encodable>(_ value: T, in node: Node, path: [any CodingKey], keyName: @escaping @Sendable (String) -> String) throws {
    switch value {
    case let v as Bool: node.content = .bool(v)
    case let v as String: node.content = .string(v)
    case let v as Double: node.content = .double(try finite(v, path))
    case let v as Float: node.content = .double(try finite(Double(v), path))
    case let v as Int: node.content = .int(Int64(v))
    case let v as Int8: node.content = .int(Int64(v))
    case let v as Int16: node.content = .int(Int64(v))
    case let v as Int32: node.content = .int(Int64(v))
    case let v as Int64: node.content = .int(v)
    case let v as UInt: node.content = .uint(UInt64(v))
    case let v as UInt8: node.content = .uint(UInt64(v))
    case let v as UInt16: node.content = .uint(UInt64(v))
    case let v as UInt32: node.content = .uint(UInt64(v))
    case let v as UInt64: node.content = .uint(v)
    default: try value.encode(to: TreeEncoder(node: node, codingPath: path, keyName: keyName))
    }
}

struct KeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let node: Node
    var codingPath: [any CodingKey]
    let keyName: @Sendable (String) -> String

    func member(_ key: Key) -> Node { node.setMember(keyName(key.stringValue)) }

    mutating func encodeNil(forKey key: Key) throws { member(key).content = .null }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try store(value, in: member(key), path: codingPath + [key], keyName: keyName)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        let child = member(key)
        child.content = .object([])
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath + [key], keyName: keyName))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let child = member(key)
        child.content = .array([])
        return UnkeyedContainer(node: child, codingPath: codingPath + [key], keyName: keyName)
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: node.setMember("super"), codingPath: codingPath, keyName: keyName)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        TreeEncoder(node: member(key), codingPath: codingPath + [key], keyName: keyName)
    }
}

struct UnkeyedContainer: UnkeyedEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    let keyName: @Sendable (String) -> String

    var count: Int { if case .array(let e) = node.content { return e.count } else { return 0 } }

    mutating func encodeNil() throws { node.appendElement().content = .null }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try store(value, in: node.appendElement(), path: codingPath, keyName: keyName)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let child = node.appendElement()
        child.content = .object([])
        return KeyedEncodingContainer(KeyedContainer<NestedKey>(node: child, codingPath: codingPath, keyName: keyName))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let child = node.appendElement()
        child.content = .array([])
        return UnkeyedContainer(node: child, codingPath: codingPath, keyName: keyName)
    }

    mutating func superEncoder() -> any Encoder {
        TreeEncoder(node: node.appendElement(), codingPath: codingPath, keyName: keyName)
    }
}

struct SingleContainer: SingleValueEncodingContainer {
    let node: Node
    var codingPath: [any CodingKey]
    let keyName: @Sendable (String) -> String

    mutating func encodeNil() throws { node.content = .null }

    mutating func encode<T: Encodable>(_ value: T) throws {
        try store(value, in: node, path: codingPath, keyName: keyName)
    }
}
