import Foundation
import Testing
import CallvaultTesting

/// The rows of CLI.md, driven through the built binary: JSON shapes, exit codes, --archive and the acting account.
@Suite struct CLIContractTests {
    let folder = TemporaryFolder("callvault-cli")
    var cli: CLIRunner { CLIRunner(archive: folder.path("archive")) }

    func loaded() throws -> CLIRunner {
        let cli = self.cli
        try cli.initWithAccounts()
        #expect(try cli.run(["init", "--json"]).json["archive"] as? String == folder.path("archive").path)
        let customers = try cli.run(["customers", "import", TestArchive.samples.appendingPathComponent("customers.csv").path, "--json", "--as", "ops.admin"])
        #expect(customers.status == 0)
        #expect(customers.json["customers"] as? Int == 13)
        #expect(customers.json["numbers"] as? Int == 16)
        #expect(customers.json["relinked"] is Int)
        return cli
    }

    @Test func initIsIdempotentAndCreatesTheLayout() throws {
        let cli = self.cli
        for _ in 0..<2 { #expect(try cli.run(["init", "--json"]).status == 0) }
        for path in ["callvault.toml", "index.sqlite", "blobs", "spool/incoming", "spool/processed", "spool/rejected", "tmp", "quarantine"] {
            #expect(FileManager.default.fileExists(atPath: folder.path("archive/\(path)").path), "\(path)")
        }
        let toml = try String(contentsOf: folder.path("archive/callvault.toml"), encoding: .utf8)
        #expect(toml.contains("country = \"FI\"") && toml.contains("source_time_zone = \"Europe/Helsinki\""))
    }

    @Test func ingestPrintsTheSummaryWithRejectedLines() throws {
        let cli = try loaded()
        let result = try cli.run(["ingest", TestArchive.samples.appendingPathComponent("asterisk").path, "--json", "--as", "ops.admin"])
        #expect(result.status == 0)
        let json = result.json
        #expect(json["files"] as? Int == 10)
        #expect((json["calls"] as? Int ?? 0) > 60)
        #expect(json["sms"] as? Int == 0)
        #expect(json["recordings"] as? Int == 7)
        #expect(json["duplicates"] as? Int == 0)
        let rejected = try #require(json["rejected"] as? [[String: Any]])
        #expect(rejected.count == 1)
        #expect((rejected[0]["file"] as? String)?.hasSuffix("Master-latin1.csv") == true)
        #expect(rejected[0]["line"] as? Int == 2)
        #expect(rejected[0]["reason"] is String)
        #expect(result.stderr.contains("Master-latin1.csv:2"))
    }

    @Test func ingestOfOnlyBadInputExitsOne() throws {
        let cli = self.cli
        try cli.initWithAccounts()
        let bad = folder.write("bad.txt", "nothing to see\n")
        let result = try cli.run(["ingest", bad.path, "--json", "--as", "ops.admin"])
        #expect(result.status == 1)
        let rejected = try #require(result.json["rejected"] as? [[String: Any]])
        #expect(rejected.first?["line"] is NSNull)
    }

    @Test func aCallOfSeveralLegsPrintsLegsAndRecordingsInJSON() throws {
        let cli = try loaded()
        let lines = [
            Samples.cdrLine(uniqueID: "1773473400.1", sequence: 1),
            Samples.cdrLine(src: "1001", dst: "1003", context: "from-internal", start: "2026-03-14 09:31:00",
                            answer: "2026-03-14 09:31:04", end: "2026-03-14 09:33:04", duration: 124, billsec: 120,
                            uniqueID: "1773473460.5", linkedID: "1773473400.1", sequence: 2),
        ]
        let cdr = folder.write("in/Master.csv", lines.joined(separator: "\n") + "\n")
        let wav = folder.write("in/exten-1003-1001-20260314-093100-1773473460.5.wav", Samples.wav(seconds: 1))
        #expect(try cli.run(["ingest", cdr.path, wav.path, "--json", "--as", "ops.admin"]).status == 0)
        let search = try cli.run(["search", "--number", "0401234567", "--json", "--as", "lee"])
        #expect(search.json["total"] as? Int == 1)
        let item = try #require((search.json["items"] as? [[String: Any]])?.first)
        #expect(item["id"] as? String == "call-1")
        #expect(item["legs"] as? [String] == ["call-1", "call-2"])
        #expect(item["recordings"] as? [String] == ["rec-3"])
        #expect(item["recording"] is NSNull)
        let show = try cli.run(["show", "call-2", "--json", "--as", "lee"])
        #expect(show.json["legs"] as? [String] == ["call-1", "call-2"])
        #expect(show.json["recording"] as? String == "rec-3")
        let text = try cli.run(["show", "call-2", "--as", "lee"])
        #expect(text.stdout.contains("legs         call-1, call-2 (this)"))
        #expect(text.stdout.contains("recordings   rec-3"))
        let list = try cli.run(["search", "--number", "0401234567", "--as", "lee"])
        #expect(list.stdout.contains("legs call-1, call-2"))
    }

    @Test func searchShowAndExtractFollowTheContract() throws {
        let cli = try loaded()
        try cli.run(["ingest", TestArchive.samples.appendingPathComponent("asterisk").path, "--as", "ops.admin"])
        let search = try cli.run(["search", "--number", "040 123 4567", "--limit", "3", "--json", "--as", "lee"])
        #expect(search.status == 0)
        #expect(search.json["total"] as? Int == 7)
        let items = try #require(search.json["items"] as? [[String: Any]])
        #expect(items.count == 3)
        let keys: Set<String> = ["id", "kind", "start", "direction", "from", "to", "duration_s", "disposition", "agent",
                                 "customers", "recording", "legs", "recordings", "retain_until", "holds"]
        #expect(keys.isSubset(of: Set(items[0].keys)))
        #expect((items[0]["start"] as? String)?.hasSuffix("Z") == true)
        #expect(items[0]["from"] as? String == "+358401234567" || items[0]["to"] as? String == "+358401234567")

        let withRecording = try cli.run(["search", "--kind", "call", "--customer", "C001", "--json", "--as", "lee"])
        let call = try #require((withRecording.json["items"] as? [[String: Any]])?.first { $0["recording"] is String })
        let recording = try #require(call["recording"] as? String)
        let show = try cli.run(["show", recording, "--json", "--as", "lee"])
        #expect(show.status == 0)
        #expect(show.json["id"] as? String == recording)
        #expect(show.json["kind"] as? String == "recording")

        let out = folder.path("out.wav")
        let extract = try cli.run(["recording", "extract", recording, "--out", out.path, "--purpose", "customer-service", "--json", "--as", "lee"])
        #expect(extract.status == 0)
        #expect(extract.json["id"] as? String == recording)
        #expect((extract.json["sha256"] as? String)?.count == 64)
        #expect(extract.json["bytes"] as? Int == (try Data(contentsOf: out)).count)
    }

    @Test func exitCodesFollowTheContract() throws {
        let cli = try loaded()
        #expect(try cli.run(["search", "--no-such-flag", "--as", "lee"]).status == 2, "usage error")
        #expect(try cli.run(["show", "--as", "lee"]).status == 2, "missing argument")
        #expect(try cli.run(["show", "call-999999", "--as", "lee"]).status == 1, "unknown item")
        #expect(try cli.run(["show", "not-an-id", "--as", "lee"]).status == 1)
        let denied = try cli.run(["recording", "extract", "rec-1", "--out", folder.path("x.wav").path, "--as", "lee"])
        #expect(denied.status == 1, "no purpose")
        #expect(denied.stderr.contains("purpose"))
        #expect(try cli.run(["search", "--from", "yesterday", "--as", "lee"]).status == 1)
        let noArchive = CLIRunner(archive: folder.path("missing"))
        let missing = try noArchive.run(["search"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("callvault init"))
    }

    @Test func theActingAccountAndEnvironmentDefaultsAreHonoured() throws {
        let cli = try loaded()
        try cli.run(["search", "--number", "0401234567", "--as", "carla"])
        try cli.run(["search", "--number", "0401234567", "--as", "lee"])
        // --archive from the environment.
        let viaEnv = try cli.run(["search", "--json", "--as", "lee"], environment: ["CALLVAULT_ARCHIVE": folder.path("archive").path], archiveFlag: false)
        #expect(viaEnv.status == 0)
        let actors = try Shell.run("/usr/bin/sqlite3", [folder.path("archive/index.sqlite").path, "SELECT actor FROM audit_log WHERE action = 'search' ORDER BY seq"])
        #expect(actors.split(separator: "\n").prefix(2) == ["carla", "lee"])
        let origin = try Shell.run("/usr/bin/sqlite3", [folder.path("archive/index.sqlite").path, "SELECT origin FROM audit_log WHERE action = 'search' ORDER BY seq LIMIT 1"])
        #expect(origin.hasPrefix("cli:\(CLIRunner.osLogin)@"), "the OS login that proved the account is in the audit log")
    }

    @Test func auditVerifyAndVerifyPrintTheirShapes() throws {
        let cli = try loaded()
        try cli.run(["ingest", TestArchive.samples.appendingPathComponent("asterisk/monitor").path, "--as", "ops.admin"])
        let audit = try cli.run(["audit", "verify", "--json", "--as", "ops.admin"])
        #expect(audit.status == 0)
        #expect(audit.json["ok"] as? Bool == true)
        #expect((audit.json["entries"] as? Int ?? 0) > 0)
        #expect(audit.json["first_bad"] is NSNull)
        let verify = try cli.run(["verify", "--json", "--as", "ops.admin"])
        #expect(verify.status == 0)
        #expect(verify.json["blobs"] as? Int == 7)
        #expect((verify.json["corrupt"] as? [Any])?.isEmpty == true)
        #expect((verify.json["missing"] as? [Any])?.isEmpty == true)
        #expect(verify.json["orphans"] as? Int == 0)
    }

    @Test func auditVerifyDetectsTruncationAgainstASavedDigest() throws {
        let cli = try loaded()
        try cli.run(["ingest", TestArchive.samples.appendingPathComponent("asterisk/cdr-csv").path, "--as", "ops.admin"])
        let digest = try cli.run(["audit", "digest", "--json", "--as", "ops.admin"])
        let digestFile = folder.write("digest.json", digest.stdout)
        // An attacker removes the newest entries and rewinds the head to match.
        let db = folder.path("archive/index.sqlite").path
        let keep = (digest.json["entries"] as? Int ?? 0) - 2
        try Shell.run("/usr/bin/sqlite3", [db, """
            DROP TRIGGER audit_log_append_only_delete;
            DELETE FROM audit_log WHERE seq > \(keep);
            UPDATE audit_head SET count = \(keep), last_hash = (SELECT hash FROM audit_log WHERE seq = \(keep));
            """])
        // The chain and head alone cannot see a rewound head; the anchor the ingest left can.
        let anchored = try cli.run(["audit", "verify", "--json", "--as", "ops.admin"])
        #expect(anchored.json["ok"] as? Bool == false)
        #expect(anchored.json["first_bad"] as? Int == keep + 1)
        let checked = try cli.run(["audit", "verify", "--digest", digestFile.path, "--json", "--as", "ops.admin"])
        #expect(checked.status == 1)
        #expect(checked.json["ok"] as? Bool == false)
    }

    @Test func jsonOutputIsOneDocumentAndProgressStaysOffPipes() throws {
        let cli = try loaded()
        let result = try cli.run(["ingest", TestArchive.samples.appendingPathComponent("asterisk/cdr-csv").path, "--json", "--as", "ops.admin"])
        #expect((try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) != nil)
        #expect(!result.stderr.contains("records/s"))
    }
}
