// The fleet pipelines (Pipelines/fleet-capture.sh and fleet-analyse.sh, docs/fleet.md) for real on one machine:
// an sshd on a free 127.0.0.1 port with throwaway keys stands for two jump hosts — two ssh logins, each with a
// client key of its own, so that sshd's log tells them apart — next to ":" (this machine); four real memcached
// hold Keystone's tokens written through dogpile.cache and python-memcached, and a Django site's and a pymemcache
// service's data; GNU parallel runs collect, then decode | attribute | report --partial, on those workers.
import Foundation
import Testing
import TestSupport

/// An OpenSSH server on a free loopback port, run as the current user from a throwaway folder (host key,
/// authorized_keys, pid file, log), stopped by pid.
///
/// It is started with posix_spawn and reaped with waitpid, not with Foundation's Process: sshd closes every
/// descriptor it inherits, among them the one by which Process notices that a child has ended, and Process
/// then waits for sshd's end on the thread that reaps every child (seen here: the next runProcess never returned).
final class LoopbackSSHD: @unchecked Sendable {
    let port: UInt16
    let pid: pid_t
    let log: String
    private var reaped = false

    init(folder: String, authorizedKeys: String) throws {
        ignoreBrokenPipes()
        // The privilege separation folder Debian's service creates at boot; sshd refuses to start as root without it.
        if getuid() == 0 && !FileManager.default.fileExists(atPath: "/run/sshd") {
            try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        let hostKey = folder + "/ssh_host_ed25519_key"
        try sshKeygen(hostKey, comment: "fleet-test-host")
        log = folder + "/sshd.log"
        var lastError = "sshd did not start"
        for _ in 0..<5 {
            let port = try freeLoopbackPort()
            let config = folder + "/sshd_config"
            try """
            ListenAddress 127.0.0.1
            Port \(port)
            HostKey \(hostKey)
            AuthorizedKeysFile \(authorizedKeys)
            StrictModes no
            PidFile \(folder)/sshd.pid
            UsePAM no
            PermitRootLogin prohibit-password
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            LogLevel VERBOSE

            """.write(toFile: config, atomically: true, encoding: .utf8)
            let pid = try Self.spawn(["/usr/sbin/sshd", "-D", "-e", "-f", config], stderr: log)
            var status: Int32 = 0
            var exited = false
            let deadline = Date().addingTimeInterval(10)
            while !MemcachedServer.canConnect(port: port) && Date() < deadline {
                if waitpid(pid, &status, WNOHANG) == pid { exited = true; break }
                usleep(20_000)
            }
            if !exited && MemcachedServer.canConnect(port: port) {
                self.port = port
                self.pid = pid
                return
            }
            if !exited {
                kill(pid, SIGKILL)
                waitpid(pid, &status, 0)
            }
            lastError = "sshd did not listen on 127.0.0.1:\(port): " + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
        }
        throw TestSupportError.failed(lastError)
    }

    /// posix_spawn with stdin and stdout on /dev/null and stderr appended to `stderr`; returns the pid.
    static func spawn(_ argv: [String], stderr: String) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        let args: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { args.forEach { free($0) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, argv[0], &actions, nil, args, environ)
        guard rc == 0 else { throw TestSupportError.failed("posix_spawn \(argv[0]): \(String(cString: strerror(rc)))") }
        return pid
    }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// sshd's log lines of accepted logins by this key fingerprint (`SHA256:…`; sshd -e ends its lines with CR LF).
    func logins(by fingerprint: String, in text: String) -> Int {
        text.split(whereSeparator: \.isNewline).filter { $0.contains("Accepted publickey") && $0.hasSuffix(" " + fingerprint) }.count
    }

    /// SIGTERM, then SIGKILL after a grace period; reaped either way.
    func stop() {
        guard !reaped else { return }
        reaped = true
        var status: Int32 = 0
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline {
            if waitpid(pid, &status, WNOHANG) == pid { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        waitpid(pid, &status, 0)
    }

    deinit { stop() }
}

/// A new ed25519 key pair without passphrase (`path`, `path.pub`); returns its fingerprint, `SHA256:…`.
@discardableResult
func sshKeygen(_ path: String, comment: String) throws -> String {
    let made = try runProcess("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", path])
    guard made.status == 0 else { throw TestSupportError.failed("ssh-keygen: \(made.stderrText)") }
    let listed = try runProcess("/usr/bin/ssh-keygen", ["-l", "-f", path + ".pub"])
    guard let fingerprint = listed.stdoutText.split(separator: " ").first(where: { $0.hasPrefix("SHA256:") }) else {
        throw TestSupportError.failed("ssh-keygen -l: \(listed.stdoutText)\(listed.stderrText)")
    }
    return String(fingerprint)
}

@Suite(.serialized) struct FleetPipelineTests {
    /// What the pipelines need here and on the workers; Tests/run installs them from Debian. Missing is a failure.
    static let tools = ["/usr/sbin/sshd", "/usr/bin/ssh", "/usr/bin/ssh-keygen", "/usr/bin/parallel", "/usr/bin/rsync", "/usr/bin/jq"]

    static func files(_ dir: String, suffix: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    }

    static func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    /// parallel's joblog: (sshlogin, bytes sent) per job.
    static func jobs(_ path: String) throws -> [(host: String, sent: Int)] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").dropFirst().map {
            let f = $0.split(separator: "\t", omittingEmptySubsequences: false)
            return (String(f[1]), Int(f[4].trimmingCharacters(in: .whitespaces)) ?? -1)
        }
    }

