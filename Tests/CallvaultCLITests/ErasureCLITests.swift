import Foundation
import Testing
import CallvaultTesting

/// CLI.md rows `erase`, `restrict` / `unrestrict`, and `link` / `unlink`: JSON shapes, exit
/// codes, and a named user (`--as`) required for every one of them (issue 4 item 8).
@Suite struct ErasureCLITests {
    @Test func eraseNeedsANamedUserAndPrintsThePlanAndTheReport() throws {
        let fixture = try TestArchive.withSamples()
        let cli = CLIRunner(archive: fixture.root)
        let anonymous = try cli.run(["erase", "--customer", "C001", "--reason", "req-1"], environment: ["CALLVAULT_USER": ""])
        #expect(anonymous.status == 2)
        #expect(anonymous.stderr.contains("--as"))

        let plan = try cli.run(["erase", "--customer", "C001", "--reason", "req-1", "--dry-run", "--json", "--as", "dpo"])
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

        let run = try cli.run(["erase", "--customer", "C001", "--reason", "req-1", "--json", "--as", "dpo", "--role", "compliance"])
        #expect(run.status == 0, "\(run.stderr)")
        let done = run.json
        #expect(done["erasure"] as? String == "erasure-1")
        #expect(done["deleted"] as? Int == planned["deleted"] as? Int)
        #expect(done["deferred"] as? Int == 0)
        #expect((done["kept"] as? [Any])?.count == keptPlan.count)
        #expect(done["review"] is [Any] && done["customer_removed"] as? Bool == false && done["customer_blanked"] as? Bool == true)
        #expect(try fixture.sql("SELECT actor, action, outcome FROM audit_log WHERE action = 'erase'") == "dpo|erase|allowed")
        #expect(try fixture.sql("SELECT count(*) FROM erasures WHERE completed_at IS NOT NULL AND report LIKE '%\"erasure\":\"erasure-1\"%'") == "1")

        let text = try cli.run(["erase", "--customer", "C004", "--reason", "req-2", "--as", "dpo"])
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("Erased:") && text.stdout.contains("Data Protection Ombudsman"))

        let unknown = try cli.run(["erase", "--customer", "C999", "--reason", "req-3", "--json", "--as", "dpo"])
        #expect(unknown.status == 1 && unknown.stderr.contains("no customer"))
        let noReason = try cli.run(["erase", "--customer", "C002", "--as", "dpo"])
        #expect(noReason.status == 2)
    }

    @Test func restrictAndUnrestrict() throws {
        let fixture = try TestArchive.withSamples()
        let cli = CLIRunner(archive: fixture.root)
        #expect(try cli.run(["restrict", "--customer", "C002", "--reason", "x"], environment: ["CALLVAULT_USER": ""]).status == 2)
        let restricted = try cli.run(["restrict", "--customer", "C002", "--reason", "accuracy contested", "--json", "--as", "dpo"])
        #expect(restricted.status == 0, "\(restricted.stderr)")
        #expect(restricted.json["customer"] as? String == "C002" && restricted.json["restricted"] as? Bool == true)
        let search = try cli.run(["search", "--customer", "C002", "--json", "--role", "lead"])
        #expect(search.json["total"] as? Int == 0)
        let refused = try cli.run(["unrestrict", "--customer", "C002", "--json", "--as", "lead1", "--role", "lead"])
        #expect(refused.status == 1 && refused.stderr.contains("compliance"))
        let lifted = try cli.run(["unrestrict", "--customer", "C002", "--reason", "confirmed", "--json", "--as", "dpo", "--role", "compliance"])
        #expect(lifted.status == 0, "\(lifted.stderr)")
        #expect(lifted.json["customer"] as? String == "C002" && lifted.json["restricted"] as? Bool == false)
    }

    @Test func linkAndUnlink() throws {
        let fixture = try TestArchive.withSamples()
        let cli = CLIRunner(archive: fixture.root)
        let found = try cli.run(["search", "--customer", "C001", "--kind", "call", "--json"])
        let items = try #require(found.json["items"] as? [[String: Any]])
        let id = try #require(items.first?["id"] as? String)
        #expect(try cli.run(["unlink", id, "--customer", "C001", "--reason", "x"], environment: ["CALLVAULT_USER": ""]).status == 2)
        let unlinked = try cli.run(["unlink", id, "--customer", "C001", "--reason", "wrong customer", "--json", "--as", "dpo"])
        #expect(unlinked.status == 0, "\(unlinked.stderr)")
        #expect(unlinked.json["item"] as? String == id && unlinked.json["linked"] as? Bool == false)
        #expect(unlinked.json["customers_before"] as? [String] == ["C001"] && unlinked.json["customers_after"] as? [String] == [])
        let linked = try cli.run(["link", id, "--customer", "C006", "--reason", "right customer", "--json", "--as", "dpo"])
        #expect(linked.status == 0 && linked.json["customers_after"] as? [String] == ["C006"])
        #expect(try cli.run(["link", "call-99999", "--customer", "C006", "--reason", "x", "--as", "dpo"]).status == 1)
    }
}
