// attribute: decode's NDJSON in, the same records out with owner, key family and placement added
// (docs/attribute.md). Thin command: options, files and exit statuses; the work is in Attribution.
import ArgumentParser
import Attribution
import Foundation
import LineBlocks
import KeyPlacement
import PipelineCLI
import PipelineRecords

@main
struct Attribute: ParsableCommand {
    static func main() { mainWithOneLineErrors() }

    static let configuration = CommandConfiguration(
        commandName: "attribute",
        abstract: "Join decode's records with an exported user list (optional): who owns each key, and where the client puts it.",
        discussion: """
            Reads decode's NDJSON (files, or stdin for `-` or no INPUT) and writes every record back with `kind`, `logical_key`, `user`, `via` and, for token lists, `tokens` added to item records; with --servers or --keystone-conf also `placement` (the host the client hash chooses, and whether the item was found there). Schema: docs/records.md, docs/attribute.md.

            EXAMPLES:
              openstack user list --long -f json > users.json
              decode d/*.mcdump.gz | attribute --users users.json \\
                  --keystone-conf /etc/keystone/keystone.conf --redact | report
              attribute --users users.csv --servers 10.0.0.1:11211,10.0.0.2:11211 \\
                  --output attributed.ndjson decoded.ndjson
              decode d/*.mcdump.gz | attribute --servers 10.0.0.1:11211,10.0.0.2:11211 | report

            One dump at a time, as if all were read at once (Pipelines/fleet-analyse.sh):
              attribute --users users.json --facts-out a.facts a.ndjson > /dev/null
              attribute --users users.json --facts-out b.facts b.ndjson > /dev/null
              cat a.facts b.facts > all.facts
              attribute --users users.json --facts all.facts a.ndjson > a.out

            """
                + ExitStatus.helpTable([
                    .fatal: "an input, the user list, a facts file (or one of another version) or the config is unreadable",
                    .partial: "done, but user-list rows or input lines were skipped (see stderr)",
                ]))

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The exported user list, for owners: `openstack user list [--long] -f json|csv|value`, NDJSON, or id,name CSV (without it: kinds, families and placement only).",
            valueName: "FILE"))
    var users: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The client's ordered server list (order decides placement), comma-separated.",
            valueName: "HOST:PORT[:WEIGHT],..."))
    var servers: String?

    @Option(
        name: .customLong("keystone-conf"),
        help: ArgumentHelp(
            "Take the server list from keystone.conf: [memcache] servers, else [cache] memcache_servers.",
            valueName: "FILE"))
    var keystoneConf: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "The client whose distribution places every key: \(ClientPlacement.allCases.map(\.rawValue).joined(separator: ", ")) (python-memcached-1.60 = python-memcached). Default: python-memcached-1.59 for Keystone's keys; the other items get the schemes that fit them (`placement.fits`), from which report infers each key family's client.",
            valueName: "NAME"))
    var client: String?

    @Option(
        name: .customLong("token-ttl"),
        help: ArgumentHelp(
            "Keystone's [token] expiration, for the issue rate a token list implies.", valueName: "SECONDS"))
    var tokenTTL: Double = 3600

    @Option(
        name: .customLong("capture-time"),
        help: ArgumentHelp(
            "Server clock (unix time) for hosts whose records carry none.", valueName: "UNIX"))
    var captureTime: Double?

    @Flag(name: .long, help: "Replace every token id by a stable keyed digest (token ids are bearer credentials).")
    var redact = false

    @Option(
        name: .customLong("redact-key-file"),
        help: ArgumentHelp(
            "Key for --redact digests, so they are stable across runs (default: random per run).", valueName: "FILE"))
    var redactKeyFile: String?

    @Option(
        name: [.short, .long],
        help: ArgumentHelp(
            "Write to FILE (through a temporary file and rename) instead of stdout.", valueName: "FILE"))
    var output: String?

    @Option(
        name: .customLong("facts-out"),
        help: ArgumentHelp(
            "After the stream, write to FILE what other streams' held records may need from it (users met outside the export, the token lists' key digests) and how many of its held records other streams' facts may decide (docs/attribute.md, \"Facts of other streams\").",
            valueName: "FILE"))
    var factsOut: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Facts of other streams (their --facts-out, concatenated or one file each; repeatable, read in order): their users and token lists join this stream's held records as if their records were in it.",
            valueName: "FILE"))
    var facts: [String] = []

    @Option(help: "Threads attributing records (default: the number of cores); the output never depends on it.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    /// Bytes of input per block of work (tests use small blocks to make many).
    @Option(name: .customLong("block-bytes"), help: .hidden)
    var blockBytes: Int = OrderedLineWork.defaultBlockBytes

    @Argument(help: ArgumentHelp("decode's NDJSON; `-` or none reads stdin.", valueName: "INPUT"))
    var inputs: [String] = []

    func validate() throws {
        if jobs < 1 || jobs > 64 { throw ValidationError("--jobs must be 1…64") }
        if blockBytes < 4096 || blockBytes > 1 << 30 { throw ValidationError("--block-bytes must be 4096…2^30") }
        if servers != nil && keystoneConf != nil { throw ValidationError("give --servers or --keystone-conf, not both") }
        guard tokenTTL > 0, tokenTTL.isFinite else { throw ValidationError("--token-ttl needs a positive number of seconds") }
        if redactKeyFile != nil && !redact { throw ValidationError("--redact-key-file needs --redact") }
        if let client { do { _ = try ClientPlacement.named(client) } catch { throw ValidationError(error.message) } }
        if let servers {
            do {
                if try ServerSpec.parseArgumentList(servers).isEmpty { throw ValidationError("--servers: no servers given") }
            } catch let e as CLIError {
                throw ValidationError("--servers: \(e)")
            }
        }
    }

    func run() throws {
        let run = AttributeRun(diag: Diagnostics(tool: "attribute"))
        var options = AttributionOptions()
        options.tokenTTL = tokenTTL
        options.captureTime = captureTime
        do {
            options.client = try ClientPlacement.named(client ?? ClientPlacement.pythonMemcached159.rawValue)
            options.clientGiven = client != nil
        } catch {
            throw ValidationError(error.message)
        }
        do {
            if let servers { options.servers = try ServerSpec.parseArgumentList(servers) }
            if let keystoneConf {
                let text = String(decoding: try run.readFile(keystoneConf, what: "config"), as: UTF8.self)
                let conf = try KeystoneMemcacheConfig.parse(text, name: keystoneConf)
                guard let list = conf.tokenServers else {
                    throw CLIError.usage("\(keystoneConf): neither [memcache] servers nor [cache] memcache_servers is set")
                }
                options.servers = list
            }
        } catch let e as CLIError {
            if case .usage(let m) = e { throw ValidationError(m) }
            throw run.fatal(e.description)
        }
        if redact {
            if let redactKeyFile {
                let key = try run.readFile(redactKeyFile, what: "redaction key")
                guard !key.isEmpty else { throw run.fatal("redaction key file \(redactKeyFile) is empty") }
                options.redactor = Redactor(key: key)
            } else {
                var key = [UInt8](repeating: 0, count: 32)
                var rng = SystemRandomNumberGenerator()
                for k in key.indices { key[k] = UInt8.random(in: 0...255, using: &rng) }
                options.redactor = Redactor(key: key)
                run.diag.note("--redact without --redact-key-file: digests are stable within this run only")
            }
        }
        let status = try run.attribute(
            usersPath: users, factsPaths: facts, factsOutPath: factsOut, options: options, inputs: inputs.isEmpty ? ["-"] : inputs, outputPath: output,
            jobs: jobs, blockBytes: blockBytes)
        if status != .success { throw status.exitCode }
    }
}
