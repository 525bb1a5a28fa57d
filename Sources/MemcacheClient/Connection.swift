// MemcacheClient/Connection: one TCP connection to a memcached server over SwiftNIO, with a connect
// timeout, a read timeout and a receive buffer the MemcacheProtocol parsers read from. Only
// `ReadOnlyRequest`s can be sent.
//
// The read timeout bounds two things, so that no server behaviour can stretch a wait: the silence
// between two packets (an idle timer in the channel), and the time one reply — a stats line, a
// listing line, a value with its header — may take to arrive whole, however the server trickles it.
// A `ConnectionGroup` closes every open connection at once (the end of a stopped capture).
import MemcacheProtocol
import NIOCore
import NIOPosix
import Synchronization

/// Errors of the client layer; each names the server.
public enum MemcacheClientError: Error, Sendable, CustomStringConvertible {
    case connectFailed(server: String, reason: String)
    case readTimeout(server: String, seconds: Double)
    case replyTooSlow(server: String, seconds: Double, bytes: Int)
    case closedByServer(server: String)
    case protocolError(server: String, ProtocolError)
    case serverRefused(server: String, request: String, ServerAnswer)
    case spoolFailed(String)
    case stopped

    public var description: String {
        switch self {
        case .connectFailed(let s, let r): return "\(s): cannot connect: \(r)"
        case .readTimeout(let s, let t): return "\(s): no answer within the read timeout (\(t) s)"
        case .replyTooSlow(let s, let t, let n):
            return "\(s): a reply did not arrive whole within the read timeout (\(t) s; \(n) bytes came in that time)"
        case .closedByServer(let s): return "\(s): connection closed by the server"
        case .protocolError(let s, let e): return "\(s): \(e)"
        case .serverRefused(let s, let req, let a): return "\(s): `\(req)` answered \(a)"
        case .spoolFailed(let m): return "listing spool: \(m)"
        case .stopped: return "stopped"
        }
    }
}

/// Timeouts and limits of a connection.
public struct ConnectionOptions: Sendable {
    public var connectTimeout: Double
    public var readTimeout: Double
    public var maxLineLength: Int
    /// The run's connections, closed together when a capture is stopped (nil: on their own).
    public var group: ConnectionGroup?
    /// Where each connection's local address is noted, so that a watch can tell the collector's own
    /// events from the clients' (nil: not noted).
    public var ownSockets: OwnSockets?

    public init(
        connectTimeout: Double = 5, readTimeout: Double = 30, maxLineLength: Int = 64 * 1024,
        group: ConnectionGroup? = nil, ownSockets: OwnSockets? = nil
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maxLineLength = maxLineLength
        self.group = group
        self.ownSockets = ownSockets
    }
}

/// The local addresses (`ip:port`, as memcached's `conn_new` names the peer) of the collector's
/// connections during a run; a connection is noted before its first request is sent.
public final class OwnSockets: Sendable {
    private let addresses = Mutex(Set<String>())
    public init() {}
    public func note(_ address: String) { addresses.withLock { _ = $0.insert(address) } }
    public func contains(_ address: String) -> Bool { addresses.withLock { $0.contains(address) } }
    public var count: Int { addresses.withLock { $0.count } }
}

/// The open connections of one run. `closeAll` ends every read in progress (it fails with
/// `.stopped`) and refuses new connections from then on.
public final class ConnectionGroup: Sendable {
    private struct State {
        var closed = false
        var next = 0
        var channels: [Int: Channel] = [:]
    }
    private let state = Mutex(State())

    public init() {}

    public var isClosed: Bool { state.withLock { $0.closed } }

    /// Closes every connection of the group and refuses new ones.
    public func closeAll() {
        let open = state.withLock { s -> [Channel] in
            s.closed = true
            defer { s.channels = [:] }
            return Array(s.channels.values)
        }
        for c in open { c.close(promise: nil) }
    }

    /// Registers a connection; nil when the group is closed already (the caller closes it).
    func add(_ channel: Channel) -> Int? {
        state.withLock { s in
            guard !s.closed else { return nil }
            s.next += 1
            s.channels[s.next] = channel
            return s.next
        }
    }

    func remove(_ id: Int) {
        _ = state.withLock { $0.channels.removeValue(forKey: id) }
    }
}

/// Turns the idle-read event into an error that ends the inbound stream.
final class ReadTimeoutHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    let server: String
    let seconds: Double
    init(server: String, seconds: Double) {
        self.server = server
        self.seconds = seconds
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.fireErrorCaught(MemcacheClientError.readTimeout(server: server, seconds: seconds))
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}

/// A connection in use. Lives only inside `MemcacheConnection.with(…)`.
public final class MemcacheConnection {
    public let server: String
    public var buffer: ResponseBuffer
    public private(set) var bytesReceived: Int64 = 0
    /// The longest time one reply may take to arrive whole (the read timeout), in nanoseconds.
    let replyNanos: UInt64
    let readTimeout: Double
    let group: ConnectionGroup?
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let allocator = ByteBufferAllocator()
    private var scratch: [UInt8] = []