    @Test func captureAndAnalyseOnSSHWorkers() throws {
        for tool in Self.tools {
            try #require(
                FileManager.default.isExecutableFile(atPath: tool),
                "\(tool) is missing: Tests/run installs parallel, openssh-server, openssh-client, rsync and jq from Debian")
        }
        let dir = try Scratch.directory("fleet")
        defer { try? FileManager.default.removeItem(atPath: dir) }

        // Two workers through one sshd, told apart by their keys (and so by their fingerprints in sshd's log).
        let keyA = dir + "/worker-a", keyB = dir + "/worker-b"
        let fingerprintA = try sshKeygen(keyA, comment: "worker-a")
        let fingerprintB = try sshKeygen(keyB, comment: "worker-b")
        let authorized = dir + "/authorized_keys"
        try (String(contentsOfFile: keyA + ".pub", encoding: .utf8) + String(contentsOfFile: keyB + ".pub", encoding: .utf8))
            .write(toFile: authorized, atomically: true, encoding: .utf8)
        let sshd = try LoopbackSSHD(folder: dir, authorizedKeys: authorized)
        defer { sshd.stop() }
        let user = NSUserName()
        func login(_ key: String) -> String {
            "ssh -F /dev/null -p \(sshd.port) -i \(key) -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes -o LogLevel=ERROR \(user)@127.0.0.1"
        }
        let (loginA, loginB) = (login(keyA), login(keyB))
        let sshlogins = dir + "/sshloginfile"
        try "1/\(loginA)\n1/\(loginB)\n1/:\n".write(toFile: sshlogins, atomically: true, encoding: .utf8)

        // parallel's own folder in a HOME of the test's (with will-cite); the workers' work folders under remote-tmp.
        let home = dir + "/home", remoteTmp = dir + "/remote-tmp"
        try FileManager.default.createDirectory(atPath: home + "/.parallel", withIntermediateDirectories: true)
        try Data().write(to: URL(fileURLWithPath: home + "/.parallel/will-cite"))
        try FileManager.default.createDirectory(atPath: remoteTmp, withIntermediateDirectories: true)
        var env = ProcessInfo.processInfo.environment
        let bin = Repo.productsDirectory.path
        env["HOME"] = home
        env["MCF_BIN"] = bin
        env["MCF_REMOTE_BIN"] = bin
        env["MCF_REMOTE_TMP"] = remoteTmp
        env["MCF_SSHLOGINFILE"] = sshlogins
        func script(_ name: String, _ args: [String]) throws -> ProcessResult {
            try runProcess(Repo.path("Pipelines/\(name)"), args, environment: env, timeout: 600)
        }
        func workersAreClean() -> Bool { (try? FileManager.default.contentsOfDirectory(atPath: remoteTmp))?.isEmpty == true }

        // Four real memcached: Keystone's token lists and tokens (with the user list), a Django site and a pymemcache service.
        let servers = try (0..<4).map { _ in try MemcachedServer(memoryMB: 64) }
        defer { servers.forEach { $0.stop() } }
        let addresses = servers.map(\.address)
        try Python.run(script: Repo.path("Tests/python/e2e_keystone.py"), ["fill-many", dir] + servers.map { String($0.port) })
        try Python.run(script: Repo.path("Samples/apps/fill_python.py"), addresses)
        let users = dir + "/users.json"

