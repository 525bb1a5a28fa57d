// WatchEventsTests: memcached's watch lines as 1.6.18 writes them, whose connection an event came from
// when descriptors are reused, and the per-key tally (a store's lookup is not a read).
import Testing
import WatchEvents

private func parse(_ s: String) -> WatchLine? { WatchLine.parse(Array(s.utf8)[...]) }

@Suite struct WatchLineTests {
    @Test func itemEventsAsTheServerWritesThem() throws {
        let get = try #require(parse("ts=1796586584.41985 gid=3 type=item_get key=k%2520x%2F%C3%A9 status=found clsid=1 cfd=25 size=3"))
        #expect(get.type == .itemGet && get.gid == 3 && get.cfd == 25 && get.size == 3 && get.clsid == 1)
        // The microseconds are not zero-padded: .41985 is 41,985 µs.
        #expect(get.seconds == 1_796_586_584 && get.micros == 41985)
        #expect(get.time == 1_796_586_584.041985)
        #expect(get.key.map { Array($0) } == Array("k%2520x%2F%C3%A9".utf8))
        #expect(get.statusIs.found && !get.statusIs.stored)
        let store = try #require(parse("ts=1.5 gid=4 type=item_store key=foo status=stored cmd=set ttl=0 clsid=1 cfd=25 size=3"))
        #expect(store.type == .itemStore && store.statusIs.stored && store.cmd.map { Array($0) } == Array("set".utf8))
        let new = try #require(parse("ts=1.2 gid=2 type=conn_new rip=127.0.0.1 rport=37072 transport=tcp cfd=25"))
        #expect(new.type == .connNew && new.rport == 37072 && new.rip.map { Array($0) } == Array("127.0.0.1".utf8))
        #expect(parse("ts=1.2 gid=2 type=mystery x=y")?.type == .other)
        #expect(parse("skipped=30880")?.skipped == 30880)
    }

    @Test func linesThatAreNotEvents() {
        #expect(parse("OK") == nil)
        #expect(parse("ERROR") == nil)
        #expect(parse("ts=1.2 gid=2 key=x") == nil)  // no type
        #expect(parse("") == nil)
    }
}

@Suite struct ConnectionOwnershipTests {
    @Test func aReusedDescriptorIsJudgedByGid() {
        var o = ConnectionOwnership()
        // Descriptor 30: the collector's connection (gids 10…20), then a client's from gid 25.
        o.opened(cfd: 30, gid: 10, peer: "127.0.0.1:5000")
        o.closed(cfd: 30, gid: 20)
        o.opened(cfd: 30, gid: 25, peer: "127.0.0.1:6000")
        #expect(o.peer(cfd: 30, gid: 15) == "127.0.0.1:5000")
        #expect(o.peer(cfd: 30, gid: 22) == nil)
        #expect(o.peer(cfd: 30, gid: 26) == "127.0.0.1:6000")
        // Open before the watch began: no conn_new, a client's.
        #expect(o.peer(cfd: 31, gid: 26) == nil)
        // The order the lines arrive in does not matter: a later conn_new first.
        var late = ConnectionOwnership()
        late.opened(cfd: 9, gid: 50, peer: "b")
        late.opened(cfd: 9, gid: 5, peer: "a")
        #expect(late.peer(cfd: 9, gid: 6) == "a" && late.peer(cfd: 9, gid: 51) == "b")
    }
}

@Suite struct TrafficTallyTests {
    static func tally(_ lines: [String]) -> TrafficTally {
        var t = TrafficTally()
        for l in lines { t.add(line: Array(l.utf8)[...]) }
        t.finish()
        return t
    }

    @Test func aStoresLookupIsNotARead() throws {
        let t = Self.tally([
            // set foo: lookup + store; get foo; get nope; get foo then set foo on one connection.
            "ts=1.1 gid=3 type=item_get key=foo status=not_found clsid=0 cfd=25 size=0",
            "ts=1.1 gid=4 type=item_store key=foo status=stored cmd=set ttl=0 clsid=1 cfd=25 size=3",
            "ts=1.2 gid=5 type=item_get key=foo status=found clsid=1 cfd=25 size=3",
            "ts=1.2 gid=6 type=item_get key=nope status=not_found clsid=0 cfd=25 size=0",
            "ts=1.3 gid=7 type=item_get key=foo status=found clsid=1 cfd=26 size=3",
            "ts=1.3 gid=8 type=item_get key=foo status=found clsid=1 cfd=26 size=3",
            "ts=1.3 gid=9 type=item_store key=foo status=stored cmd=set ttl=0 clsid=1 cfd=26 size=4",
            "ts=1.4 gid=10 type=eviction key=old fetch=no ttl=-1 la=5 clsid=2 size=9",
            "skipped=7",
            "garbage",
        ])
        let foo = try #require(t.keys[Array("foo".utf8)])
        #expect(foo.gets == 2 && foo.hits == 2 && foo.misses == 0 && foo.bytesRead == 6)
        #expect(foo.sets == 2 && foo.stored == 2 && foo.bytesWritten == 7 && foo.clsid == 1)
        #expect(
            t.keys[Array("nope".utf8)]
                == {
                    var k = KeyTraffic()
                    k.gets = 1
                    k.misses = 1
                    return k
                }())
        #expect(t.keys[Array("old".utf8)]?.evictions == 1)
        #expect(t.storeLookups == 2 && t.skipped == 7 && t.unreadable == 1 && t.lines == 10)
        // "1.1" is 1 s and 1 µs (memcached does not zero-pad the microseconds).
        #expect(t.firstTime == 1.000001 && t.lastTime == 1.000004)
    }

    @Test func keysBeyondTheTableAreSummed() {
        var t = TrafficTally(maxKeys: 2)
        for k in ["a", "b", "c", "d"] {
            t.add(line: Array("ts=1.0 gid=1 type=item_get key=\(k) status=found clsid=1 cfd=1 size=10".utf8)[...])
        }
        t.finish()
        #expect(t.keys.count == 2 && t.other.gets == 2 && t.other.bytesRead == 20)
    }

    @Test func aKeyThatIsNotValidEscapingIsUnreadable() {
        let t = Self.tally(["ts=1.0 gid=1 type=item_get key=%zz status=found clsid=1 cfd=1 size=10"])
        #expect(t.keys.isEmpty && t.unreadable == 1)
    }
}
