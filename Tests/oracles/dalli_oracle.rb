# Dalli oracle for Tests/KeyPlacementTests: Dalli's own ring (Debian ruby-dalli 3.0.6) places keys read from stdin.
#
# Usage: ruby dalli_oracle.rb MODE CONFIG_JSON < keys.hex   (one key per line, hex of its wire bytes)
# Prints one line per key. Modes (CONFIG_JSON fields in brackets):
#   server  [servers]          index of the server Dalli::Ring#server_for_key picks (every server alive)
#   chain   [servers, dead, failover]  indices of the servers the ring looked up, in order, then " none" if it
#                              raised RingError (failover: Dalli's option, default true)
#   crc32   []                 Zlib.crc32 of the key (the ring's key hash)
#   store   [servers]          sets every key through a real Dalli::Client (binary protocol, raw values) into the
#                              memcached processes named by servers (127.0.0.1 ports), then prints the index of
#                              the one server holding each key (a text-protocol multi-get on each; "missing" or
#                              "many:i,j" otherwise)
# servers: ["host:port:weight", ...] exactly as a Dalli::Client is configured. The ring is the client's own
# (Dalli::Client#ring over Dalli::Protocol::Binary servers); no server is contacted: each server's alive? is
# replaced by a stub that records the call and answers from `dead` (server indices).
require 'json'
require 'socket'
require 'zlib'
require 'dalli'

def keys
  $stdin.each_line.map { |line| [line.strip].pack('H*') }
end

# The subset of keys the memcached on 127.0.0.1:port holds (text-protocol `get`, 50 keys a request).
def held_keys(port, keys)
  held = {}
  TCPSocket.open('127.0.0.1', port) do |sock|
    keys.each_slice(50) do |batch|
      sock.write("get #{batch.join(' ')}\r\n".b)
      loop do
        line = sock.gets("\r\n")
        raise "connection closed by port #{port}" if line.nil?
        break if line == "END\r\n"

        parts = line.split(' ')
        raise "unexpected reply from port #{port}: #{line.inspect}" unless parts.size == 4 && parts[0] == 'VALUE'

        sock.read(Integer(parts[3]) + 2)
        held[parts[1].b] = true
      end
    end
  end
  held
end

mode = ARGV.fetch(0)
cfg = JSON.parse(ARGV.fetch(1))
out = []
case mode
when 'crc32'
  out = keys.map { |k| Zlib.crc32(k) }
when 'store'
  client = Dalli::Client.new(cfg.fetch('servers'), socket_timeout: 5)
  ks = keys.map(&:b)
  ks.each { |k| raise "Dalli set #{k.inspect} failed" unless client.set(k, 'v', 0, raw: true) }
  client.close
  held = cfg.fetch('servers').map { |s| held_keys(Integer(s.split(':')[1]), ks) }
  out = ks.map do |k|
    where = held.each_index.select { |i| held[i][k] }
    where.size == 1 ? where[0].to_s : (where.empty? ? 'missing' : "many:#{where.join(',')}")
  end
when 'server', 'chain'
  dead = cfg.fetch('dead', [])
  client = Dalli::Client.new(cfg.fetch('servers'), failover: cfg.fetch('failover', true))
  ring = client.send(:ring)
  raise "ring has #{ring.servers.size} servers" unless ring.servers.size == cfg['servers'].size

  tried = []
  ring.servers.each_with_index do |server, i|
    server.define_singleton_method(:alive?) do
      tried << i
      !dead.include?(i)
    end
  end
  keys.each do |k|
    tried.clear
    begin
      server = ring.server_for_key(k)
      index = ring.servers.index { |s| s.equal?(server) }
      # With a ring, server_for_key asks the chosen server's alive? once more after server_from_continuum
      # found it alive; that repeated call is not another lookup, so it is dropped here.
      if ring.continuum
        raise "unexpected alive? calls #{tried}" unless tried.size >= 2 && tried[-1] == index && tried[-2] == index

        tried.pop
      end
      out << (mode == 'server' ? index.to_s : tried.join(' '))
    rescue Dalli::RingError
      raise "every server answered alive? but the ring raised" if mode == 'server'

      out << "#{tried.join(' ')} none"
    end
  end
else
  abort "unknown mode #{mode}"
end
$stdout.write(out.map { |v| "#{v}\n" }.join)