    init(
        server: String, options: ConnectionOptions, inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.server = server
        self.buffer = ResponseBuffer(maxLineLength: options.maxLineLength)
        self.readTimeout = options.readTimeout
        self.replyNanos = UInt64(max(0.001, options.readTimeout) * 1e9)
        self.group = options.group
        self.inbound = inbound.makeAsyncIterator()
        self.outbound = outbound
    }

    /// Connects, runs `body`, closes. Connection failures become `.connectFailed`.
    public static func with<R>(
        host: String, port: Int, options: ConnectionOptions,
        _ body: (MemcacheConnection) async throws -> R
    ) async throws -> R {
        let server = "\(host):\(port)"
        let readTimeout = options.readTimeout
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(Int64(max(0.001, options.connectTimeout) * 1000)))
                .channelOption(
                    ChannelOptions.recvAllocator,
                    value: AdaptiveRecvByteBufferAllocator(minimum: 4096, initial: 65536, maximum: 262_144)
                )
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            IdleStateHandler(readTimeout: .milliseconds(Int64(max(0.001, readTimeout) * 1000))))
                        try channel.pipeline.syncOperations.addHandler(
                            ReadTimeoutHandler(server: server, seconds: readTimeout))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(
                            wrappingChannelSynchronously: channel,
                            configuration: .init(backPressureStrategy: .init(lowWatermark: 4, highWatermark: 16)))
                    }
                }
        } catch {
            if options.group?.isClosed == true { throw MemcacheClientError.stopped }
            throw MemcacheClientError.connectFailed(server: server, reason: "\(error)")
        }
        var member: Int?
        if let group = options.group {
            member = group.add(channel.channel)
            if member == nil { channel.channel.close(promise: nil) }
        }
        defer { if let member { options.group?.remove(member) } }
        if let own = options.ownSockets, let local = channel.channel.localAddress, let ip = local.ipAddress, let port = local.port {
            own.note("\(ip):\(port)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            let conn = MemcacheConnection(server: server, options: options, inbound: inbound, outbound: outbound)
            if member == nil && options.group != nil { throw MemcacheClientError.stopped }
            return try await body(conn)
        }
    }

    /// Sends requests in one write (pipelined).
    public func send(_ requests: [ReadOnlyRequest]) async throws {
        scratch.removeAll(keepingCapacity: true)
        for r in requests { r.encode(into: &scratch) }
        var bb = allocator.buffer(capacity: scratch.count)
        bb.writeBytes(scratch)
        try await outbound.write(bb)
    }

    /// Waits for more bytes and appends them to `buffer`.
    public func receive() async throws {
        let chunk: ByteBuffer?
        do {
            chunk = try await inbound.next()
        } catch let e as MemcacheClientError {
            if group?.isClosed == true { throw MemcacheClientError.stopped }
            throw e
        } catch {
            if group?.isClosed == true { throw MemcacheClientError.stopped }
            throw MemcacheClientError.closedByServer(server: server)
        }
        guard let chunk else {
            if Task.isCancelled || group?.isClosed == true { throw MemcacheClientError.stopped }
            throw MemcacheClientError.closedByServer(server: server)
        }
        bytesReceived += Int64(chunk.readableBytes)
        chunk.withUnsafeReadableBytes { buffer.append($0) }
    }

    /// Receives more bytes for a reply that is not whole yet. `reply` starts the reply's clock on
    /// its first call (keep one per reply; reset it to a fresh value once a reply is whole); a reply
    /// still not whole after the read timeout ends in `.replyTooSlow`, however steadily its bytes trickle in.
    public func receive(for reply: inout ReplyClock) async throws {
        let now = MonotonicClock.nanoseconds()
        if let started = reply.started {
            if now &- started > replyNanos {
                throw MemcacheClientError.replyTooSlow(
                    server: server, seconds: readTimeout, bytes: Int(bytesReceived - reply.bytesAtStart))
            }
        } else {
            reply.started = now
            reply.bytesAtStart = bytesReceived
        }
        try await receive()
    }

    /// Runs `parse` over the buffer, receiving more bytes until it returns a value (within the read
    /// timeout for the whole reply).
    public func read<T>(_ parse: (inout ResponseBuffer) throws -> T?) async throws -> T {
        var reply = ReplyClock()
        while true {
            do {
                if let v = try parse(&buffer) { return v }
            } catch let e as ProtocolError {
                throw MemcacheClientError.protocolError(server: server, e)
            }
            try await receive(for: &reply)
        }
    }
}

/// When the wait for one reply began (see `MemcacheConnection.receive(for:)`).
public struct ReplyClock: Sendable {
    var started: UInt64?
    var bytesAtStart: Int64 = 0
    public init() {}
}
