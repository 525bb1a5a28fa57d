# Tests/Fixtures/ruby/dalli_fill.rb: fills a memcached through the real Dalli 3.0.6 client and
# ActiveSupport 6.1's MemCacheStore, and writes Rails 7.0 / 7.1 entries built exactly as Rails'
# serializer_with_fallback.rb and cache/coder.rb build them (Rails 7 is not installed here). Prints one
# JSON line per key: the reference canonical JSON of the value as Ruby itself loads it back, its class
# list, and for Rails entries the format, layers and metadata.
# usage: ruby dalli_fill.rb PORT
require 'json'
require 'zlib'
require 'dalli'
require 'active_support'
require 'active_support/cache'
require 'active_support/cache/mem_cache_store'
require_relative 'canon'

class Thing
  def initialize(**ivars)
    ivars.each { |k, v| instance_variable_set("@#{k}", v) }
  end
end

port = ARGV.fetch(0)
server = "127.0.0.1:#{port}"
Dalli.logger.level = Logger::WARN
dc = Dalli::Client.new(server, compress: true)
raw_client = Dalli::Client.new(server, compress: false)
lines = []
emit = lambda do |key, value, extra = {}|
  json, classes = RubyCanon.canonical(value)
  lines << { 'key' => key, 'json' => json.force_encoding('UTF-8'), 'classes' => classes }.merge(extra)
end
meta = ->(pairs) { '{' + pairs.map { |k, v| "\"#{k}\":" + RubyCanon.canonical(v)[0].force_encoding('UTF-8') }.join(',') + '}' }

# Plain Dalli: Marshal (flags 1), Marshal + zlib (flags 3), raw (0) and raw + zlib (2).
plain = {
  'd:str' => 'hello', 'd:int' => 42, 'd:float' => 0.1, 'd:nil' => nil, 'd:sym' => :ok,
  'd:hash' => { 'a' => 1, b: [1, 2.5, 'x'] }, 'd:obj' => Thing.new(id: 7, name: 'Ada'),
  'd:time' => Time.at(1_704_164_645, 123_456_789, :nsec).localtime('+09:00'),
  'd:big-string' => 'lorem ipsum ' * 1000, 'd:big-array' => (1..3000).to_a,
  'd:big-hash' => (1..800).to_h { |i| ["key#{i}", { 'n' => i, 'f' => i / 3.0 }] },
}
plain.each do |k, v|
  dc.set(k, v)
  emit.call(k, dc.get(k))
end
dc.set('d:raw', 'raw value', nil, raw: true)
emit.call('d:raw', 'raw value')
dc.set('d:raw-big', 'R' * 9000, nil, raw: true)
emit.call('d:raw-big', 'R' * 9000)

# Rails 6.1 MemCacheStore (Debian's ActiveSupport 6.1.7): an Entry object, compressed above 1 KiB.
store = ActiveSupport::Cache::MemCacheStore.new(server, namespace: 'app')
rails = {
  'r:small' => [{ 'a' => 1, 'list' => [1, 2] }, { expires_in: 300, version: 'v1' }],
  'r:string' => ['a short string', {}],
  'r:nil' => [nil, {}],
  'r:obj' => [Thing.new(x: 1, when: Time.utc(2024, 1, 2)), { version: 'v2' }],
  'r:big-string' => ['compress me ' * 500, { expires_in: 60 }],
  'r:big-object' => [(1..500).map { |i| { 'i' => i, 's' => "item #{i}" } }, { version: 'v3' }],
}
rails.each do |k, (v, opts)|
  store.write(k, v, **opts)
  entry = raw_client.get("app:#{k}")
  compressed = entry.instance_variable_defined?(:@compressed)
  emit.call("app:#{k}", entry.value,
            'format' => 'activesupport-6.1',
            'layers' => compressed ? %w[marshal rails-entry zlib marshal] : %w[marshal rails-entry],
            'metadata' => meta.call([['version', entry.version], ['created_at', entry.instance_variable_get(:@created_at)],
                                     ['expires_in', entry.instance_variable_get(:@expires_in)]]))
end
store.write('r:raw', 'raw text', raw: true)
emit.call('app:r:raw', 'raw text')

# Rails 7.0 (Marshal70WithFallback): "\x00" + Marshal(entry.pack) or "\x01" + zlib of it.
def pack70(value, expires_at, version)
  members = [value, expires_at, version]
  members.pop while !members.empty? && members.last.nil?
  members
end
[['r70:plain', { 'k' => 'v' }, 1_900_000_000.5, 'ver-1', false],
 ['r70:no-meta', [1, 2, 3], nil, nil, false],
 ['r70:compressed', 'zip ' * 2000, nil, 'ver-2', true]].each do |k, v, exp, ver, zip|
  dumped = Marshal.dump(pack70(v, exp, ver))
  payload = zip ? "\x01".b + Zlib::Deflate.deflate(dumped) : "\x00".b + dumped
  raw_client.set(k, payload)
  back = Marshal.load(zip ? Zlib::Inflate.inflate(payload.byteslice(1..)) : payload.byteslice(1..))
  emit.call(k, back[0], 'format' => 'activesupport-7.0',
                        'layers' => zip ? %w[marshal rails-entry zlib marshal] : %w[marshal rails-entry marshal],
                        'metadata' => meta.call([['expires_at', back[1]], ['version', back[2]]]))
end

# Rails 7.1 (Cache::Coder): "\x00\x11", type, expires_at f64 LE, version length i32 LE, version, payload.
def coder71(value, expires_at, version, zip)
  type = { Encoding::UTF_8 => 2, Encoding::BINARY => 3, Encoding::US_ASCII => 4 }[value.encoding] if value.instance_of?(String)
  if type
    payload = value.b
  else
    type = 1
    payload = Marshal.dump(value)
  end
  if zip
    payload = Zlib::Deflate.deflate(payload)
    type |= 0x80
  end
  v = nil
  if version
    v = version.encoding != Encoding::UTF_8 || version.start_with?("\x04\x08".b) ? Marshal.dump(version) : version.b
  end
  "\x00\x11".b + [type, expires_at || -1.0, v ? v.bytesize : -1].pack('CEl<') + (v || ''.b) + payload
end
[['r71:object', { 'a' => [1, 2] }, 1_900_000_000.25, 'v7', false, %w[marshal rails-entry marshal]],
 ['r71:utf8', 'héllo', nil, nil, false, %w[marshal rails-entry]],
 ['r71:binary', "\xFF\x00".b, nil, 'b'.b, false, %w[marshal rails-entry]],
 ['r71:ascii', 'plain'.dup.force_encoding('US-ASCII'), nil, 'v'.dup.force_encoding('US-ASCII'), false, %w[marshal rails-entry]],
 ['r71:object-zlib', (1..2000).to_a, nil, 'vz', true, %w[marshal rails-entry zlib marshal]],
 ['r71:string-zlib', 'text ' * 1000, 5.0, nil, true, %w[marshal rails-entry zlib]]].each do |k, v, exp, ver, zip, layers|
  raw_client.set(k, coder71(v, exp, ver, zip))
  emit.call(k, v, 'format' => 'activesupport-7.1', 'layers' => layers, 'metadata' => meta.call([['expires_at', exp], ['version', ver]]))
end

lines.each { |l| puts JSON.generate(l) }
