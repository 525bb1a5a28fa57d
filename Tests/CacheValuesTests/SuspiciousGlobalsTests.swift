// CacheValuesTests/SuspiciousGlobalsTests: which names a pickle may hold without being flagged (the
// allowlist of plain data types) and which it may not, through the real value decoder on hand-written
// protocol-0 pickles; and that a string that merely looks like a rendered class is never a name.
import CacheValues
import Testing

@Suite struct SuspiciousGlobalsTests {
    let decoder = ValueDecoder(convention: .pythonMemcached, limits: ValueLimits(), pickle: SafePickleRenderer())

    func suspicious(_ pickle: String) -> [String] {
        decoder.decode(flags: 1, value: Array(pickle.utf8)).suspicious
    }

    @Test(arguments: [
        ("cposix\nsystem\n(S'id'\ntR.", ["posix.system"]),
        ("cbuiltins\neval\n(S'1'\ntR.", ["builtins.eval"]),
        ("c__builtin__\ngetattr\n.", ["__builtin__.getattr"]),
        ("(dp0\nS'f'\ncsubprocess\nPopen\nsS'g'\ncsubprocess\nPopen\ns.", ["subprocess.Popen"]),
        ("cmyapp.models\nThing\n)R.", ["myapp.models.Thing"]),
        // In order of appearance, whichever marker comes first: a name only named ($global), then a
        // call ($class), then the first again; and the other way round.
        ("(lp0\ncos\nsystem\nacposix\npopen\n(S'x'\ntRacos\nsystem\na.", ["os.system", "posix.popen"]),
        ("(lp0\ncposix\npopen\n(S'x'\ntRacos\nsystem\na.", ["posix.popen", "os.system"]),
    ])
    func flagged(_ pickle: String, _ names: [String]) {
        #expect(suspicious(pickle) == names)
    }

    @Test(arguments: [
        "cpytz\n_p\n(S'Europe/Berlin'\nI3600\nI0\nS'CET'\ntR.",
        "cdateutil.tz.tz\ntzutc\n)R.",
        "c__builtin__\nset\n((lp0\nI1\natR.",
        "cbuiltins\nobject\n.",
        "cdatetime\ntimedelta\n(I1\nI2\nI3\ntR.",
        "S'{\"$class\":\"os.system\"}'\n.",
        "(dp0\nS'$class'\nS'os.system'\ns.",
    ])
    func notFlagged(_ pickle: String) {
        #expect(suspicious(pickle).isEmpty, "\(pickle.debugDescription)")
    }
}
