# Extracts CPython's canned pickles and bad-input cases from Lib/test/pickletester.py (CPython 3.13,
# PSF License; test data used with attribution) into cpython/cases.jsonl: each case has the pickle
# (base64) and either the expected canonical JSON or "error": true (CPython raises; we must give $error).
# Where docs/canonical-json.md deliberately differs from CPython, the case says so in "note".
# usage: python3 extract_pickletester.py [path/to/pickletester.py]   (run once; output committed)
import ast, base64, collections, json, os, sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import canon  # noqa: E402

SRC = sys.argv[1] if len(sys.argv) > 1 else '/root/.pyenv/versions/3.13.0/lib/python3.13/test/pickletester.py'
tree = ast.parse(open(SRC).read())
consts = {}
for node in tree.body:
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        try:
            consts[node.targets[0].id] = ast.literal_eval(node.value)
        except ValueError:
            pass


class C:  # pickletester's C, as its canned pickles name it (__main__.C)
    pass


C.__module__ = '__main__'


def create_data(bar_first=False):  # the value DATA0..DATA4 encode (pickletester.create_data)
    c = C()
    if bar_first:  # DATA3/DATA4 were written by a Python whose instance dict held bar before foo
        c.bar = 2
    c.foo = 1
    c.bar = 2
    x = [0, 1, 2.0, 3.0 + 0j]
    x.extend([1, -1, 0xff, -0xff, -0xff - 1, 0xffff, -0xffff, -0xffff - 1, 0x7fffffff, -0x7fffffff, -0x7fffffff - 1])
    y = ('abc', 'abc', c, c)
    x.append(y)
    x.append(y)
    x.append(5)
    return x


cases = []


def add(cid, data, expected=None, error=False, note=None):
    c = collections.OrderedDict([('id', cid), ('b64', base64.b64encode(data).decode())])
    if error:
        c['error'] = True
    else:
        c['expected'] = expected
    if note:
        c['note'] = note
    cases.append(c)


data_expected = canon.Canon()(create_data())
for i in range(5):
    add('DATA%d' % i, consts['DATA%d' % i], data_expected if i < 3 else canon.Canon()(create_data(bar_first=True)))
add('DATA_SET', consts['DATA_SET'], {"$set": [1, 2]})
add('DATA_SET2', consts['DATA_SET2'], {"$set": [3]})
add('DATA_XRANGE', consts['DATA_XRANGE'], {"$class": "__builtin__.xrange", "$args": [0, 5, 1]})
add('DATA_UEERR', consts['DATA_UEERR'], {"$class": "exceptions.UnicodeEncodeError", "$args": ["ascii", "foo", 0, 1, "bad"]})
morsel_items = [[k, ""] for k in ['comment', 'domain', 'secure', 'expires', 'max-age', 'version', 'path', 'httponly']]
add('DATA_COOKIE', consts['DATA_COOKIE'], collections.OrderedDict([
    ("$class", "Cookie.SimpleCookie"), ("$args", []),
    ("$dictitems", [["key", collections.OrderedDict([
        ("$class", "Cookie.Morsel"), ("$args", []), ("$dictitems", morsel_items),
        ("$state", collections.OrderedDict([("coded_value", "value"), ("value", "value"), ("key", "key")]))])]]),
    ("$state", {})]))
for name in consts['python2_exceptions_without_args'] if 'python2_exceptions_without_args' in consts else []:
    pass
for name in ['ArithmeticError', 'KeyError', 'StandardError', 'ZeroDivisionError']:
    add('exception_pickle_' + name, consts['exception_pickle'].replace(b'?', name.encode()),
        {"$class": "exceptions." + name, "$args": []})

# Golden values from AbstractUnpickleTests (literal pickles, values stated in the tests).
add('test_correctly_quoted_string_0', b"S''\n.", "")
add('test_correctly_quoted_string_1', b'S""\n.', "")
add('test_correctly_quoted_string_2', b'S"\\n"\n.', "\n")
add('test_correctly_quoted_string_3', b"S'\\n'\n.", "\n")
add('test_frame_readline', b'\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00I42\n.', 42)
add('test_dup', b'((l2t.', [[], []])
add('test_compat_unpickle_xrange', b'\x80\x02c__builtin__\nxrange\nK\x01K\x07K\x01\x87R.',
    {"$class": "__builtin__.xrange", "$args": [1, 7, 1]})
add('test_bad_reduce_good', b'cbuiltins\nint\n)R.', {"$class": "builtins.int", "$args": []})
add('test_bad_newobj_good', b'cbuiltins\nint\n)\x81.', {"$class": "builtins.int", "$args": []})
add('test_bad_newobj_ex_good', b'cbuiltins\nint\n)}\x92.', {"$class": "builtins.int", "$args": []})

# Spec differences: CPython refuses these because len is not a class; the spec records the call.
SPEC_VALUES = {
    b'cbuiltins\nlen\n)\x81.': {"$class": "builtins.len", "$args": []},
    b'cbuiltins\nlen\n)}\x92.': {"$class": "builtins.len", "$args": []},
}
SKIP = {'test_negative_32b_binput'}  # 32-bit only in CPython; 0xffffffff is a valid memo id in the spec

BAD_TESTS = ['test_bad_stack', 'test_bad_mark', 'test_truncated_data', 'test_badly_quoted_string',
             'test_badly_escaped_string', 'test_negative_put', 'test_bad_reduce', 'test_bad_newobj',
             'test_bad_newobj_ex', 'test_bad_ext_code', 'test_negative_32b_binput']
for cls in tree.body:
    if not (isinstance(cls, ast.ClassDef) and cls.name == 'AbstractUnpickleTests'):
        continue
    for fn in cls.body:
        if not isinstance(fn, ast.FunctionDef) or fn.name not in BAD_TESTS or fn.name in SKIP:
            continue
        found = []
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and getattr(node.func, 'attr', '') == 'check_unpickling_error':
                arg = node.args[1] if len(node.args) > 1 else None
                if isinstance(arg, ast.Constant) and isinstance(arg.value, bytes):
                    found.append(arg.value)
            if isinstance(node, ast.Assign) and getattr(node.targets[0], 'id', '') in ('badpickles', 'dumped'):
                v = node.value
                if isinstance(v, ast.List):
                    for e in v.elts:
                        try:
                            found.append(ast.literal_eval(e))
                        except ValueError:
                            pass
                elif isinstance(v, ast.Constant) and isinstance(v.value, bytes):
                    found.append(v.value)
        for n, data in enumerate(found):
            if not isinstance(data, bytes):
                continue
            if data in SPEC_VALUES:
                add('%s_%d' % (fn.name, n), data, SPEC_VALUES[data], note='CPython raises; the spec records the call')
            else:
                add('%s_%d' % (fn.name, n), data, error=True)

os.makedirs(os.path.join(HERE, 'cpython'), exist_ok=True)
with open(os.path.join(HERE, 'cpython', 'cases.jsonl'), 'w') as f:
    for c in cases:
        f.write(json.dumps(c, allow_nan=False) + '\n')
print(len(cases))
