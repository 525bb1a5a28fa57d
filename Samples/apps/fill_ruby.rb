# Fill memcached the way a Rails shop does (Samples/make-apps.sh): ActiveSupport 6.1's MemCacheStore
# over Dalli 3.0 (Dalli's ring over the servers, namespace "shop"): fragment caches (`views/…`), a few
# large catalog pages, cache-store sessions and Rack::Attack
# throttle counters (raw increments). Deterministic (seeded).
# usage: ruby fill_ruby.rb HOST:PORT HOST:PORT HOST:PORT
require 'dalli'
require 'active_support'
require 'active_support/cache'
require 'active_support/cache/mem_cache_store'
require 'digest'

Dalli.logger.level = Logger::WARN
servers = ARGV
store = ActiveSupport::Cache::MemCacheStore.new(*servers, namespace: 'shop', compress: true, compress_threshold: 1024)
rng = Random.new(17)

# Product fragments.
200.times do |i|
  store.write("views/products/#{i}-20261201120000/summary", "<div class=product>#{'x' * rng.rand(200..900)}</div>", expires_in: 3600)
end
# Catalog pages: large, and cached for a day.
6.times do |page|
  html = (1..1200).map { |n| "<tr><td>#{page}-#{n}</td><td>#{Digest::SHA1.hexdigest("#{page}:#{n}")}</td></tr>" }.join
  store.write("views/catalog/page-#{page}", html, expires_in: 86_400, compress: false)
end
# Cache-store sessions: `_session_id:2::<sha256 of the private id>`.
80.times do |i|
  store.write("_session_id:2::#{Digest::SHA256.hexdigest("session-#{i}")}", { 'user_id' => i, 'flash' => {}, 'cart' => [rng.rand(1..300)] }, expires_in: 1800)
end
# Rack::Attack throttles: raw counters through Dalli.
dalli = Dalli::Client.new(servers, namespace: 'shop')
60.times do |i|
  key = "rack::attack:#{29_000_000 + i % 3}:req/ip:10.0.#{i / 10}.#{i % 10}"
  dalli.incr(key, 1, 300, rng.rand(1..40))
end
# Traffic: catalog pages and product fragments are read.
200.times do
  store.read("views/catalog/page-#{rng.rand(0..5)}")
  store.read("views/products/#{rng.rand(0..199)}-20261201120000/summary")
end
puts 'ruby: done'
