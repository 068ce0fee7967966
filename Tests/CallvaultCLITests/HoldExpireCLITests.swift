import Foundation
import Testing
import CallvaultTesting

/// CLI.md's `hold` and `expire` rows through the built binary: JSON shapes, exit codes,
/// the acting account picked with `--as` for holds, expiry by hand under the person's own account, and an expiry run killed mid-way finished by the next.
@Suite struct HoldExpireCLITests {
    let folder = TemporaryFolder("callvault-cli-hold")
    var cli: CLIRunner { CLIRunner(archive: folder.path("archive")) }

    /// The samples, every customer relationship ended on 2026-01-01 (everything due by 2030).
    func loaded() throws -> CLIRunner {
        let cli = self.cli
        try cli.initWithAccounts()
        let text = try String(contentsOf: TestArchive.samples.appendingPathComponent("customers.csv"), encoding: .utf8)
        let ended = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").enumerated().map { $0.offset == 0 || !$0.element.hasSuffix(",") ? String($0.element) : $0.element + "2026-01-01" }
        let csv = folder.write("customers.csv", ended.joined(separator: "\n") + "\n")
        #expect(try cli.run(["customers", "import", csv.path, "--json", "--as", "ops.admin"]).status == 0)
        #expect(try cli.run(["ingest", TestArchive.samples.appendingPathComponent("asterisk").path, "--json", "--as", "ops.admin"]).status == 0)
        return cli
    }

    @Test func holdPlaceListShowReleaseFollowTheContract() throws {
        let cli = try loaded()
        let placed = try cli.run(["hold", "place", "--case", "Case 1", "--reason", "litigation", "--customer", "C001",
                                  "--number", "050 765 4321", "--from", "2026-10-01", "--to", "2026-10-31", "--as", "carla", "--json"])
        #expect(placed.status == 0, "\(placed.stderr)")
        #expect(placed.json["hold"] as? String == "hold-1")

        let list = try cli.run(["hold", "list", "--json", "--as", "carla"])
        #expect(list.status == 0)
        let holds = try #require(list.json["holds"] as? [[String: Any]])
        #expect(holds.count == 1)
        let hold = holds[0]
        for key in ["id", "case", "reason", "scopes", "from", "to", "placed_by", "placed_at", "released_by", "released_at", "release_reason", "items"] {
            #expect(hold.keys.contains(key), "hold list lacks \(key)")
        }
        #expect(hold["id"] as? String == "hold-1" && hold["case"] as? String == "Case 1" && hold["placed_by"] as? String == "carla")
        #expect(hold["released_at"] is NSNull)
        let scopes = try #require(hold["scopes"] as? [[String: String]])
        #expect(Set(scopes.map { "\($0["kind"]!)=\($0["value"]!)" }) == ["customer=C001", "number=+358507654321"])
        #expect((hold["from"] as? String)?.hasSuffix("Z") == true)
        let covered = try #require(hold["items"] as? Int)
        #expect(covered > 0)

        let show = try cli.run(["hold", "show", "hold-1", "--json", "--as", "carla"])
        #expect(show.status == 0)
        #expect((show.json["items"] as? [String])?.count == covered)
        #expect((show.json["hold"] as? [String: Any])?["id"] as? String == "hold-1")

        let item = try #require((show.json["items"] as? [String])?.first)
        let shown = try cli.run(["show", item, "--json", "--as", "lee"])
        #expect((shown.json["holds"] as? [String]) == ["hold-1"])
        let searched = try cli.run(["search", "--customer", "C001", "--from", "2026-10-01", "--to", "2026-10-31", "--json", "--as", "lee"])
        let hits = try #require(searched.json["items"] as? [[String: Any]])
        #expect(!hits.isEmpty && hits.allSatisfy { ($0["holds"] as? [String]) == ["hold-1"] })

        let released = try cli.run(["hold", "release", "hold-1", "--reason", "settled", "--as", "carla", "--json"])
        #expect(released.status == 0)
        #expect(released.json["released"] as? String == "hold-1")
        #expect((try cli.run(["hold", "list", "--json", "--as", "carla"]).json["holds"] as? [Any])?.isEmpty == true)
        let all = try cli.run(["hold", "list", "--all", "--json", "--as", "carla"]).json["holds"] as? [[String: Any]]
        #expect(all?.first?["released_by"] as? String == "carla" && all?.first?["release_reason"] as? String == "settled")
        let again = try cli.run(["hold", "release", "hold-1", "--reason", "again", "--as", "carla"])
        #expect(again.status == 1 && again.stderr.contains("released already"))
    }

