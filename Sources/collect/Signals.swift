// collect/Signals: how a capture stops before its end. The first SIGINT/SIGTERM, or the run's time
// limit, sets the stop flag: the fetch ends after its batch in flight, each dump gets a trailer marked
// complete: false, MANIFEST.json is written with status `interrupted`. Whatever a server is doing
// then, the run's connections are closed after a short grace period, so no read outlives it; a
// second signal exits at once.
import Dispatch
import Foundation
import MemcacheClient
import PipelineCLI

final class CaptureStopper: @unchecked Sendable {
    /// How long the hosts may take to finish their batches in flight after a stop, before every
    /// connection still open is closed.
    static let grace: Double = 2
    private var sources: [DispatchSourceSignal] = []
    private var signals = 0
    private let queue = DispatchQueue(label: "collect.stop")
    private let stop: StopFlag
    private let connections: ConnectionGroup
    private let diagnostics: Diagnostics

    init(stop: StopFlag, connections: ConnectionGroup, timeLimit: Double?, diagnostics: Diagnostics) {
        self.stop = stop
        self.connections = connections
        self.diagnostics = diagnostics
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler { [unowned self] in
                self.signals += 1
                if self.signals == 1 {
                    let name = sig == SIGINT ? "SIGINT" : "SIGTERM"
                    self.stopNow(reason: "interrupted by \(name)", message: "\(name): stopping; finishing each dump as incomplete (again to abort at once)")
                } else {
                    exit(ExitStatus.partial.rawValue)
                }
            }
            s.resume()
            sources.append(s)
        }
        if let timeLimit {
            queue.asyncAfter(deadline: .now() + timeLimit) { [weak self] in
                guard let self else { return }  // the run has already ended
                let limit = timeLimit.rounded() == timeLimit ? String(Int(timeLimit)) : String(timeLimit)
                self.stopNow(
                    reason: "time limit of \(limit) s reached (--time-limit)",
                    message: "time limit of \(limit) s reached: stopping; finishing each dump as incomplete")
            }
        }
    }

    /// Runs on `queue`.
    private func stopNow(reason: String, message: String) {
        guard !stop.isSet else { return }
        diagnostics.warning(message)
        stop.set(reason: reason)
        queue.asyncAfter(deadline: .now() + CaptureStopper.grace) { [connections] in
            connections.closeAll()
        }
    }
}
