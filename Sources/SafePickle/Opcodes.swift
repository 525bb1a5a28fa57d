// SafePickle/Opcodes: the pickle opcode table of protocols 0–5 as data (name, code, argument kind,
// protocol), mirroring `pickletools.opcodes`. The VM and the disassembler both switch over `Opcode`.

/// How an opcode's inline argument is encoded in the stream (pickletools' ArgumentDescriptor names).
public enum PickleArgKind: String, Sendable, CaseIterable {
    case none
    case uint1, uint2, uint4, uint8, int4
    case decimalnlShort = "decimalnl_short"
    case decimalnlLong = "decimalnl_long"
    case stringnl, stringnlNoescape = "stringnl_noescape"
    case stringnlNoescapePair = "stringnl_noescape_pair"
    case unicodestringnl, floatnl, float8
    case string1, string4, bytes1, bytes4, bytes8
    case unicodestring1, unicodestring4, unicodestring8, bytearray8
    case long1, long4
}

/// Every opcode of protocols 0–5. The raw value is the opcode byte.
public enum Opcode: UInt8, Sendable, CaseIterable {
    /// The opcode of every byte value (nil for bytes that are no opcode), for the VM's dispatch.
    static let byByte: [Opcode?] = (0...255).map { Opcode(rawValue: UInt8($0)) }

    // protocol 0
    case INT = 0x49, LONG = 0x4C, STRING = 0x53, NONE = 0x4E, UNICODE = 0x56, FLOAT = 0x46
    case APPEND = 0x61, LIST = 0x6C, TUPLE = 0x74, DICT = 0x64, SETITEM = 0x73, POP = 0x30
    case DUP = 0x32, MARK = 0x28, GET = 0x67, PUT = 0x70, GLOBAL = 0x63, REDUCE = 0x52
    case BUILD = 0x62, INST = 0x69, STOP = 0x2E, PERSID = 0x50
    // protocol 1
    case BININT = 0x4A, BININT1 = 0x4B, BININT2 = 0x4D, BINSTRING = 0x54, SHORT_BINSTRING = 0x55
    case BINUNICODE = 0x58, BINFLOAT = 0x47, EMPTY_LIST = 0x5D, APPENDS = 0x65, EMPTY_TUPLE = 0x29
    case EMPTY_DICT = 0x7D, SETITEMS = 0x75, POP_MARK = 0x31, BINGET = 0x68, LONG_BINGET = 0x6A
    case BINPUT = 0x71, LONG_BINPUT = 0x72, OBJ = 0x6F, BINPERSID = 0x51
    // protocol 2
    case PROTO = 0x80, NEWOBJ = 0x81, EXT1 = 0x82, EXT2 = 0x83, EXT4 = 0x84, TUPLE1 = 0x85
    case TUPLE2 = 0x86, TUPLE3 = 0x87, NEWTRUE = 0x88, NEWFALSE = 0x89, LONG1 = 0x8A, LONG4 = 0x8B
    // protocol 3
    case BINBYTES = 0x42, SHORT_BINBYTES = 0x43
    // protocol 4
    case SHORT_BINUNICODE = 0x8C, BINUNICODE8 = 0x8D, BINBYTES8 = 0x8E, EMPTY_SET = 0x8F
    case ADDITEMS = 0x90, FROZENSET = 0x91, NEWOBJ_EX = 0x92, STACK_GLOBAL = 0x93, MEMOIZE = 0x94
    case FRAME = 0x95
    // protocol 5
    case BYTEARRAY8 = 0x96, NEXT_BUFFER = 0x97, READONLY_BUFFER = 0x98

    /// The pickletools name, e.g. "SHORT_BINUNICODE".
    public var name: String { String(describing: self) }

    /// The inline argument this opcode reads.
    public var argKind: PickleArgKind {
        switch self {
        case .INT, .GET, .PUT: return .decimalnlShort
        case .LONG: return .decimalnlLong
        case .STRING: return .stringnl
        case .UNICODE: return .unicodestringnl
        case .FLOAT: return .floatnl
        case .PERSID: return .stringnlNoescape
        case .GLOBAL, .INST: return .stringnlNoescapePair
        case .BININT: return .int4
        case .BININT1, .BINGET, .BINPUT, .PROTO, .EXT1: return .uint1
        case .BININT2, .EXT2: return .uint2
        case .LONG_BINGET, .LONG_BINPUT: return .uint4
        case .EXT4: return .int4
        case .BINSTRING: return .string4
        case .SHORT_BINSTRING: return .string1
        case .BINUNICODE: return .unicodestring4
        case .SHORT_BINUNICODE: return .unicodestring1
        case .BINUNICODE8: return .unicodestring8
        case .BINFLOAT: return .float8
        case .LONG1: return .long1
        case .LONG4: return .long4
        case .BINBYTES: return .bytes4
        case .SHORT_BINBYTES: return .bytes1
        case .BINBYTES8: return .bytes8
        case .BYTEARRAY8: return .bytearray8
        case .FRAME: return .uint8
        case .NONE, .APPEND, .LIST, .TUPLE, .DICT, .SETITEM, .POP, .DUP, .MARK, .REDUCE, .BUILD, .STOP,
            .EMPTY_LIST, .APPENDS, .EMPTY_TUPLE, .EMPTY_DICT, .SETITEMS, .POP_MARK, .OBJ, .BINPERSID,
            .NEWOBJ, .TUPLE1, .TUPLE2, .TUPLE3, .NEWTRUE, .NEWFALSE, .EMPTY_SET, .ADDITEMS, .FROZENSET,
            .NEWOBJ_EX, .STACK_GLOBAL, .MEMOIZE, .NEXT_BUFFER, .READONLY_BUFFER:
            return .none
        }
    }

    /// The protocol that introduced this opcode.
    public var proto: Int {
        switch self {
        case .INT, .LONG, .STRING, .NONE, .UNICODE, .FLOAT, .APPEND, .LIST, .TUPLE, .DICT, .SETITEM, .POP,
            .DUP, .MARK, .GET, .PUT, .GLOBAL, .REDUCE, .BUILD, .INST, .STOP, .PERSID:
            return 0
        case .BININT, .BININT1, .BININT2, .BINSTRING, .SHORT_BINSTRING, .BINUNICODE, .BINFLOAT, .EMPTY_LIST,
            .APPENDS, .EMPTY_TUPLE, .EMPTY_DICT, .SETITEMS, .POP_MARK, .BINGET, .LONG_BINGET, .BINPUT,
            .LONG_BINPUT, .OBJ, .BINPERSID:
            return 1
        case .PROTO, .NEWOBJ, .EXT1, .EXT2, .EXT4, .TUPLE1, .TUPLE2, .TUPLE3, .NEWTRUE, .NEWFALSE, .LONG1,
            .LONG4:
            return 2
        case .BINBYTES, .SHORT_BINBYTES: return 3
        case .SHORT_BINUNICODE, .BINUNICODE8, .BINBYTES8, .EMPTY_SET, .ADDITEMS, .FROZENSET, .NEWOBJ_EX,
            .STACK_GLOBAL, .MEMOIZE, .FRAME:
            return 4
        case .BYTEARRAY8, .NEXT_BUFFER, .READONLY_BUFFER: return 5
        }
    }

    /// The opcode table as rows (name, code, arg kind, protocol), in code order.
    public static var table: [(name: String, code: UInt8, arg: PickleArgKind, proto: Int)] {
        allCases.sorted { $0.rawValue < $1.rawValue }.map { ($0.name, $0.rawValue, $0.argKind, $0.proto) }
    }
}