    @Test func holdRefusalsAndUsageErrorsExitAsTheContractSays() throws {
        let cli = try loaded()
        let noActor = try cli.run(["hold", "place", "--case", "c", "--reason", "r", "--customer", "C001"])
        #expect(noActor.status == 1 && noActor.stderr.contains("pick one with --as NAME"))
        let noRelease = try cli.run(["hold", "release", "hold-1", "--reason", "r"])
        #expect(noRelease.status == 1)
        let failures: [([String], String)] = [
            (["--customer", "C999"], "C999"),
            (["--number", "not-a-number"], "--number"),
            (["--item", "call-999999"], "call-999999"),
            ([], "scope"),
            (["--customer", "C001", "--from", "yesterday"], "--from"),
        ]
        for (arguments, message) in failures {
            let result = try cli.run(["hold", "place", "--case", "c", "--reason", "r", "--as", "carla"] + arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(try cli.run(["hold", "place", "--reason", "r", "--customer", "C001", "--as", "carla"]).status == 2, "--case is required")
        #expect(try cli.run(["hold", "show", "hold-9", "--as", "carla"]).status == 1)
        #expect(try cli.run(["hold", "show", "nonsense", "--as", "carla"]).status == 1)
    }

    @Test func expireReportsTheContractShapeAndDryRunExitsOneWhenOverdue() throws {
        let cli = try loaded()
        #expect(try cli.run(["hold", "place", "--case", "c", "--reason", "r", "--customer", "C002", "--as", "carla"]).status == 0)
        let dry = try cli.run(["expire", "--now", "2031-01-01", "--dry-run", "--json", "--as", "carla"])
        #expect(dry.status == 1, "overdue items make a dry run fail")
        #expect(dry.stderr.contains("48 h"))
        let d = dry.json
        #expect(d["dry_run"] as? Bool == true)
        #expect((d["deleted"] as? [String: Int]) == ["calls": 0, "sms": 0, "recordings": 0])
        let due = try #require(d["due"] as? [String: Int])
        #expect((due["calls"] ?? 0) > 0)
        #expect((d["overdue"] as? [String])?.isEmpty == false && (d["overdue_count"] as? Int ?? 0) > 0)
        let kept = try #require(d["kept"] as? [[String: Any]])
        #expect(!kept.isEmpty && kept.allSatisfy { $0["why"] as? String == "hold" && $0["by"] as? String == "hold-1" && $0["id"] is String })
        #expect((d["held"] as? Int) == kept.count)

        let run = try cli.run(["expire", "--json", "--as", "carla"], environment: ["CALLVAULT_TEST_NOW": "2031-01-01T00:00:00+02:00"])
        #expect(run.status == 0, "\(run.stderr)")
        let r = run.json
        let deleted = try #require(r["deleted"] as? [String: Int])
        #expect(deleted == due)
        for key in ["held", "restricted", "frozen", "audit_pruned", "overdue", "kept"] { #expect(r.keys.contains(key), "\(key)") }
        #expect(r["held"] as? Int == kept.count && r["restricted"] as? Int == 0 && r["frozen"] as? Int == 0)
        #expect((r["overdue"] as? [String])?.isEmpty == true)

        let after = try cli.run(["expire", "--now", "2031-01-01", "--dry-run", "--json", "--as", "carla"], environment: ["CALLVAULT_TEST_NOW": "2031-01-01T00:00:00+02:00"])
        #expect(after.status == 0, "nothing overdue once expired")
        #expect(try cli.run(["audit", "verify", "--json", "--as", "ops.admin"]).json["ok"] as? Bool == true)
        #expect(try cli.run(["expire", "--now", "soon", "--dry-run", "--as", "carla"]).status == 1)
        // A supplied time only plans: a real run refuses it before touching anything.
        let steered = try cli.run(["expire", "--now", "2040-01-01", "--json", "--as", "carla"])
        #expect(steered.status == 2 && steered.stderr.contains("--dry-run"), "\(steered.stderr)")
    }

    @Test func expireByHandActsAsThePersonWhoRunsIt() throws {
        let cli = try loaded()
        let archive = folder.path("archive/index.sqlite").path
        let lastExpire = { try Shell.run("/usr/bin/sqlite3", [archive, "SELECT actor || ':' || role FROM audit_log WHERE action = 'expire' ORDER BY seq DESC LIMIT 1"]) }
        // Only `serve`'s scheduled runs act as svc:expiry; a person acts as themselves and needs run-expiry.
        let t2028 = ["CALLVAULT_TEST_NOW": "2028-01-01T00:00:00+02:00"]
        let lead = try cli.run(["expire", "--json", "--as", "lee"], environment: t2028)
        #expect(lead.status == 1 && lead.stderr.contains("lee: the lead role may not run-expiry (allowed: admin or compliance)"))
        #expect(try cli.run(["expire", "--json", "--as", "ops.admin"], environment: t2028).status == 0)
        #expect(try lastExpire() == "ops.admin:admin")
        #expect(try cli.run(["expire", "--as", "carla", "--json"], environment: ["CALLVAULT_TEST_NOW": "2030-06-01T00:00:00+03:00"]).status == 0)
        #expect(try lastExpire() == "carla:compliance")
    }

    @Test func aRunKilledAfterItsFirstBatchIsFinishedByTheNext() throws {
        let cli = try loaded()
        let index = folder.path("archive/index.sqlite").path
        let crashed = try cli.run(["expire", "--json", "--as", "carla"], environment: ["CALLVAULT_CRASH_AT": "expire-batch-committed", "CALLVAULT_TEST_NOW": "2031-01-01T00:00:00+02:00"])
        #expect(crashed.status == 86, "the crash seam must fire: \(crashed.stderr)")
        // The batch committed; its blobs are queued, their files still on disk.
        #expect(try Shell.run("/usr/bin/sqlite3", [index, "SELECT count(*) FROM recordings"]) == "0")
        let queued = try Shell.run("/usr/bin/sqlite3", [index, "SELECT count(*) FROM blob_deletions"])
        #expect(Int(queued)! > 0)
        let files = { FileManager.default.enumerator(atPath: self.folder.path("archive/blobs").path)?.compactMap { $0 as? String }.filter { $0.count > 60 } ?? [] }
        #expect(files().count == Int(queued)!)
        // One file went just before the crash, its queue entry did not: that counts as done.
        let gone = try #require(files().first)
        try FileManager.default.removeItem(at: folder.path("archive/blobs").appendingPathComponent(gone))
        let next = try cli.run(["expire", "--json", "--as", "carla"], environment: ["CALLVAULT_TEST_NOW": "2031-01-01T00:00:00+02:00"])
        #expect(next.status == 0, "\(next.stderr)")
        #expect(next.json["blobs_removed"] as? Int == Int(queued)! - 1)
        #expect(try Shell.run("/usr/bin/sqlite3", [index, "SELECT count(*) FROM blob_deletions"]) == "0")
        #expect(files().isEmpty)
        #expect(try cli.run(["audit", "verify", "--json", "--as", "ops.admin"]).json["ok"] as? Bool == true)
    }
}
