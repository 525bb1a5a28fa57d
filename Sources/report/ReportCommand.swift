// report: aggregates decode's or attribute's NDJSON in one streaming pass and prints why one host
// is hotter than the others (docs/report.md). Thin command: options, validation, exit statuses.
import ArgumentParser
import Foundation
import LineBlocks
import PipelineCLI
import KeyPlacement
import ReportRendering
import SkewAnalysis

extension ReportFormat: ExpressibleByArgument {}
extension CSVTable: ExpressibleByArgument {}

@main
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Explain why one memcached host is hotter than the others, from decode's or attribute's NDJSON records.",
        discussion: """
            Reads NDJSON records (files, or stdin for `-` or no argument) in one streaming pass and prints \
            per-host totals and traffic, skew figures, the explanation of the hottest host, top users, token \
            lists, largest keys and slab classes; with --servers, the same items under other placements and \
            server counts (what-if). --partial writes a mergeable aggregate; --merge combines them; --diff \
            compares two captures ("did the fix work"). Token ids \
            never appear unless --show-secrets. See docs/report.md.

            EXAMPLES:
              decode d/*.mcdump.gz | attribute --users u.json --servers $S | report
              report --format markdown --output postmortem.md records.ndjson
              report --format html --servers a:11211,b:11211 -o report.html rec.ndjson
              report --servers a:11211,b:11211 --what-if-servers 2,3,4 rec.ndjson
              report --format json --partial --servers $S host-a.ndjson > a.partial
              report --merge --format html --output fleet.html *.partial
              report --diff --format markdown before/report.partial after/report.partial
              report --format csv --table families records.ndjson > families.csv
              report --fail-above 1.5 records.ndjson > /dev/null || echo "skewed"

            \(ExitStatus.helpTable([
                .checkFailed: "--fail-above: the hottest host's max/mean is above the limit",
                .fatal: "an input cannot be read or merged, or the output cannot be written",
                .partial: "finished, but lines that are not JSON records were skipped",
            ]))
            """)

    @Argument(help: ArgumentHelp("NDJSON records to read (`-` = stdin; none = stdin).", valueName: "INPUT"))
    var inputs: [String] = []

    @Option(
        name: .shortAndLong,
        help: "Output format: text, markdown, json, html (one self-contained file with inline SVG charts) or csv (one table, see --table).")
    var format: ReportFormat = .text

    @Option(help: ArgumentHelp("With --format csv: the table to write (hosts, users, keys, slabs or families).", valueName: "TABLE"))
    var table: CSVTable?

    @Option(help: ArgumentHelp("Rows in the top users and largest keys tables (1…100000).", valueName: "N"))
    var top = 10

    @Option(help: ArgumentHelp("Text width (40…1000; default $COLUMNS, the terminal, else 120).", valueName: "COLUMNS"))
    var width: Int?

    @Flag(name: .customLong("show-secrets"), help: "Show token ids (logical keys of token items).")
    var showSecrets = false

    @Option(name: .shortAndLong, help: ArgumentHelp("Write to FILE (through a temporary file and a rename) instead of stdout.", valueName: "FILE"))
    var output: String?

    @Option(help: ArgumentHelp("The clients' ordered server list, for the what-if section.", valueName: "HOST:PORT[:WEIGHT],..."))
    var servers: String?

    @Option(name: .customLong("what-if-servers"), help: ArgumentHelp("Server counts for the what-if (default N-1,N,N+1,N+2).", valueName: "N,..."))
    var whatIfServers: String?

    @Option(
        name: .customLong("what-if-clients"),
        help: ArgumentHelp(
            "Placements to compare (default python-memcached, python-memcached-1.59, libmemcached-ketama, twemproxy, pymemcache, jump).",
            valueName: "CLIENT,..."))
    var whatIfClients: String?

    @Flag(help: "Write the mergeable partial aggregate (JSON, needs --format json) instead of the report.")
    var partial = false

    @Flag(help: "Inputs are partials (from --partial, one per line): merge them into one report.")
    var merge = false

    @Flag(
        help:
            "Compare two captures: the inputs are BEFORE and AFTER, each a partial file (from --partial) or a file of records; per host, key family, user, key and slab class, what grew, shrank, appeared, went away or moved host."
    )
    var diff = false

    @Option(
        name: .customLong("fail-above"),
        help: ArgumentHelp(
            "Exit 1 when the hottest host's max/mean (on the explanation's basis: traffic since start, else window traffic, else bytes) is above X; the report is written first.",
            valueName: "X"))
    var failAbove: Double?

    @Option(help: "Threads reading records (default: the number of cores); the report never depends on it.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Bytes of input per block of work (tests use small blocks to make many).
    @Option(name: .customLong("block-bytes"), help: .hidden)
    var blockBytes: Int = OrderedLineWork.defaultBlockBytes

    func validate() throws {
        if jobs < 1 || jobs > 64 { throw ValidationError("--jobs must be 1…64") }
        if blockBytes < 4096 || blockBytes > 1 << 30 { throw ValidationError("--block-bytes must be 4096…2^30") }
        if partial && format != .json { throw ValidationError("--partial writes JSON: give --format json") }
        if format == .csv && table == nil { throw ValidationError("--format csv writes one table: give --table hosts|users|keys|slabs|families") }
        if table != nil && format != .csv { throw ValidationError("--table is for --format csv") }
        if diff {
            if inputs.count != 2 { throw ValidationError("--diff compares two captures: give BEFORE and AFTER (partials or record files)") }
            if inputs.contains("-") { throw ValidationError("--diff reads files (each is read to see whether it holds partials or records), not stdin") }
            if merge || partial { throw ValidationError("--diff reads partials and records itself: drop --merge and --partial") }
            if servers != nil || failAbove != nil { throw ValidationError("--diff has no what-if and no --fail-above check: drop --servers and --fail-above") }
        }
        if merge && (servers != nil || whatIfServers != nil || whatIfClients != nil) {
            throw ValidationError("--merge takes the what-if configuration from the partials; drop --servers and --what-if-*")
        }
        if servers == nil && (whatIfServers != nil || whatIfClients != nil) {
            throw ValidationError("--what-if-servers and --what-if-clients need --servers (the clients' ordered list)")
        }
        _ = try whatIfConfig()
        guard (1...100_000).contains(top) else { throw ValidationError("--top needs a number from 1 to 100000") }
        if let width, !(40...1000).contains(width) { throw ValidationError("--width needs a number from 40 to 1000") }
        if let failAbove, !(failAbove >= 1 && failAbove.isFinite) { throw ValidationError("--fail-above needs a max/mean of 1 or more") }
        if failAbove != nil && partial { throw ValidationError("--fail-above checks a report, not a --partial aggregate") }
        if inputs.filter({ $0 == "-" }).count > 1 { throw ValidationError("stdin (`-`) can be read only once") }
    }

    /// The what-if configuration, nil without --servers.
    func whatIfConfig() throws -> WhatIfConfig? {
        guard let servers else { return nil }
        do throws(PlacementError) {
            return try WhatIfConfig.parse(servers: servers, counts: whatIfServers, clients: whatIfClients)
        } catch {
            throw ValidationError(error.message + (error.kind == .badServerSpec || error.kind == .badWeight ? " (--servers)" : ""))
        }
    }

    static func main() {
        let command = parseOrExitWithOneLine()
        Foundation.exit(command.execute().rawValue)
    }

    /// Runs the report and returns the exit status (never throws: every failure is a status).
    func execute() -> ExitStatus {
        let run = ReportRun(options: self)
        return run.execute()
    }
}
