<?php
// Tests/Fixtures/php/memcached_items.php: stores values through the real php-memcached into the
// memcached at 127.0.0.1:PORT (serializers php, igbinary, json, msgpack; compression off, fastlz and
// zlib; user flags), reads each item back raw with a plain text-protocol `get`, and writes one JSON line
// per item: {"key", "flags", "raw" (base64 of the stored bytes), "expect" (canonical JSON, from the
// value php-memcached's own get() returns), "original" (base64 of the string stored, for strings)}.
// usage: php memcached_items.php PORT > items.jsonl

require __DIR__ . '/canon.php';
error_reporting(E_ALL & ~E_DEPRECATED);

class Visibility
{
    public $pub = 1;
    protected $prot = 'two';
    private $priv = [3];
}

enum Suit: string
{
    case Hearts = 'H';
}

$port = (int)($argv[1] ?? 11211);
ini_set('memcached.compression_threshold', '2000');
ini_set('memcached.compression_factor', '1.3');

function raw_get(int $port, string $key): array
{
    $fp = fsockopen('127.0.0.1', $port, $errno, $errstr, 5);
    if (!$fp) throw new RuntimeException("connect: $errstr");
    fwrite($fp, "get $key\r\n");
    $line = fgets($fp);
    if (!preg_match('/^VALUE (\S+) (\d+) (\d+)\r\n$/', $line, $m)) throw new RuntimeException("unexpected reply: $line");
    $n = (int)$m[3];
    $data = '';
    while (strlen($data) < $n + 2) $data .= fread($fp, $n + 2 - strlen($data));
    fclose($fp);
    return [(int)$m[2], substr($data, 0, $n)];
}

$o = new stdClass();
$o->v = 'same';
$values = [
    'null' => null, 'true' => true, 'false' => false, 'zero' => 0, 'int' => -42, 'bigint' => PHP_INT_MAX, 'intmin' => PHP_INT_MIN,
    'float' => 0.1, 'float-int' => 76.0, 'float-big' => 1e25, 'float-small' => 1.5e-5, 'float-negzero' => -0.0, 'million' => 1e6,
    'nan' => NAN, 'inf' => INF, 'ninf' => -INF,
    'empty' => '', 'string' => 'héllo', 'binary' => "\x00\xff",
    'list' => [1, 2.5, 'three', null, false], 'map' => ['a' => 1, 'b' => ['c' => 'd']], 'intkeys' => [5 => 'five', 9 => 'nine'],
    'dollar' => ['$x' => 1], 'object' => new Visibility(), 'shared' => [$o, $o], 'enum' => Suit::Hearts,
    'big-string-l1' => str_repeat('abcdefghij', 3000) . 'tail',      // 30004 bytes: FastLZ level 1
    'big-string-l2' => str_repeat('0123456789ABCDEF', 12500) . 'end',  // 200003 bytes: level 2
    'big-array' => array_fill(0, 2000, 'repeated value'),
    'big-binary' => str_repeat("\xff\x00\x80", 30000),
];
$serializers = ['php' => Memcached::SERIALIZER_PHP, 'igbinary' => Memcached::SERIALIZER_IGBINARY];
if (Memcached::HAVE_JSON) $serializers['json'] = Memcached::SERIALIZER_JSON_ARRAY;
if (Memcached::HAVE_MSGPACK) $serializers['msgpack'] = Memcached::SERIALIZER_MSGPACK;
// JSON and msgpack carry no PHP types: only values whose JSON form matches the PHP canonical form.
$plainOnly = ['null', 'true', 'false', 'zero', 'int', 'float-big', 'string', 'list', 'map', 'intkeys', 'big-string-l1', 'big-array', 'float'];
$compressions = ['none' => null, 'fastlz' => Memcached::COMPRESSION_FASTLZ, 'zlib' => Memcached::COMPRESSION_ZLIB];

$n = 0;
foreach ($serializers as $sname => $serializer) {
    foreach ($compressions as $cname => $compression) {
        foreach ([0, 5] as $userFlags) {
            $m = new Memcached();
            $m->addServer('127.0.0.1', $port);
            $m->setOption(Memcached::OPT_SERIALIZER, $serializer);
            $m->setOption(Memcached::OPT_COMPRESSION, $compression !== null);
            if ($compression !== null) $m->setOption(Memcached::OPT_COMPRESSION_TYPE, $compression);
            if ($userFlags) $m->setOption(Memcached::OPT_USER_FLAGS, $userFlags);
            foreach ($values as $vname => $v) {
                if (($sname === 'json' || $sname === 'msgpack') && !in_array($vname, $plainOnly, true)) continue;
                if ($sname === 'msgpack' && $vname === 'intkeys') continue;  // msgpack keeps int keys: {"$map": …}
                if ($userFlags && !in_array($vname, ['int', 'map', 'string', 'big-string-l1'], true)) continue;
                $key = "$sname.$cname.$userFlags.$vname";
                if (!$m->set($key, $v)) throw new RuntimeException("set $key: " . $m->getResultMessage());
                $back = $m->get($key);
                [$flags, $raw] = raw_get($port, $key);
                $line = ['key' => $key, 'flags' => $flags, 'raw' => base64_encode($raw), 'expect' => Canon::json($back)];
                if (is_string($v)) $line['original'] = base64_encode($v);
                echo json_encode($line, JSON_UNESCAPED_SLASHES | JSON_THROW_ON_ERROR), "\n";
                $n++;
            }
        }
    }
}
fwrite(STDERR, "$n items\n");
