<?php
// Tests/Fixtures/php/generate.php: the differential cases for PHPValuesTests. Builds a wide set of PHP
// values (every type, edge integers and floats, binary strings, lists vs maps, numeric-string keys,
// objects with every visibility, Serializable, __serialize, enums, references, shared and recursive
// values) plus seeded random ones, serializes each with serialize() and igbinary_serialize(), and
// writes one JSON line per value: {"id", "ser" (base64), "igb" (base64), "php" (canonical JSON of
// unserialize(ser)), "igb_canon" (canonical JSON of igbinary_unserialize(igb))}.
// usage: php generate.php [--seed N] [--count N] > cases.jsonl

namespace GuzzleHttp\Psr7 {
    #[\AllowDynamicProperties]
    final class FnStream
    {
        public $methods = [];
        public $_fn_close = 'system';
    }
}

namespace {
    require __DIR__ . '/canon.php';
    error_reporting(E_ALL & ~E_DEPRECATED);

    #[AllowDynamicProperties]
    class Visibility
    {
        public $pub = 1;
        protected $prot = 'two';
        private $priv = [3];
        public function __construct($p = 1) { $this->pub = $p; }
    }

    class Child extends Visibility
    {
        private $priv = 'child-private';
    }

    class LegacySerializable implements Serializable
    {
        public $data;
        public function __construct($d = null) { $this->data = $d; }
        public function serialize(): string { return 'legacy:' . $this->data; }
        public function unserialize($s): void { $this->data = substr($s, 7); }
    }

    class ModernSerialize
    {
        public $a;
        public $b;
        public function __construct($a = null, $b = null) { $this->a = $a; $this->b = $b; }
        public function __serialize(): array { return ['alpha' => $this->a, 'beta' => $this->b, 7 => 'seven']; }
        public function __unserialize(array $d): void { $this->a = $d['alpha']; $this->b = $d['beta']; }
    }

    enum Suit: string
    {
        case Hearts = 'H';
        case Spades = 'S';
    }

    enum Status
    {
        case Active;
        case Archived;
    }

    $options = getopt('', ['seed:', 'count:']);
    $seed = (int)($options['seed'] ?? 20261206);
    $count = (int)($options['count'] ?? 300);

    $cases = [];
    $add = function (string $id, $v) use (&$cases) { $cases[] = [$id, $v]; };

    // Scalars.
    foreach ([null, true, false] as $i => $v) $add("scalar-$i", $v);
    $ints = [0, 1, -1, 42, 255, 256, -255, -256, 65535, 65536, -65536, 4294967295, 4294967296, -4294967296,
        9007199254740991, 9007199254740992, -9007199254740991, -9007199254740992, PHP_INT_MAX, PHP_INT_MIN];
    foreach ($ints as $i => $v) $add("int-$i", $v);
    $floats = [0.0, -0.0, 0.1, 1.5, 76.0, 1e25, -1e-7, 1e16, 9007199254740992.0, 9.1e15, 1.7976931348623157e308,
        5e-324, NAN, INF, -INF, 0.0001, 0.00009, 123456.789, -2.5e-300, 1e100, 100.0, 3.0e-5];
    foreach ($floats as $i => $v) $add("float-$i", $v);
    $strings = ['', 'a', 'héllo wörld ✓ 😀', "\x00\xff\xfe", "quote\" back\\slash /ctrl\x01\x1f\x7f\n\t\r\x08\x0c", str_repeat('x', 300),
        str_repeat('é', 40000), "\u{2028}\u{2029}", "\xed\xa0\x80", '$dollar', '0123', '-0'];
    foreach ($strings as $i => $v) $add("string-$i", $v);

    // Arrays: lists and maps.
    $add('array-empty', []);
    $add('array-list', [1, 2, 3]);
    $add('array-map', ['a' => 1, 'b' => [true, null]]);
    $add('array-out-of-order', [1 => 'a', 0 => 'b']);
    $add('array-hole', [0 => 'a', 2 => 'c']);
    $add('array-dollar-key', ['$x' => 1, 'y' => 2]);
    $add('array-numeric-string-keys', ['1' => 'one', '01' => 'zero-one', '-5' => 'minus five', '-0' => 'minus zero']);
    $add('array-binary-key', ["\xff" => 1, 'ok' => 2]);
    $add('array-int-edge-keys', [PHP_INT_MAX => 'max', PHP_INT_MIN => 'min', -1 => 'neg']);
    $add('array-nested', [[[[]]], ['k' => ['l' => [1, [2, [3]]]]]]);
    $deep = 'bottom';
    for ($i = 0; $i < 60; $i++) $deep = [$deep];
    $add('array-deep-60', $deep);
    $big = [];
    for ($i = 0; $i < 300; $i++) $big["key$i"] = $i * 1.5;
    $add('array-300', $big);
    $add('array-300-list', range(0, 299));

