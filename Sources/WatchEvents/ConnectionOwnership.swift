// WatchEvents/ConnectionOwnership: which connection an item event came from — the collector's own or
// a client's. memcached names the connection by its file descriptor (`cfd`), which it reuses once a
// connection closes; the `connevents` stream says when each descriptor was opened (`conn_new`, with
// the peer's address and port) and closed, and every event has a global sequence number (`gid`).
// An event on descriptor D with gid G belongs to the connection of the last `conn_new`/`conn_close`
// on D before G: exact whatever order the server's worker threads hand their lines to the watcher in
// (a connection's own events always follow its `conn_new` in its thread's order). Connections open
// before the watch began have no `conn_new`: they are the clients' (the collector opens its own after).
/// Descriptor → the opening and closing of the connections on it, by gid. Peers are kept as memcached
/// names them (`ip:port`) and judged when an event is asked about: a connection is known as the
/// collector's only once it has connected, which may be after memcached logged its `conn_new`.
public struct ConnectionOwnership: Sendable {
    /// One opening (with the peer) or closing (peer nil) on a descriptor.
    struct Change: Sendable {
        var gid: UInt64
        var peer: String?
    }
    private var changes: [Int: [Change]] = [:]
    /// Changes kept per descriptor (the oldest are dropped; an event older than all kept is a client's).
    static let kept = 16

    public init() {}

    /// A `conn_new` on `cfd` at `gid` from `peer` (`ip:port`).
    public mutating func opened(cfd: Int, gid: UInt64, peer: String) { add(cfd, Change(gid: gid, peer: peer)) }

    /// A `conn_close` on `cfd` at `gid`.
    public mutating func closed(cfd: Int, gid: UInt64) { add(cfd, Change(gid: gid, peer: nil)) }

    /// The peer of the connection the event with `gid` on `cfd` came from: the last opening or closing
    /// on `cfd` before `gid` (nil: the connection was open before the watch began, or closed).
    public func peer(cfd: Int, gid: UInt64) -> String? {
        guard let list = changes[cfd] else { return nil }
        var best: Change?
        for c in list where c.gid < gid && c.gid >= (best?.gid ?? 0) { best = c }
        return best?.peer
    }

    private mutating func add(_ cfd: Int, _ c: Change) {
        var list = changes[cfd] ?? []
        list.append(c)
        if list.count > ConnectionOwnership.kept {
            list.sort { $0.gid < $1.gid }
            list.removeFirst(list.count - ConnectionOwnership.kept)
        }
        changes[cfd] = list
    }
}
