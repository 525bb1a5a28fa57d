// SkewAnalysis/PartialFields: strict reading of a report partial's fields. A partial travels between
// machines and can be edited; a count that is a string, a fraction, negative or out of range, a
// missing section, or a field of the wrong type is an error naming the field's path — never a
// silent 0 or a dropped host.
import PipelineRecords

struct PartialFields {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue?, _ path: String) throws(AggregationIssue) {
        guard let value, case .object = value else { throw PartialFields.wrong(path, "an object", value) }
        self.value = value
        self.path = path
    }

    static func wrong(_ path: String, _ expected: String, _ got: JSONValue?) -> AggregationIssue {
        let shown: String
        switch got {
        case nil: shown = "nothing (missing)"
        case .null?: shown = "null"
        case .bool(let b)?: shown = String(b)
        case .number(let d, _)?: shown = String(d)
        case .string(let s)?: shown = "\"\(s.prefix(40))\""
        case .array?: shown = "an array"
        case .object?: shown = "an object"
        }
        return AggregationIssue(message: "\(path): expected \(expected), got \(shown)")
    }

    func field(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// A required count: an integer ≥ 0 (no fraction, no exponent beyond the integer range).
    func count(_ name: String) throws(AggregationIssue) -> Int64 {
        try PartialFields.count(value[name], field(name))
    }

    /// (`path` is built only for the error: a what-if carries thousands of counts per partial.)
    static func count(_ v: JSONValue?, _ path: @autoclosure () -> String) throws(AggregationIssue) -> Int64 {
        guard case .number(_, let i)? = v, let i, i >= 0 else { throw wrong(path(), "a non-negative integer", v) }
        return i
    }

    /// An optional count: absent or null gives nil.
    func optionalCount(_ name: String) throws(AggregationIssue) -> Int64? {
        guard let v = value[name], !v.isNull else { return nil }
        return try count(name)
    }

    /// An optional amount: a finite number ≥ 0 (traffic, seconds, rates); absent or null gives nil.
    func amount(_ name: String) throws(AggregationIssue) -> Double? {
        guard let v = value[name], !v.isNull else { return nil }
        guard case .number(let d, _) = v, d.isFinite, d >= 0 else { throw PartialFields.wrong(field(name), "a finite number ≥ 0", v) }
        return d
    }

    func requiredAmount(_ name: String) throws(AggregationIssue) -> Double {
        guard let d = try amount(name) else { throw PartialFields.wrong(field(name), "a finite number ≥ 0", value[name]) }
        return d
    }

    func string(_ name: String) throws(AggregationIssue) -> String {
        guard let s = value[name]?.string else { throw PartialFields.wrong(field(name), "a string", value[name]) }
        return s
    }

    func optionalString(_ name: String) throws(AggregationIssue) -> String? {
        guard let v = value[name], !v.isNull else { return nil }
        guard let s = v.string else { throw PartialFields.wrong(field(name), "a string or null", v) }
        return s
    }

    func optionalBool(_ name: String) throws(AggregationIssue) -> Bool? {
        guard let v = value[name], !v.isNull else { return nil }
        guard let b = v.bool else { throw PartialFields.wrong(field(name), "true, false or null", v) }
        return b
    }

    /// A required array.
    func array(_ name: String) throws(AggregationIssue) -> [JSONValue] {
        guard let a = value[name]?.array else { throw PartialFields.wrong(field(name), "an array", value[name]) }
        return a
    }

    /// An array, or none when absent or null.
    func optionalArray(_ name: String) throws(AggregationIssue) -> [JSONValue] {
        guard let v = value[name], !v.isNull else { return [] }
        guard let a = v.array else { throw PartialFields.wrong(field(name), "an array", v) }
        return a
    }

    /// An object or null (nil).
    func optionalObject(_ name: String) throws(AggregationIssue) -> PartialFields? {
        guard let v = value[name], !v.isNull else { return nil }
        return try PartialFields(v, field(name))
    }

    /// An object of counts (`bytes_by_kind`, `kinds`); absent gives none.
    func counts(_ name: String) throws(AggregationIssue) -> [(String, Int64)] {
        guard let v = value[name] else { return [] }
        guard let members = v.members else { throw PartialFields.wrong(field(name), "an object of counts", v) }
        var out: [(String, Int64)] = []
        for (k, c) in members { out.append((k, try PartialFields.count(c, "\(field(name)).\(k)"))) }
        return out
    }
}