    // Objects.
    $std = new stdClass();
    $std->name = 'n';
    $std->{'0'} = 'zero';
    $std->{'$weird'} = 'dollar';
    $add('object-stdclass', $std);
    $add('object-empty', new stdClass());
    $add('object-visibility', new Visibility(['x' => 1]));
    $add('object-child-private', new Child('c'));
    $dyn = new Visibility(5);
    $dyn->extra = 'dynamic';
    $add('object-dynamic', $dyn);
    $add('object-serializable', new LegacySerializable('payload'));
    $add('object-serializable-binary', new LegacySerializable("\xff\x00"));
    $add('object-__serialize', new ModernSerialize(1, [2, 3]));
    $add('object-pop-chain', new \GuzzleHttp\Psr7\FnStream());
    $add('enum-backed', Suit::Hearts);
    $add('enum-pure', Status::Archived);
    $add('enum-in-array', [Suit::Spades, Suit::Spades, Status::Active]);

    // References and sharing.
    $x = 1;
    $add('ref-scalar', [&$x, &$x, $x]);
    $s = 'shared';
    $add('ref-string', ['a' => &$s, 'b' => &$s]);
    $arr = [1, 2];
    $add('ref-array', [&$arr, &$arr]);
    $o = new stdClass();
    $o->v = 'same';
    $add('object-twice', [$o, $o, 'x' => $o]);
    $add('object-in-objects', [new Visibility($o), new Visibility($o)]);
    $rec = ['x' => 1];
    $rec['self'] = &$rec;
    $add('recursive-array', $rec);
    $list = [1];
    $list[] = &$list;
    $add('recursive-list', $list);
    $ro = new stdClass();
    $ro->self = $ro;
    $ro->list = [$ro];
    $add('recursive-object', $ro);
    $a1 = new stdClass();
    $a2 = new stdClass();
    $a1->peer = $a2;
    $a2->peer = $a1;
    $add('mutual-objects', [$a1, $a2]);
    $m = new ModernSerialize();
    $m->a = $m;
    $m->b = [$m];
    $add('recursive-__serialize', $m);
    $e = Suit::Hearts;
    $add('ref-enum', [&$e, &$e]);

    // Seeded random values.
    mt_srand($seed);
    $pool = [];
    $random = function (int $depth) use (&$random, &$pool) {
        $r = mt_rand(0, $depth > 3 ? 6 : 11);
        switch ($r) {
            case 0: return null;
            case 1: return (bool)mt_rand(0, 1);
            case 2: return mt_rand(-1000, 1000) * (mt_rand(0, 3) === 0 ? mt_rand() * 4096 : 1);
            case 3: return [0.5, -1.25, 1e-9, 3.14159, 1e300, -0.0, 2.0 ** 60][mt_rand(0, 6)] * mt_rand(1, 9);
            case 4: $len = mt_rand(0, 20); $s = ''; for ($i = 0; $i < $len; $i++) $s .= chr(mt_rand(0, 3) === 0 ? mt_rand(0, 255) : mt_rand(97, 122)); return $s;
            case 5: return ['é', '$', 'k', '日本'][mt_rand(0, 3)];
            case 6: return count($pool) > 0 ? $pool[mt_rand(0, count($pool) - 1)] : 7;
            case 7: case 8:
                $n = mt_rand(0, 5); $a = [];
                for ($i = 0; $i < $n; $i++) $a[] = $random($depth + 1);
                return $a;
            case 9:
                $n = mt_rand(0, 5); $a = [];
                for ($i = 0; $i < $n; $i++) {
                    $k = mt_rand(0, 2) === 0 ? mt_rand(-3, 9) : ['a', 'b', '$c', '7', "\xfe", 'long key ' . mt_rand()][mt_rand(0, 5)];
                    $a[$k] = $random($depth + 1);
                }
                return $a;
            case 10:
                $o = new stdClass();
                $n = mt_rand(0, 3);
                for ($i = 0; $i < $n; $i++) $o->{'p' . $i} = $random($depth + 1);
                $pool[] = $o;
                return $o;
            default:
                $o = new Visibility($random($depth + 1));
                $pool[] = $o;
                return $o;
        }
    };
    for ($i = 0; $i < $count; $i++) $add("random-$i", $random(0));

    foreach ($cases as [$id, $v]) {
        $ser = serialize($v);
        $igb = igbinary_serialize($v);
        echo json_encode([
            'id' => $id,
            'ser' => base64_encode($ser),
            'igb' => base64_encode($igb),
            'php' => Canon::json(unserialize($ser)),
            'igb_canon' => Canon::json(igbinary_unserialize($igb)),
        ], JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR), "\n";
    }
}
