# Tests/Fixtures/ruby/marshal_cases.rb: builds a wide set of Ruby values, dumps each with Marshal.dump,
# loads it back with Marshal.load and prints one JSON line per case: name, the dump (base64), and the
# reference canonical JSON and class list that canon.rb writes from the loaded value.
# usage: ruby marshal_cases.rb > cases.jsonl   (RubyMarshalTests runs it at test time)
require 'json'
require 'set'
require 'active_support'
require 'active_support/core_ext/hash/indifferent_access'
require_relative 'canon'

Point = Struct.new(:x, :y)
module Greeting; end
module Loud; end

class Thing
  def initialize(**ivars)
    ivars.each { |k, v| instance_variable_set("@#{k}", v) }
  end
end

class UDump
  attr_reader :payload
  def initialize(payload) = @payload = payload
  def _dump(_level) = @payload
  def self._load(s) = new(s)
end

class UMarsh
  def initialize(a, b) = (@a = a; @b = b)
  def marshal_dump = [@a, { 'b' => @b }]
  def marshal_load(d) = (@a = d[0]; @b = d[1]['b'])
end

class MyString < String; end
class MyArray < Array; end
class MyHash < Hash; end

def with_tz(tz)
  old = ENV['TZ']
  ENV['TZ'] = tz
  yield
ensure
  ENV['TZ'] = old
end

cases = {}
cases['nil'] = nil
cases['true'] = true
cases['false'] = false
[0, 1, -1, 122, 123, -123, -124, 255, 256, -256, -257, 65_535, 65_536, 2**30 - 1, -(2**30), 2**30, -(2**30) - 1, 2**31, 2**40,
 2**53 - 1, 2**53, -(2**53 - 1), -(2**53), 2**62, -(2**62), 2**64, 2**100, -(2**100), 123_456_789_012_345_678_901_234_567_890].each do |n|
  cases["int #{n}"] = n
end
[0.0, -0.0, 1.0, 1.5, -2.25, 0.1, 1.0 / 3, 1e100, -1e-100, 1e16, 1e15, 123_456.789, 2.5e-5, 0.0001, 5e-324, 1.7976931348623157e308,
 Float::NAN, Float::INFINITY, -Float::INFINITY, 9_007_199_254_740_993.0].each_with_index do |f, i|
  cases["float #{i} #{f}"] = f
