import Foundation
import Testing
import CallvaultTesting

/// CLI.md rows `erase`, `restrict` / `unrestrict`, and `link` / `unlink`: JSON shapes, exit
/// codes, and the acting account proven and allowed by its role for every one of them (issues 4 and 16).
@Suite struct ErasureCLITests {
    @Test func eraseNeedsAnAccountAllowedToEraseAndPrintsThePlanAndTheReport() throws {
        let fixture = try TestArchive.withSamples()
        let cli = CLIRunner(archive: fixture.root)
        try cli.addAccounts()
        let anonymous = try cli.run(["erase", "--customer", "C001", "--reason", "req-1"])
        #expect(anonymous.status == 1, "the login maps to an account per role: it picks one")
        #expect(anonymous.stderr.contains("pick one with --as NAME"))
        let lead = try cli.run(["erase", "--customer", "C001", "--reason", "req-1", "--as", "lee"])
        #expect(lead.status == 1 && lead.stderr.contains("lee: the lead role may not erase (allowed: compliance)"))

        let plan = try cli.run(["erase", "--customer", "C001", "--reason", "req-1", "--dry-run", "--json", "--as", "carla"])
        #expect(plan.status == 0, "\(plan.stderr)")
        let planned = plan.json
        #expect(planned["erasure"] is NSNull && planned["dry_run"] as? Bool == true)
        #expect((planned["deleted"] as? Int ?? 0) > 0, "C001's recordings may be erased")
        let keptPlan = try #require(planned["kept"] as? [[String: Any]])
        #expect(!keptPlan.isEmpty)
        for kept in keptPlan {
            #expect(kept["id"] is String && kept["why"] as? String == "retention")
            #expect(kept.keys.contains("until") && kept["until"] is NSNull, "traffic data is kept while the relationship lasts")
        }

        let run = try cli.run(["erase", "--customer", "C001", "--reason", "req-1", "--json", "--as", "carla"])
        #expect(run.status == 0, "\(run.stderr)")
        let done = run.json
        #expect(done["erasure"] as? String == "erasure-1")
        #expect(done["deleted"] as? Int == planned["deleted"] as? Int)
        #expect(done["deferred"] as? Int == 0)
        #expect((done["kept"] as? [Any])?.count == keptPlan.count)
        #expect(done["review"] is [Any] && done["customer_removed"] as? Bool == false && done["customer_blanked"] as? Bool == true)
        #expect(try fixture.sql("SELECT actor, role, action, outcome FROM audit_log WHERE action = 'erase' ORDER BY seq") == "lee|lead|erase|denied\ncarla|compliance|erase|allowed")
        #expect(try fixture.sql("SELECT count(*) FROM erasures WHERE completed_at IS NOT NULL AND report LIKE '%\"erasure\":\"erasure-1\"%'") == "1")

        let text = try cli.run(["erase", "--customer", "C004", "--reason", "req-2", "--as", "carla"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Erased:") && text.stdout.contains("Data Protection Ombudsman"))

        let unknown = try cli.run(["erase", "--customer", "C999", "--reason", "req-3", "--json", "--as", "carla"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no customer"))
        let noReason = try cli.run(["erase", "--customer", "C002", "--as", "carla"])
        #expect(noReason.status == 2)
    }

    @Test func restrictAndUnrestrict() throws {
        let fixture = try TestArchive.withSamples()
        let cli = CLIRunner(archive: fixture.root)
        try cli.addAccounts()
        #expect(try cli.run(["restrict", "--customer", "C002", "--reason", "x"]).status == 1)
        let restricted = try cli.run(["restrict", "--customer", "C002", "--reason", "accuracy contested", "--json", "--as", "carla"])
        #expect(restricted.status == 0, "\(restricted.stderr)")
        #expect(restricted.json["customer"] as? String == "C002" && restricted.json["restricted"] as? Bool == true)
        let search = try cli.run(["search", "--customer", "C002", "--json", "--as", "lee"])
        #expect(search.json["total"] as? Int == 0)
        let refused = try cli.run(["unrestrict", "--customer", "C002", "--json", "--as", "lee"])
        #expect(refused.status == 1 && refused.stderr.contains("compliance"))
        let lifted = try cli.run(["unrestrict", "--customer", "C002", "--reason", "confirmed", "--json", "--as", "carla"])
        #expect(lifted.status == 0, "\(lifted.stderr)")
        #expect(lifted.json["customer"] as? String == "C002" && lifted.json["restricted"] as? Bool == false)
    }

    @Test func linkAndUnlink() throws {
        let fixture = try TestArchive.withSamples()
        let cli = CLIRunner(archive: fixture.root)
        try cli.addAccounts()
        let found = try cli.run(["search", "--customer", "C001", "--kind", "call", "--json", "--as", "lee"])
        let items = try #require(found.json["items"] as? [[String: Any]])
        let id = try #require(items.first?["id"] as? String)
        #expect(try cli.run(["unlink", id, "--customer", "C001", "--reason", "x"]).status == 1)
        #expect(try cli.run(["unlink", id, "--customer", "C001", "--reason", "x", "--as", "lee"]).status == 1, "rectification is compliance's")
        let unlinked = try cli.run(["unlink", id, "--customer", "C001", "--reason", "wrong customer", "--json", "--as", "carla"])
        #expect(unlinked.status == 0, "\(unlinked.stderr)")
        #expect(unlinked.json["item"] as? String == id && unlinked.json["linked"] as? Bool == false)
        #expect(unlinked.json["customers_before"] as? [String] == ["C001"] && unlinked.json["customers_after"] as? [String] == [])
        let linked = try cli.run(["link", id, "--customer", "C006", "--reason", "right customer", "--json", "--as", "carla"])
        #expect(linked.status == 0 && linked.json["customers_after"] as? [String] == ["C006"])
        #expect(try cli.run(["link", "call-99999", "--customer", "C006", "--reason", "x", "--as", "carla"]).status == 1)
    }
}
