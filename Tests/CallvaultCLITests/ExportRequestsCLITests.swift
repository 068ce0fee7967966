import Foundation
import Testing
import CallvaultTesting

/// `export` and `requests` through the built binary: JSON shapes, exit codes, the acting account picked with `--as` and allowed by its role.
@Suite struct ExportRequestsCLITests {
    func loaded() throws -> (TestArchive, CLIRunner) {
        let fixture = try TestArchive.withSamples()
        let cli = CLIRunner(archive: fixture.root)
        try cli.addAccounts()
        return (fixture, cli)
    }

    @Test func requestsOpenListCloseShapesAndOverdueExitCode() throws {
        let (fixture, cli) = try loaded()
        defer { withExtendedLifetime(fixture) {} }
        let noUser = try cli.run(["requests", "open", "--customer", "C001", "--type", "access"])
        #expect(noUser.status == 1 && noUser.stderr.contains("pick one with --as NAME"))
        let open = try cli.run(["requests", "open", "--customer", "C001", "--type", "erasure", "--received", "2026-01-31", "--json", "--as", "carla"])
        #expect(open.status == 0, "\(open.stderr)")
        #expect(open.json["request"] as? String == "req-1")
        #expect((open.json["due"] as? String)?.hasPrefix("2026-02-2") == true && (open.json["due"] as? String)?.hasSuffix("Z") == true)
        #expect(try cli.run(["requests", "open", "--customer", "C999", "--type", "access", "--as", "carla"]).status == 1)
        #expect(try cli.run(["requests", "open", "--customer", "C001", "--type", "deletion", "--as", "carla"]).status == 2)

        let list = try cli.run(["requests", "list", "--json", "--as", "carla"])
        #expect(list.status == 0)
        let requests = try #require(list.json["requests"] as? [[String: Any]])
        #expect(requests.count == 1)
        for key in ["id", "customer", "type", "received", "due", "closed", "outcome", "overdue"] { #expect(requests[0].keys.contains(key), "\(key)") }
        #expect(requests[0]["overdue"] as? Bool == true)
        let overdue = try cli.run(["requests", "list", "--overdue", "--json", "--as", "carla"])
        #expect(overdue.status == 1, "an open request past due makes --overdue fail (R38)")

        let close = try cli.run(["requests", "close", "req-1", "--outcome", "erased", "--json", "--as", "carla"])
        #expect(close.status == 0, "\(close.stderr)")
        #expect(try cli.run(["requests", "list", "--overdue", "--as", "carla"]).status == 0)
        let all = try cli.run(["requests", "list", "--all", "--json", "--as", "carla"])
        #expect((all.json["requests"] as? [[String: Any]])?.first?["outcome"] as? String == "erased")
        #expect(try cli.run(["requests", "close", "req-1", "--as", "carla"]).status == 1)
    }

    @Test func exportWritesTheZipAndReportsIt() throws {
        let (fixture, cli) = try loaded()
        let zip = fixture.folder.path("c002.zip")
        let noUser = try cli.run(["export", "--customer", "C002", "--out", zip.path, "--purpose", "complaint"])
        #expect(noUser.status == 1)
        let lead = try cli.run(["export", "--customer", "C002", "--out", zip.path, "--purpose", "complaint", "--as", "lee"])
        #expect(lead.status == 1 && lead.stderr.contains("compliance"))
        let noPurpose = try cli.run(["export", "--customer", "C002", "--out", zip.path, "--as", "carla"])
        #expect(noPurpose.status == 1)
        let run = try cli.run(["export", "--customer", "C002", "--out", zip.path, "--purpose", "complaint",
                               "--as", "carla", "--json"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.json["file"] as? String == zip.path)
        #expect((run.json["items"] as? Int ?? 0) > 0)
        #expect(run.json["recordings"] as? Int == 1)
        #expect((run.json["sha256"] as? String)?.count == 64)
        #expect((run.json["bytes"] as? Int ?? 0) > 0)
        let listing = try Shell.run("/usr/bin/unzip", ["-l", zip.path])
        for name in ["manifest.json", "customer.json", "calls.csv", "calls.json", "sms.csv", "sms.json", "recordings.json",
                     "consultations.json", "information.json", "README.txt", "recordings/rec-"] {
            #expect(listing.contains(name), "\(name)")
        }
        try Shell.run("/usr/bin/unzip", ["-tq", zip.path])
        let again = try cli.run(["export", "--customer", "C002", "--out", zip.path, "--purpose", "complaint", "--as", "carla"])
        #expect(again.status == 1 && again.stderr.contains("--force"))
        let forced = try cli.run(["export", "--customer", "C002", "--out", zip.path, "--purpose", "complaint",
                                  "--as", "carla", "--force", "--portability", "--json"])
        #expect(forced.status == 0, "\(forced.stderr)")
    }
}