end
cases['string utf8'] = 'héllo wörld'
cases['string empty'] = ''
cases['string escapes'] = "q\"b\\s/\n\t\r\b\f\u0001\u001f\u007f"
cases['string us-ascii'] = 'plain'.dup.force_encoding('US-ASCII')
cases['string binary utf8-valid'] = 'abc'.b
cases['string binary invalid'] = "\xFF\xFE\x00x".b
cases['string utf8 invalid'] = "ok\xC3".dup.force_encoding('UTF-8')
cases['string shift_jis'] = 'テスト'.encode('Shift_JIS')
cases['string euc-jp'] = '日本'.encode('EUC-JP')
cases['string windows-1252'] = 'caf\xE9'.dup.force_encoding('Windows-1252')
cases['string long'] = 'x' * 3000
cases['symbol'] = :hello
cases['symbol non-ascii'] = :"é"
cases['symbols reused'] = [:a, :b, :a, :c, :b, :a]
cases['symbol keys and values'] = { a: :a, b: [:a, :b] }
cases['array'] = [1, 'two', 3.0, nil, true, [4, [5]]]
cases['array empty'] = []
cases['array big'] = (1..3000).to_a
cases['array nested 60'] = (1..60).reduce([]) { |a, _| [a] }
shared = 'shared'
cases['string shared'] = [shared, shared, [shared]]
inner = [1, 2]
cases['array shared'] = [inner, inner, { 'k' => inner }]
cyc = [1]
cyc << cyc
cases['array cycle'] = cyc
deep = [[1]]
deep[0] << deep
cases['array cycle nested'] = deep
hcyc = { 'name' => 'h' }
hcyc['self'] = hcyc
cases['hash cycle'] = hcyc
ocyc = Thing.new(name: 'o')
ocyc.instance_variable_set(:@me, ocyc)
ocyc.instance_variable_set(:@list, [ocyc])
cases['object cycle'] = ocyc
cases['hash string keys'] = { 'a' => 1, 'b' => 'x', 'é' => nil }
cases['hash symbol keys'] = { a: 1, b: { c: 2 } }
cases['hash int keys'] = { 1 => 2, 3 => 4 }
cases['hash dollar key'] = { '$x' => 1 }
cases['hash duplicate names'] = { 'a' => 1, a: 2 }
cases['hash array key'] = { [1, 2] => 'v' }
cases['hash binary key invalid'] = { "\xFF".b => 1 }
cases['hash sjis key'] = { 'キー'.encode('Shift_JIS') => 1 }
cases['hash empty'] = {}
hd = Hash.new(5)
hd['a'] = 1
cases['hash default'] = hd
hd2 = Hash.new('dflt')
cases['hash default empty'] = hd2
cases['hwia'] = ActiveSupport::HashWithIndifferentAccess.new('a' => 1, 'b' => [1, 2], 'c' => { 'd' => 'e' })
cases['set'] = Set[1, 'two', :three]
cases['struct'] = Point.new(1, 'y')
cases['struct nested'] = Point.new(Point.new(1, 2), [Point.new(3, 4)])
cases['object ivars'] = Thing.new(a: 1, b: 'two', c: [3], d: { 'e' => 4.5 })
cases['object no ivars'] = Thing.new
ext = Thing.new(a: 1)
ext.extend(Greeting)
cases['object extended'] = ext
ext2 = Thing.new(z: 0)
ext2.extend(Greeting)
ext2.extend(Loud)
cases['object extended twice'] = ext2
sext = +'greeting'
sext.extend(Greeting)
cases['string extended'] = sext
hext = { 'k' => 1 }
hext.extend(Loud)
cases['hash extended'] = hext
siv = +'tagged'
siv.instance_variable_set(:@note, 1)
cases['string with ivar'] = siv
aiv = [1]
aiv.instance_variable_set(:@x, 'y')
cases['array with ivar'] = aiv
cases['string subclass'] = MyString.new('sub')
cases['array subclass'] = MyArray[1, 2]
mh = MyHash.new
mh[:k] = 'v'
cases['hash subclass'] = mh
cases['regexp'] = /ab+c/ix
cases['regexp utf8'] = /é+/
cases['regexp multiline'] = /x.y/m
cases['regexp noencoding'] = /\xff/n
cases['class'] = String
cases['class user'] = Thing
cases['module'] = Kernel
cases['module user'] = Greeting
cases['classes in array'] = [Comparable, Integer, Point]
cases['rational'] = Rational(1, 3)
cases['rational big'] = Rational(2**70, 3)
cases['complex'] = Complex(1, 2)
cases['complex float'] = Complex(1.5, -0.5)
cases['user _dump'] = UDump.new("pay\x00load".b)
cases['user marshal_dump'] = UMarsh.new(1, 'two')
t1 = Time.utc(2024, 1, 2, 3, 4, 5)
cases['time utc'] = t1
cases['time utc nsec'] = Time.at(1_704_164_645, 123_456_789, :nsec).utc
cases['time offset +09:00 nsec'] = Time.at(1_704_164_645, 123_456_789, :nsec).localtime('+09:00')
cases['time offset -05:30 usec'] = Time.at(1_704_164_645, 654_321, :usec).localtime('-05:30')
cases['time offset seconds'] = Time.at(0).localtime(3601)
cases['time 1900'] = Time.utc(1900, 1, 1, 0, 0, 0)
cases['time 1969 local'] = Time.utc(1969, 7, 20, 20, 17, 40).localtime('-04:00')
cases['time 2100'] = Time.utc(2100, 2, 28, 23, 59, 59, 999_999)
cases['time leap day'] = Time.utc(2024, 2, 29, 12, 0, 0, 1)
with_tz('Asia/Tokyo') { cases['time tz tokyo'] = Time.at(1_704_164_645, 5, :nsec).localtime }
with_tz('Europe/Berlin') do
  cases['time tz berlin winter'] = Time.at(1_704_164_645).localtime
  cases['time tz berlin summer'] = Time.at(1_720_000_000, 42, :usec).localtime
end
with_tz('America/New_York') { cases['time tz new york day wrap'] = Time.utc(2024, 1, 1, 2, 0, 0).localtime }
cases['times shared'] = [t1, t1, 'after']
big = 2**70
cases['bignum shared'] = [big, big, 'x']
f = 1.5
cases['float shared'] = [f, f, 2.5, f]
x = +'x'
cases['index after encoding string'] = ['テ'.encode('Shift_JIS'), x, x]
cases['index after l'] = [2**40, x, x]
cases['index after time'] = [Time.utc(2020), x, x]
cases['mixed document'] = {
  'user' => Thing.new(id: 42, name: 'Ada', tags: [:admin, :ops], joined: Time.utc(2020, 5, 17, 8, 0, 0, 250_000)),
  'scores' => [1.5, 2**64, -3],
  :meta => { 'h' => ActiveSupport::HashWithIndifferentAccess.new('k' => 'v') },
}

cases.each do |name, value|
  dumped = Marshal.dump(value)
  loaded = Marshal.load(dumped)
  json, classes = RubyCanon.canonical(loaded)
  puts JSON.generate({ 'name' => name, 'b64' => [dumped].pack('m0'), 'json' => json.force_encoding('UTF-8'), 'classes' => classes })
end
