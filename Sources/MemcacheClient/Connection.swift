// MemcacheClient/Connection: one TCP connection to a memcached server over SwiftNIO, with a connect
// timeout, a read timeout (a stalled server ends in `.readTimeout`, never a hang) and a receive
// buffer the MemcacheProtocol parsers read from. Only `ReadOnlyRequest`s can be sent.
import MemcacheProtocol
import NIOCore
import NIOPosix

/// Errors of the client layer; each names the server.
public enum MemcacheClientError: Error, Sendable, CustomStringConvertible {
    case connectFailed(server: String, reason: String)
    case readTimeout(server: String, seconds: Double)
    case closedByServer(server: String)
    case protocolError(server: String, ProtocolError)
    case serverRefused(server: String, request: String, ServerAnswer)
    case spoolFailed(String)
    case stopped

    public var description: String {
        switch self {
        case .connectFailed(let s, let r): return "\(s): cannot connect: \(r)"
        case .readTimeout(let s, let t): return "\(s): no answer within the read timeout (\(t) s)"
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

    public init(connectTimeout: Double = 5, readTimeout: Double = 30, maxLineLength: Int = 64 * 1024) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.maxLineLength = maxLineLength
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
    private var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
    private let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    private let allocator = ByteBufferAllocator()
    private var scratch: [UInt8] = []

    init(
        server: String, maxLineLength: Int, inbound: NIOAsyncChannelInboundStream<ByteBuffer>,
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    ) {
        self.server = server
        self.buffer = ResponseBuffer(maxLineLength: maxLineLength)
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
            throw MemcacheClientError.connectFailed(server: server, reason: "\(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            let conn = MemcacheConnection(
                server: server, maxLineLength: options.maxLineLength, inbound: inbound, outbound: outbound)
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
            throw e
        } catch {
            throw MemcacheClientError.closedByServer(server: server)
        }
        guard let chunk else {
            if Task.isCancelled { throw MemcacheClientError.stopped }
            throw MemcacheClientError.closedByServer(server: server)
        }
        bytesReceived += Int64(chunk.readableBytes)
        chunk.withUnsafeReadableBytes { buffer.append($0) }
    }

    /// Runs `parse` over the buffer, receiving more bytes until it returns a value.
    public func read<T>(_ parse: (inout ResponseBuffer) throws -> T?) async throws -> T {
        while true {
            do {
                if let v = try parse(&buffer) { return v }
            } catch let e as ProtocolError {
                throw MemcacheClientError.protocolError(server: server, e)
            }
            try await receive()
        }
    }
}
