// CollectTests/FetchFlushTests: a fetch connection that breaks mid-batch. The capture batch keeps
// records until it has enough of them (the real one: half a gzip member); what it holds when the
// connection fails must still reach the sink, and the failure is reported. The server here is a
// scripted loopback listener that answers the `mn` probe, then only the first key of the batch, then
// closes the connection.
import Foundation
import MemcacheProtocol
import Synchronization
import Testing

@testable import MemcacheClient

#if canImport(Glibc)
    import Glibc
#endif

/// A batch that hands nothing over before `flush`, and a sink that records what reaches it.
final class HoldingSink: CaptureSink, @unchecked Sendable {
    let lock = Mutex<(items: [[UInt8]], values: [[UInt8]], misses: [[UInt8]], flushes: Int)>(([], [], [], 0))

    final class Batch: CaptureBatch {
        let sink: HoldingSink
        var held: [([UInt8], [UInt8])] = []
        init(_ sink: HoldingSink) { self.sink = sink }
        func item(_ item: CapturedItem, value: UnsafeRawBufferPointer?) throws {
            held.append((item.key, value.map { Array($0) } ?? []))
        }
        func miss(key: [UInt8], reason: String) throws { held.append((key, [])) }
        func commit() throws {}  // keeps everything, as the real batch does below half a member
        func flush() throws {
            let taken = held
            held = []
            sink.lock.withLock {
                for (k, v) in taken {
                    $0.items.append(k)
                    $0.values.append(v)
                }
                $0.flushes += 1
            }
        }
    }

    func item(_ item: CapturedItem, value: [UInt8]?) throws {}
    func miss(key: [UInt8], reason: String) throws { lock.withLock { $0.misses.append(key) } }
    func note(level: String, message: String) throws {}
    func makeBatch() -> CaptureBatch { Batch(self) }
}

final class FixedKeys: KeySource {
    var keys: [ListedKey]
    init(_ keys: [String]) { self.keys = keys.map { ListedKey(key: Array($0.utf8)) } }
    func nextKey() throws -> KeyPoll { keys.isEmpty ? .end : .key(keys.removeFirst()) }
}

/// Reads from `fd` until the bytes read so far contain `marker` `times` times (or the peer closes).
/// A read interrupted by a signal (the suite's other tests start and reap processes) is retried.
private func readUntil(_ fd: Int32, _ marker: String, times: Int) -> String {
    var got = [UInt8]()
    var buf = [UInt8](repeating: 0, count: 4096)
    while String(decoding: got, as: UTF8.self).components(separatedBy: marker).count - 1 < times {
        let n = buf.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { break }
        got += buf[0..<n]
    }
    return String(decoding: got, as: UTF8.self)
}

/// Writes all of `text` to `fd`, retrying after signals and short writes.
private func writeAll(_ fd: Int32, _ text: String) {
    let bytes = Array(text.utf8)
    var off = 0
    while off < bytes.count {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + off, $0.count - off) }
        if n < 0 && errno == EINTR { continue }
        if n <= 0 { return }
        off += n
    }
}

@Suite struct FetchFlushTests {
    @Test func recordsHeldWhenTheConnectionBreaksStillReachTheSink() async throws {
        let listener = try SilentListener()
        let fd = listener.fd
        let served = Mutex<String>("")
        let server = Thread {
            var c: Int32
            repeat { c = accept(fd, nil, nil) } while c < 0 && errno == EINTR
            guard c >= 0 else { return }
            defer { close(c) }
            _ = readUntil(c, "mn\r\n", times: 1)  // the probe for meta commands
            writeAll(c, "MN\r\n")
            let batch = readUntil(c, "mn\r\n", times: 1)
            served.withLock { $0 = batch }
            writeAll(c, "VA 5 f3 t-1 c42 O0\r\nhello\r\n")  // the first key only, then the connection ends
        }
        server.start()
        let info = ServerInfo(version: "1.6.18", stats: [], serverTime: 1_800_000_000, serverUptime: 1, monotonicAtStats: 0)
        var options = FetchOptions()
        options.connections = 1
        let sink = HoldingSink()
        let summary = await ValueFetcher.run(
            // Generous timeouts: beside the suite's blocking tests on two cores this task can wait a
            // long time for a thread (measured: ~45 s), and a read timeout would end it early.
            host: "127.0.0.1", port: Int(listener.port), connection: ConnectionOptions(connectTimeout: 300, readTimeout: 300),
            source: FixedKeys(["k0", "k1", "k2"]), options: options, server: info, sink: sink,
            progress: CaptureProgress(), stop: StopFlag())
        #expect(summary.errors.count == 1, "\(summary.errors)")
        #expect(summary.errors.first?.contains("closed") == true, "\(summary.errors)")
        #expect(served.withLock { $0 }.hasPrefix("mg k0 v f t c u q O0\r\nmg k1 "))
        withExtendedLifetime(listener) {}  // its descriptor stays open until the fetch is over
        let got = sink.lock.withLock { $0 }
        #expect(got.items == [Array("k0".utf8)], "the item answered before the break is kept")
        #expect(got.values == [Array("hello".utf8)])
        #expect(got.flushes == 1)
    }
}
