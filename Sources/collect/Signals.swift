// collect/Signals: SIGINT/SIGTERM stop the capture cleanly (each dump gets a trailer marked
// complete: false, the manifest is written, exit 3); a second signal exits at once.
import Dispatch
import Foundation
import MemcacheClient
import PipelineCLI

final class SignalStopper: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private var count = 0
    private let queue = DispatchQueue(label: "collect.signals")

    init(stop: StopFlag, diagnostics: Diagnostics) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            s.setEventHandler { [unowned self] in
                self.count += 1
                if self.count == 1 {
                    diagnostics.warning("signal \(sig): stopping; finishing each dump as incomplete (again to abort at once)")
                    stop.set()
                } else {
                    exit(ExitStatus.partial.rawValue)
                }
            }
            s.resume()
            sources.append(s)
        }
    }
}
