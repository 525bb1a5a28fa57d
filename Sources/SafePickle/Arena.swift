// SafePickle/Arena: the decoded object graph as flat arrays of nodes addressed by index, so nothing
// in it is freed, hashed, compared or rendered by recursion. Strings and bytes are byte ranges in the
// input (when they can be used as they are) or in `aux` (decoded text, big-integer digits, names).

/// What a node is. Containers and records carry identity; everything else is a scalar.
enum NodeKind: UInt8 {
    case none, bool, int, bigint, float, str, py2str, bytes, bytearray, global
    case list, tuple, dict, set, frozenset, record
}

/// One value. `a`/`b` mean: int value; float bit pattern; byte offset and length (str, bytes, bigint
/// digits, global name); sequence index (containers); record index (records).
struct Node {
    var kind: NodeKind
    /// Bit flags, see the static members.
    var flags: UInt8
    /// For globals: the allowlist entry.
    var known: KnownName = .unknown
    var a: Int
    var b: Int = 0

    /// Bytes live in `aux` rather than in the input.
    static let inAux: UInt8 = 1
    /// str: holds surrogate code points (encoded as 3-byte ED A0..BF xx sequences).
    static let surrogates: UInt8 = 2
    /// py2str: the bytes are strict UTF-8 (so it renders as a string).
    static let validUTF8: UInt8 = 4
    /// str: known to have no byte JSON must escape (`"`, `\`, control), so it is written as it is.
    /// Absent means "not known", never "needs escaping".
    static let plainJSON: UInt8 = 8
}

/// A call record made by REDUCE, NEWOBJ, NEWOBJ_EX, INST or OBJ and annotated by BUILD, APPEND(S), SETITEM(S).
struct Record {
    var callable: Int32
    /// A tuple node.
    var args: Int32
    /// A dict node, or -1.
    var kwargs: Int32 = -1
    /// The last BUILD state, or -1 when no BUILD was applied.
    var state: Int32 = -1
    /// Sequence index of APPEND values, or -1.
    var items: Int = -1
    /// Sequence index of SETITEM key/value pairs (flattened), or -1.
    var dictItems: Int = -1
}

/// Names the renderer understands (docs/canonical-json.md), matched once when a GLOBAL is read.
enum KnownName: UInt8 {
    case unknown = 0
    case codecsEncode, bytes, bytearray, set, frozenset, complex
    case datetime, date, time, timedelta, timezone, decimal, uuid
    case orderedDict, defaultDict, deque, cachedValue
    case reconstructor, newobj, newobjEx

    /// The allowlist entry named `full` ("module.name"), compared as bytes (no String is made: a
    /// pickle of many values matches names once per GLOBAL opcode).
    static func match(_ full: UnsafeRawBufferPointer) -> KnownName {
        for (name, known) in KnownName.names where name.utf8CodeUnitCount == full.count {
            if TextCodecs.bytesEqual(UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), full) {
                return known
            }
        }
        return .unknown
    }

    private static let names: [(StaticString, KnownName)] = [
        ("_codecs.encode", .codecsEncode),
        ("builtins.bytes", .bytes), ("__builtin__.bytes", .bytes),
        ("builtins.bytearray", .bytearray), ("__builtin__.bytearray", .bytearray),
        ("builtins.set", .set), ("__builtin__.set", .set),
        ("builtins.frozenset", .frozenset), ("__builtin__.frozenset", .frozenset),
        ("builtins.complex", .complex), ("__builtin__.complex", .complex),
        ("datetime.datetime", .datetime),
        ("datetime.date", .date),
        ("datetime.time", .time),
        ("datetime.timedelta", .timedelta),
        ("datetime.timezone", .timezone),
        ("decimal.Decimal", .decimal),
        ("uuid.UUID", .uuid),
        ("collections.OrderedDict", .orderedDict),
        ("collections.defaultdict", .defaultDict),
        ("collections.deque", .deque),
        ("dogpile.cache.api.CachedValue", .cachedValue),
        ("copyreg._reconstructor", .reconstructor), ("copy_reg._reconstructor", .reconstructor),
        ("copyreg.__newobj__", .newobj), ("copy_reg.__newobj__", .newobj),
        ("copyreg.__newobj_ex__", .newobjEx), ("copy_reg.__newobj_ex__", .newobjEx),
    ]
}