        // ── fleet-capture.sh: every host, one collect each, on the three workers ─────────────────────────────
        let cap = dir + "/capture"
        var logBefore = sshd.logText
        let captured = try script("fleet-capture.sh", [cap] + addresses)
        #expect(captured.status == 0, "fleet-capture.sh: \(captured.stderrText)")
        let dumpNames = servers.map { "127.0.0.1_\($0.port).mcdump.gz" }
        #expect(Self.files(cap, suffix: ".mcdump.gz") == dumpNames.sorted())
        let manifest = try Self.json(cap + "/MANIFEST.json")
        #expect(manifest["status"] as? String == "complete" && manifest["exit_status"] as? Int == 0)
        let entries = try #require(manifest["servers"] as? [[String: Any]])
        #expect(entries.map { $0["address"] as? String ?? "" } == addresses, "the clients' order")
        #expect(entries.map { $0["file"] as? String ?? "" } == dumpNames)
        #expect(entries.allSatisfy { $0["status"] as? String == "complete" && $0["collect_exit_status"] as? Int == 0 })
        // Three jobs start at once, one per worker slot: each worker captured at least one host.
        #expect(Set(entries.compactMap { $0["worker"] as? String }) == [loginA, loginB, ":"], "\(entries.map { $0["worker"] ?? "" })")
        #expect(try String(contentsOfFile: cap + "/servers.txt", encoding: .utf8) == addresses.joined(separator: "\n") + "\n")
        let sums = try runProcess("/usr/bin/sha256sum", ["-c", "SHA256SUMS"], timeout: 60, directory: cap)
        #expect(sums.status == 0, "\(sums.stdoutText)\(sums.stderrText)")
        #expect(sums.stdoutText.split(separator: "\n").filter { $0.hasSuffix(": OK") }.count == dumpNames.count + 2)
        // The sha256 each worker computed is that of the file that came back.
        let sumLines = try String(contentsOfFile: cap + "/SHA256SUMS", encoding: .utf8).split(separator: "\n")
        for e in entries {
            let file = try #require(e["file"] as? String), sha = try #require(e["sha256"] as? String)
            #expect(sumLines.contains("\(sha)  \(file)"), "\(file)")
        }
        var logins = String(sshd.logText.dropFirst(logBefore.count))
        #expect(sshd.logins(by: fingerprintA, in: logins) > 0 && sshd.logins(by: fingerprintB, in: logins) > 0, "sshd log: \(logins)")
        #expect(workersAreClean(), "left on the workers: \((try? FileManager.default.subpathsOfDirectory(atPath: remoteTmp)) ?? [])")

        // A host that does not answer (a closed loopback port) is named, recorded, and the others are still captured.
        let closed = "127.0.0.1:\(try freeLoopbackPort())"
        let failedCap = dir + "/capture-failed"
        let withClosed = [addresses[0], addresses[1], closed, addresses[2]]
        let failed = try script("fleet-capture.sh", [failedCap] + withClosed + ["--", "--connect-timeout", "2"])
        #expect(failed.status == 3, "\(failed.stderrText)")
        #expect(failed.stderrText.contains("fleet-capture.sh: error: \(closed): failed: "), "\(failed.stderrText)")
        let failedManifest = try Self.json(failedCap + "/MANIFEST.json")
        #expect(failedManifest["status"] as? String == "partial" && failedManifest["exit_status"] as? Int == 3)
        let failedEntries = try #require(failedManifest["servers"] as? [[String: Any]])
        #expect(failedEntries.map { $0["address"] as? String ?? "" } == withClosed)
        #expect(failedEntries.map { $0["status"] as? String ?? "" } == ["complete", "complete", "failed", "complete"])
        #expect(failedEntries[2]["file"] == nil && (failedEntries[2]["reason"] as? String ?? "").contains("cannot connect"), "\(failedEntries[2])")
        #expect(Self.files(failedCap, suffix: ".mcdump.gz") == [0, 1, 2].map { dumpNames[$0] }.sorted())
        #expect(try runProcess("/usr/bin/sha256sum", ["-c", "SHA256SUMS"], timeout: 60, directory: failedCap).status == 0)
        #expect(workersAreClean())

