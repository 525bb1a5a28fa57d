<?php
// Fill memcached the way two PHP applications do (Samples/make-apps.sh), through php-memcached 3.2:
// a WordPress object cache (default php-memcached settings: modula distribution, the php serializer,
// FastLZ above 2000 bytes) and a Laravel-style pool (OPT_LIBKETAMA_COMPATIBLE, igbinary), plus
// php-memcached's own session keys. Deterministic (seeded).
// usage: php fill_php.php HOST:PORT HOST:PORT HOST:PORT
mt_srand(17);
$servers = array_map(fn($s) => explode(':', $s), array_slice($argv, 1));

$wp = new Memcached();
$wp->setOption(Memcached::OPT_SERIALIZER, Memcached::SERIALIZER_PHP);
$wp->setOption(Memcached::OPT_COMPRESSION_TYPE, Memcached::COMPRESSION_FASTLZ);
foreach ($servers as [$h, $p]) $wp->addServer($h, (int)$p);
// autoloaded options: one key, read on every page view, grown large by plugins (the hot key).
$alloptions = [];
for ($i = 0; $i < 700; $i++) {
    $v = '';
    for ($k = 0; $k < 40; $k++) $v .= md5("option $i $k " . mt_rand());
    $alloptions["option_$i"] = $v;
}
$wp->set('wp_:options:alloptions', $alloptions);
for ($i = 1; $i <= 250; $i++) {
    $post = (object)['ID' => $i, 'post_title' => "Post $i", 'post_content' => str_repeat('lorem ', mt_rand(50, 600)), 'post_status' => 'publish'];
    $wp->set("wp_:posts:$i", $post, 0);
    $wp->set("wp_:post_meta:$i", ['_edit_lock' => [time() . ':1'], '_thumbnail_id' => [(string)mt_rand(1, 999)]], 0);
}
$wp->set('wp_:transient:feed_' . md5('news'), str_repeat('<item/>', 500), 43200);
$wp->set('wp_:counts:posts-post', 250);
$wp->set('wp_:site-options:1:ratio', 76.0);

$lv = new Memcached();
$lv->setOption(Memcached::OPT_LIBKETAMA_COMPATIBLE, true);
$lv->setOption(Memcached::OPT_SERIALIZER, Memcached::SERIALIZER_IGBINARY);
$lv->setOption(Memcached::OPT_COMPRESSION_TYPE, Memcached::COMPRESSION_ZLIB);
foreach ($servers as [$h, $p]) $lv->addServer($h, (int)$p);
for ($i = 0; $i < 120; $i++) {
    $lv->set("laravel_cache:user.$i.profile", ['id' => $i, 'name' => "user$i", 'roles' => ['member'], 'score' => mt_rand() / mt_getrandmax()], 3600);
}
for ($d = 1; $d <= 10; $d++) {
    $rows = [];
    for ($r = 0; $r < 400; $r++) $rows[] = ['day' => "2026-11-$d", 'n' => $r, 'v' => mt_rand(1, 1000000)];
    $lv->set(sprintf('laravel_cache:report-2026-11-%02d', $d), $rows, 86400);
}
// php-memcached's session handler keys (raw session strings, flags 0).
for ($i = 0; $i < 60; $i++) {
    $sid = substr(md5("sid$i"), 0, 26);
    $wp->set("memc.sess.key.$sid", 'user_id|i:' . $i . ';cart|a:0:{}', 1440);
}
// Traffic: every page view reads alloptions; some read posts.
for ($n = 0; $n < 300; $n++) {
    $wp->get('wp_:options:alloptions');
    $wp->get('wp_:posts:' . mt_rand(1, 250));
}
echo "php: done\n";
