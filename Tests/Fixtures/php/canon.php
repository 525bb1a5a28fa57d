<?php
// Tests/Fixtures/php/canon.php: the reference canonicalizer — a PHP value (as unserialize() or
// igbinary_unserialize() gives it back) written as the canonical JSON of docs/php-values.md, byte for
// byte what the Swift PHPValues module must write. Included by generate.php and memcached_items.php.

ini_set('serialize_precision', '-1');

function canon_is_utf8(string $s): bool
{
    return preg_match('//u', $s) === 1;
}

/** A JSON string of valid UTF-8: only `"`, `\` and controls escaped (the project's JSON text rule). */
function canon_jstr(string $s): string
{
    return json_encode($s, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_LINE_TERMINATORS | JSON_THROW_ON_ERROR);
}

function canon_bytes(string $s): string
{
    return canon_is_utf8($s) ? canon_jstr($s) : '{"$bytes":' . canon_jstr(base64_encode($s)) . '}';
}

function canon_int(int $i): string
{
    return ($i >= -9007199254740991 && $i <= 9007199254740991) ? (string)$i : '{"$int":"' . $i . '"}';
}

/** Swift's `Double.description` (shortest round trip; exponent form below 1e-4 and above 2^53). */
function canon_float(float $f): string
{
    if (is_nan($f)) return '{"$float":"nan"}';
    if (is_infinite($f)) return $f > 0 ? '{"$float":"inf"}' : '{"$float":"-inf"}';
    if ($f == 0.0) return fdiv(1.0, $f) < 0 ? '-0.0' : '0.0';
    $text = substr(serialize($f), 2, -1);  // d:<shortest>; with serialize_precision = -1
    $sign = '';
    if ($text[0] === '-') { $sign = '-'; $text = substr($text, 1); }
    $exp = 0;
    $epos = stripos($text, 'e');
    if ($epos !== false) { $exp = (int)substr($text, $epos + 1); $text = substr($text, 0, $epos); }
    $dot = strpos($text, '.');
    $int = $dot === false ? $text : substr($text, 0, $dot);
    $frac = $dot === false ? '' : substr($text, $dot + 1);
    $digits = $int . $frac;
    $e = strlen($int) - 1 + $exp;
    while (strlen($digits) > 1 && $digits[0] === '0') { $digits = substr($digits, 1); $e--; }
    $digits = rtrim($digits, '0');
    if ($digits === '') $digits = '0';
    if ($e < -4 || abs($f) > 9007199254740992.0) {
        $m = $digits[0] . (strlen($digits) > 1 ? '.' . substr($digits, 1) : '');
        return $sign . $m . 'e' . ($e < 0 ? '-' : '+') . sprintf('%02d', abs($e));
    }
    if ($e >= 0) {
        if (strlen($digits) <= $e + 1) return $sign . $digits . str_repeat('0', $e + 1 - strlen($digits)) . '.0';
        return $sign . substr($digits, 0, $e + 1) . '.' . substr($digits, $e + 1);
    }
    return $sign . '0.' . str_repeat('0', -$e - 1) . $digits;
}

function canon_pointer(array $path): string
{
    $out = '';
    foreach ($path as $seg) $out .= '/' . str_replace(['~', '/'], ['~0', '~1'], (string)$seg);
    return $out;
}

final class Canon
{
    /** reference id => pointer, for references (to arrays) being rendered */
    private array $refs = [];
    /** spl_object_id => pointer, for objects being rendered */
    private array $objs = [];

    public static function json($v): string
    {
        $c = new Canon();
        return $c->value($v, []);
    }

    private function value($v, array $path): string
    {
        if ($v === null) return 'null';
        if ($v === true) return 'true';
        if ($v === false) return 'false';
        if (is_int($v)) return canon_int($v);
        if (is_float($v)) return canon_float($v);
        if (is_string($v)) return canon_bytes($v);
        if (is_array($v)) return $this->arr($v, $path);
        if (is_object($v)) return $this->obj($v, $path);
        throw new RuntimeException('unexpected type ' . gettype($v));
    }

    /** Element $k of $a, with reference cycles written as $ref. */
    private function element(array &$a, $k, array $path): string
    {
        $ref = ReflectionReference::fromArrayElement($a, $k);
        if ($ref !== null && is_array($a[$k])) {
            $id = $ref->getId();
            if (isset($this->refs[$id])) return '{"$ref":' . canon_jstr($this->refs[$id]) . '}';
            $this->refs[$id] = canon_pointer($path);
            $out = $this->value($a[$k], $path);
            unset($this->refs[$id]);
            return $out;
        }
        return $this->value($a[$k], $path);
    }

    private function arr(array $a, array $path): string
    {
        if (array_is_list($a)) {
            $parts = [];
            foreach (array_keys($a) as $i => $k) $parts[] = $this->element($a, $k, array_merge($path, [$i]));
            return '[' . implode(',', $parts) . ']';
        }
        $plain = true;
        foreach (array_keys($a) as $k) {
            if (is_string($k) && (($k !== '' && $k[0] === '$') || !canon_is_utf8($k))) { $plain = false; break; }
        }
        $parts = [];
        if ($plain) {
            foreach (array_keys($a) as $k) $parts[] = canon_jstr((string)$k) . ':' . $this->element($a, $k, array_merge($path, [(string)$k]));
            return '{' . implode(',', $parts) . '}';
        }
        $i = 0;
        foreach (array_keys($a) as $k) {
            $key = is_int($k) ? canon_int($k) : canon_bytes($k);
            $parts[] = '[' . $key . ',' . $this->element($a, $k, array_merge($path, ['$array', $i, 1])) . ']';
            $i++;
        }
        return '{"$array":[' . implode(',', $parts) . ']}';
    }

    private function obj(object $o, array $path): string
    {
        if ($o instanceof UnitEnum) return '{"$enum":' . canon_bytes(get_class($o) . ':' . $o->name) . '}';
        $id = spl_object_id($o);
        if (isset($this->objs[$id])) return '{"$ref":' . canon_jstr($this->objs[$id]) . '}';
        $class = get_class($o);
        if ($o instanceof __PHP_Incomplete_Class) {
            $props = (array)$o;
            $class = $props['__PHP_Incomplete_Class_Name'];
            unset($props['__PHP_Incomplete_Class_Name']);
        } elseif (method_exists($o, '__serialize')) {
            $props = $o->__serialize();
        } elseif ($o instanceof Serializable) {
            return '{"$class":' . canon_bytes($class) . ',"$serialized":' . canon_bytes($o->serialize()) . '}';
        } else {
            $props = (array)$o;
        }
        $this->objs[$id] = canon_pointer($path);
        $utf8 = true;
        foreach (array_keys($props) as $k) if (is_string($k) && !canon_is_utf8($k)) { $utf8 = false; break; }
        $parts = [];
        $i = 0;
        foreach (array_keys($props) as $k) {
            if ($utf8) {
                $parts[] = canon_jstr((string)$k) . ':' . $this->element($props, $k, array_merge($path, ['$props', (string)$k]));
            } else {
                $parts[] = '[' . canon_bytes((string)$k) . ',' . $this->element($props, $k, array_merge($path, ['$props', $i, 1])) . ']';
            }
            $i++;
        }
        unset($this->objs[$id]);
        $body = $utf8 ? '{' . implode(',', $parts) . '}' : '[' . implode(',', $parts) . ']';
        return '{"$class":' . canon_bytes($class) . ',"$props":' . $body . '}';
    }
}