/// The object graph of one pickle, as the VM builds it. String nodes point into `input` — bytes the
/// arena does not own: the owner (PickleDecoder for one call, DecodedGraph for a PickleValue) keeps
/// them alive and unchanged for as long as the arena is used.
struct Arena: ~Copyable {
    var input: UnsafeRawBufferPointer
    var aux = RawArray<UInt8>(capacity: 256)
    var nodes = RawArray<Node>(capacity: 64)
    var seqs = SeqStore()
    var records = RawArray<Record>()
    /// Per dict/set sequence with many entries: Python-hash → positions of keys (pair index for dicts).
    var index: [Int: [Int: [Int32]]] = [:]

    init(input: UnsafeRawBufferPointer) {
        self.input = input
        nodes.reserve(input.count / 8)
    }

    /// Empties the arena for a new `input`, keeping its allocations.
    mutating func reset(input: UnsafeRawBufferPointer) {
        self.input = input
        aux.removeAll()
        nodes.removeAll()
        seqs.removeAll()
        records.removeAll()
        index.removeAll()
        nodes.reserve(input.count / 8)
    }

    /// Bytes allocated by the arena's arrays.
    var allocatedBytes: Int {
        aux.allocatedBytes + nodes.allocatedBytes + seqs.pool.allocatedBytes + seqs.spans.allocatedBytes
            + records.allocatedBytes
    }

    /// A read-only view of the graph, valid until the arena next changes.
    @inline(__always) var view: ArenaView {
        ArenaView(input: input, aux: aux.bytes, nodes: nodes.view, records: records.view, seqs: seqs.view)
    }

    @inline(__always) mutating func add(_ n: Node) -> Int32 {
        nodes.append(n)
        return Int32(truncatingIfNeeded: nodes.count - 1)
    }

    mutating func addSeq<C: Collection>(_ kind: NodeKind, _ items: C) -> Int32 where C.Element == Int32 {
        add(Node(kind: kind, flags: 0, a: seqs.add(items)))
    }

    @inline(__always) mutating func addSeq(_ kind: NodeKind, _ items: UnsafeBufferPointer<Int32>) -> Int32 {
        add(Node(kind: kind, flags: 0, a: seqs.add(items)))
    }

    mutating func addRecord(_ r: Record) -> Int32 {
        records.append(r)
        return add(Node(kind: .record, flags: 0, a: records.count - 1))
    }

    /// Appends bytes to `aux` and returns their offset.
    mutating func addAux<C: Collection>(_ bytes: C) -> Int where C.Element == UInt8 {
        let off = aux.count
        aux.append(contentsOf: bytes)
        return off
    }
}

/// The object graph, read-only: what the renderer walks, and what hashing and comparing read. Holds
/// no reference: valid while the arena it was taken from is alive and unchanged.
struct ArenaView {
    let input: UnsafeRawBufferPointer
    let aux: UnsafeRawBufferPointer
    let nodes: BufferView<Node>
    let records: BufferView<Record>
    let seqs: SeqView

    /// The bytes of a string-like node (str, py2str, bytes, bytearray, bigint, global), without copying.
    @inline(__always) func bytes(_ n: Node) -> UnsafeRawBufferPointer {
        let base = n.flags & Node.inAux != 0 ? aux : input
        return UnsafeRawBufferPointer(rebasing: base[n.a..<(n.a + n.b)])
    }

    /// A copy of the bytes of a string-like node.
    func bytes(of n: Node) -> [UInt8] { Array(bytes(n)) }

    func isStr(_ id: Int32) -> Bool { nodes[Int(id)].kind == .str }

    /// Is the str node exactly this ASCII text?
    func strEquals(_ id: Int32, _ text: StaticString) -> Bool {
        let n = nodes[Int(id)]
        guard n.kind == .str || n.kind == .py2str, n.b == text.utf8CodeUnitCount else { return false }
        return TextCodecs.bytesEqual(bytes(n), UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