        // ── fleet-analyse.sh against analyse.sh on the same capture: the same bytes in every format ──────────
        let one = dir + "/analysis-one", fleet = dir + "/analysis-fleet"
        let single = try script("analyse.sh", [cap, users, one])
        #expect(single.status == 0, "analyse.sh: \(single.stderrText)")
        logBefore = sshd.logText
        let analysed = try script("fleet-analyse.sh", [cap, users, fleet])
        #expect(analysed.status == 0, "fleet-analyse.sh: \(analysed.stderrText)")
        for ext in ["txt", "md", "html", "json"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(one)/report.\(ext)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(fleet)/report.\(ext)"))
            #expect(a.count > 1000 && a == b, "report.\(ext) differs (\(a.count) and \(b.count) bytes)")
        }
        let report = try Self.json(one + "/report.json")
        #expect((report["explanation"] as? [String: Any])?["users"] as? [String] == ["ceilometer", "nova", "neutron"])
        #expect((report["hosts"] as? [[String: Any]])?.count == 4)
        #expect((report["copies"] as? [String: Any])?["keys"] as? Int == 0, "no key on two hosts: the case the fleet merges exactly")
        #expect(Self.files(fleet + "/partials", suffix: ".partial") == servers.map { "127.0.0.1_\($0.port).partial" }.sorted())
        #expect(!FileManager.default.fileExists(atPath: fleet + "/records.ndjson"))
        // The merged partial renders the same report again.
        let again = try runProcess(Repo.executable("report"), ["--merge", "--format", "json", fleet + "/report.partial"])
        #expect(again.stdout == (try Data(contentsOf: URL(fileURLWithPath: one + "/report.json"))))
        // The work ran on the ssh workers: each ran at least one dump, sent to it (bytes in parallel's joblog), and
        // sshd let both keys in during the analysis.
        let jobs = try Self.jobs(fleet + "/fleet-joblog.tsv")
        #expect(jobs.count == 4)
        for l in [loginA, loginB] {
            #expect(jobs.contains { $0.host == l && $0.sent > 10_000 }, "no dump sent to \(l): \(jobs)")
        }
        logins = String(sshd.logText.dropFirst(logBefore.count))
        #expect(sshd.logins(by: fingerprintA, in: logins) > 0 && sshd.logins(by: fingerprintB, in: logins) > 0, "sshd log: \(logins)")
        #expect(workersAreClean(), "left on the workers: \((try? FileManager.default.subpathsOfDirectory(atPath: remoteTmp)) ?? [])")
        // Keystone's usual case (the complete export, token bodies with their users): no dump is attributed again.
        #expect(!analysed.stderrText.contains("attributed again"), "\(analysed.stderrText)")
        #expect(!FileManager.default.fileExists(atPath: fleet + "/fleet-joblog-pass2.tsv"))

        // ── Owners that only another host's records name: the second pass ───────────────────────────────────
        // Three more memcached, filled so that token lists' owners are named only on other hosts (users missing from
        // the export whose token bodies are all elsewhere; token bodies without a user, named by a list elsewhere).
        // With that export and without one, the fleet's reports are analyse.sh's bytes: the dumps that need it are
        // attributed again with every dump's facts.
        // In the order of their dumps' names (the order the scripts read the dumps): the first host holds ghost0's
        // token list, described with his domain only by a token body on another host, so a dump read before the
        // other dumps names him — the case where a report taking a user's first description would differ.
        let splitServers = try (0..<3).map { _ in try MemcachedServer(memoryMB: 64) }.sorted {
            "127.0.0.1_\($0.port).mcdump.gz" < "127.0.0.1_\($1.port).mcdump.gz"
        }
        defer { splitServers.forEach { $0.stop() } }
        let splitDir = dir + "/split"
        try FileManager.default.createDirectory(atPath: splitDir, withIntermediateDirectories: true)
        try Python.run(script: Repo.path("Tests/python/e2e_keystone.py"), ["fill-split", splitDir] + splitServers.map { String($0.port) })
        let splitCap = dir + "/capture-split"
        let splitCaptured = try script("fleet-capture.sh", [splitCap] + splitServers.map(\.address))
        #expect(splitCaptured.status == 0, "\(splitCaptured.stderrText)")
        for (label, usersArgument) in [("users", splitDir + "/users.json"), ("nousers", "-")] {
            let a = try script("analyse.sh", [splitCap, usersArgument, "\(dir)/split-one-\(label)"])
            #expect(a.status == 0, "analyse.sh: \(a.stderrText)")
            let f = try script("fleet-analyse.sh", [splitCap, usersArgument, "\(dir)/split-fleet-\(label)"])
            #expect(f.status == 0, "fleet-analyse.sh: \(f.stderrText)")
            #expect(f.stderrText.contains("attributed again with the facts of 3 dumps"), "\(label): \(f.stderrText)")
            for ext in ["txt", "md", "html", "json"] {
                let x = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/split-one-\(label)/report.\(ext)"))
                let y = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/split-fleet-\(label)/report.\(ext)"))
                #expect(x.count > 1000 && x == y, "\(label): report.\(ext) differs (\(x.count) and \(y.count) bytes)")
            }
            // The second pass's jobs are in their own joblog; the first pass's partials were replaced.
            let again = try Self.jobs("\(dir)/split-fleet-\(label)/fleet-joblog-pass2.tsv")
            #expect(!again.isEmpty && again.count <= 3, "\(again)")
            #expect(Self.files("\(dir)/split-fleet-\(label)/partials", suffix: ".partial").count == 3)
            #expect(workersAreClean(), "left on the workers: \((try? FileManager.default.subpathsOfDirectory(atPath: remoteTmp)) ?? [])")
        }
        // The reports name the users missing from the export (met in token bodies on other hosts than their lists).
        let splitReport = try String(contentsOfFile: dir + "/split-fleet-users/report.json", encoding: .utf8)
        #expect(splitReport.contains("ghost0") && splitReport.contains("ghost-anon"))

