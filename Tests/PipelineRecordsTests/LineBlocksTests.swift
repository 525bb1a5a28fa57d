// LineBlocks: inputs cut into blocks of whole lines, worked on by several threads and handed back in
// input order — every line once, in order, with its number, whatever the block size and the number
// of workers; CR LF, a last line without a newline and empty lines; and the faults: an input that
// cannot be opened, a line longer than allowed, a consumer that stops early.
import Foundation
import Synchronization
import LineBlocks
import PipelineRecords
import Testing
import TestSupport

@Suite struct LineBlocksTests {
    func file(_ text: [UInt8], _ name: String) throws -> String {
        let path = try Scratch.directory("lineblocks") + "/" + name
        try Data(text).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Every (input, line number, text) in the order the consumer saw them, and the events' kinds.
    func lines(_ inputs: [String], workers: Int, blockBytes: Int, maxLineBytes: Int = 1 << 20) -> (lines: [String], events: [String]) {
        var seen: [String] = []
        var events: [String] = []
        OrderedLineWork.run(
            inputs: inputs, workers: workers, blockBytes: blockBytes, maxLineBytes: maxLineBytes,
            process: { block in
                var out: [String] = []
                block.forEachLine { line, n in
                    out.append("\(block.input):\(n):\(String(decoding: line, as: UTF8.self))")
                    return true
                }
                return out
            },
            consume: { event in
                switch event {
                case .block(_, let l): seen += l; events.append("block")
                case .inputEnded(let i): events.append("end \(i)")
                case .failed(let e): events.append("failed \(e.kind.rawValue) line \(e.line): \(e.message)")
                }
                return true
            })
        return (seen, events)
    }

    @Test func everyLineOnceInOrderWhateverTheBlocksAndWorkers() throws {
        var text: [UInt8] = []
        var expected: [String] = []
        var rng = SystemRandomNumberGenerator()
        for n in 1...3000 {
            let len = n % 97 == 0 ? 9000 : Int.random(in: 0...120, using: &rng)
            let line = String(repeating: Character(UnicodeScalar(UInt8(97 + n % 26))), count: len)
            text += Array(line.utf8) + (n % 5 == 0 ? [0x0D, 0x0A] : [0x0A])
            if !line.isEmpty { expected.append("0:\(n):\(line)") }
        }
        text += Array("last line without a newline".utf8)
        expected.append("0:3001:last line without a newline")
        let a = try file(text, "a.ndjson")
        let b = try file(Array("b1\n\nb3\n".utf8), "b.ndjson")
        let both = expected + ["1:1:b1", "1:3:b3"]
        for (workers, block) in [(1, 1 << 20), (2, 4096), (3, 5000), (8, 4096)] {
            let r = lines([a, b], workers: workers, blockBytes: block)
            #expect(r.lines == both, "workers \(workers), block \(block)")
            #expect(r.events.last == "end 1")
            #expect(r.events.filter { $0.hasPrefix("end") } == ["end 0", "end 1"])
        }
    }

    @Test func anInputThatCannotBeOpenedEndsTheWork() throws {
        let a = try file(Array("a\n".utf8), "ok.ndjson")
        let r = lines([a, "/nonexistent/records.ndjson", a], workers: 2, blockBytes: 4096)
        #expect(r.lines == ["0:1:a"])
        #expect(r.events.last?.hasPrefix("failed io") == true, "\(r.events)")
        #expect(r.events.last?.contains("cannot open") == true)
    }

    @Test func aLineLongerThanAllowedIsAnErrorWithItsNumber() throws {
        let text = Array("short\n".utf8) + [UInt8](repeating: 0x61, count: 100_000) + Array("\nafter\n".utf8)
        let path = try file(text, "long.ndjson")
        let r = lines([path], workers: 2, blockBytes: 4096, maxLineBytes: 50_000)
        #expect(r.lines == ["0:1:short"])
        #expect(r.events.last?.hasPrefix("failed line_too_long line 2") == true, "\(r.events)")
    }

    @Test func aConsumerThatStopsEarlyEndsEveryThread() throws {
        var text: [UInt8] = []
        for n in 0..<200_000 { text += Array("line \(n)\n".utf8) }
        let path = try file(text, "many.ndjson")
        var blocks = 0
        OrderedLineWork.run(
            inputs: [path, path], workers: 2, blockBytes: 4096, process: { $0.bytes.count },
            consume: { event in
                if case .block = event { blocks += 1 }
                return blocks < 3
            })
        #expect(blocks == 3)
    }

    @Test func aDoneSignalReleasesEveryWaiterOnceAndAfterwards() {
        let signal = DoneSignal()
        let passed = Mutex(0)
        let waiters = (0..<3).map { _ in
            Thread {
                signal.wait(); passed.withLock { $0 += 1 }
            }
        }
        waiters.forEach { $0.start() }
        Thread.sleep(forTimeInterval: 0.05)
        #expect(passed.withLock { $0 } == 0)  // nobody goes on before the signal
        signal.signal()
        let deadline = Date().addingTimeInterval(5)
        while passed.withLock({ $0 }) < 3 && Date() < deadline { Thread.sleep(forTimeInterval: 0.005) }
        #expect(passed.withLock { $0 } == 3)
        signal.wait()  // after the signal, waiting returns at once
    }
}