        // A worker whose attribute cannot read the facts fails the second pass of its dump: named, left out, exit 2.
        let badBin = dir + "/bad-bin"
        try FileManager.default.createDirectory(atPath: badBin, withIntermediateDirectories: true)
        for tool in ["decode", "report"] {
            try FileManager.default.createSymbolicLink(atPath: "\(badBin)/\(tool)", withDestinationPath: "\(bin)/\(tool)")
        }
        // attribute that fails whenever it is given facts (as an attribute of an older version would).
        try """
        #!/bin/sh
        for a in "$@"; do [ "$a" = --facts ] && { echo "attribute: error: --facts refused" >&2; exit 2; }; done
        exec \(bin)/attribute "$@"

        """.write(toFile: badBin + "/attribute", atomically: true, encoding: .utf8)
        #expect(chmod(badBin + "/attribute", 0o755) == 0)
        var badEnv = env
        badEnv["MCF_REMOTE_BIN"] = badBin
        let refused = try runProcess(
            Repo.path("Pipelines/fleet-analyse.sh"), [splitCap, splitDir + "/users.json", dir + "/split-refused"], environment: badEnv, timeout: 600)
        #expect(refused.status == 2, "\(refused.stderrText)")
        #expect(
            refused.stderrText.contains("attribute exited 2 (worker: ") && refused.stderrText.contains("; second pass); left out of the reports"),
            "\(refused.stderrText)")
        let rerun = try Self.jobs(dir + "/split-refused/fleet-joblog-pass2.tsv").count
        #expect(rerun > 0 && refused.stderrText.components(separatedBy: "; second pass); left out of the reports").count == rerun + 1)
        if rerun < 3 {
            let refusedReport = try Self.json(dir + "/split-refused/report.json")
            #expect((refusedReport["hosts"] as? [[String: Any]])?.count == 3 - rerun)
        } else {
            #expect(refused.stderrText.contains("no dump's partial came back; no report"), "\(refused.stderrText)")
        }
        #expect(workersAreClean())

        // ── Broken dumps ─────────────────────────────────────────────────────────────────────────────────────
        // Cut in half: decode reads what is there and says so (exit 3); the dump is named, and the reports are
        // still analyse.sh's bytes.
        let broken = dir + "/capture-broken"
        try FileManager.default.copyItem(atPath: cap, toPath: broken)
        let victim = dumpNames[1]
        let victimPath = broken + "/" + victim
        let size = try #require(try FileManager.default.attributesOfItem(atPath: victimPath)[.size] as? Int)
        #expect(truncate(victimPath, off_t(size / 2)) == 0)
        let halfOne = try script("analyse.sh", [broken, users, dir + "/broken-one"])
        let halfFleet = try script("fleet-analyse.sh", [broken, users, dir + "/broken-fleet"])
        #expect(halfOne.status == 3 && halfFleet.status == 3, "\(halfOne.status) \(halfFleet.status): \(halfFleet.stderrText)")
        #expect(halfFleet.stderrText.contains("fleet-analyse.sh: warning: \(victim): decode"), "\(halfFleet.stderrText)")
        for ext in ["txt", "md", "html", "json"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/broken-one/report.\(ext)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/broken-fleet/report.\(ext)"))
            #expect(a == b, "report.\(ext) of the broken capture differs")
        }
        // Cut inside its first gzip member: decode cannot read it at all (exit 2); the dump is named and left out.
        #expect(truncate(victimPath, 10) == 0)
        let cut = try script("fleet-analyse.sh", [broken, users, dir + "/cut-fleet"])
        #expect(cut.status == 2, "\(cut.stderrText)")
        #expect(cut.stderrText.contains("fleet-analyse.sh: error: \(victim): decode exited 2"), "\(cut.stderrText)")
        #expect(cut.stderrText.contains("3 of 4 dumps merged"))
        let cutReport = try Self.json(dir + "/cut-fleet/report.json")
        #expect((cutReport["hosts"] as? [[String: Any]])?.count == 3)
        #expect(workersAreClean())

        // ── Copies left by a changed server list: the partials' key logs find them across dumps ────────────
        // Keystone and the two Python apps write again through the first three servers only: ceilometer's token
        // list (a record attribute holds to the end) and many app keys now sit on two hosts.
        try FileManager.default.createDirectory(atPath: dir + "/refill", withIntermediateDirectories: true)
        try Python.run(script: Repo.path("Tests/python/e2e_keystone.py"), ["fill-many", dir + "/refill"] + servers.prefix(3).map { String($0.port) })
        try Python.run(script: Repo.path("Samples/apps/fill_python.py"), Array(addresses.prefix(3)))
        let onSeveral = try Python.run(
            code: """
                import hashlib, sys
                sys.path.insert(0, sys.argv[1])
                import e2e_keystone
                seen = {}
                for port in sys.argv[2:]:
                    for k in e2e_keystone.read_server(port):
                        seen[k] = seen.get(k, 0) + 1
                several = [k for k, n in seen.items() if n > 1]
                ceilometer = hashlib.sha1(b'usertokens-eef939600bc111e69aeb57d4fa849231').hexdigest()
                print(len(several), sum(seen[k] - 1 for k in several), ceilometer if ceilometer in several else '-')
                """, [Repo.path("Tests/python")] + servers.map { String($0.port) }
        ).stdoutText.split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        try #require(onSeveral.count == 3, "\(onSeveral)")
        let (copiedKeys, extraCopies, ceilometerList) = (Int(onSeveral[0]) ?? 0, Int(onSeveral[1]) ?? 0, onSeveral[2])
        try #require(copiedKeys > 0 && ceilometerList != "-", "the refill left no key, or not ceilometer's list, on two hosts")
        let copiesCap = dir + "/capture-copies"
        let recaptured = try script("fleet-capture.sh", [copiesCap] + addresses)
        #expect(recaptured.status == 0, "\(recaptured.stderrText)")
        let copiesOne = dir + "/copies-one", copiesFleet = dir + "/copies-fleet"
        #expect(try script("analyse.sh", [copiesCap, users, copiesOne]).status == 0)
        let copiesAnalysed = try script("fleet-analyse.sh", [copiesCap, users, copiesFleet])
        #expect(copiesAnalysed.status == 0, "\(copiesAnalysed.stderrText)")
        for ext in ["txt", "md", "html", "json"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(copiesOne)/report.\(ext)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(copiesFleet)/report.\(ext)"))
            #expect(a.count > 1000 && a == b, "report.\(ext) of the capture with copies differs (\(a.count) and \(b.count) bytes)")
        }
        let copies = try #require(try Self.json(copiesFleet + "/report.json")["copies"] as? [String: Any])
        #expect(copies["keys"] as? Int == copiedKeys && copies["extra_copies"] as? Int == extraCopies, "\(copies) against \(onSeveral)")
        // ceilometer's list is one of them: held to the end by attribute on both hosts.
        let records = try String(contentsOfFile: copiesOne + "/records.ndjson", encoding: .utf8).split(separator: "\n")
        let listRecords = records.filter { $0.contains(#""key":"\#(ceilometerList)""#) }
        #expect(listRecords.count == 2 && listRecords.allSatisfy { $0.hasSuffix(#","held":true}"#) }, "\(listRecords.map { $0.suffix(80) })")
        #expect(workersAreClean())
    }
}
