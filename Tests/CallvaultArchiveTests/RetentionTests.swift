import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultPolicy
import CallvaultTesting

/// Every item gets a class and retain-until date at ingest (R14, R15); `retention apply`
/// recomputes after a rule change and `customers import` after a relationship's end.
@Suite struct RetentionTests {
    let zone = TimeZone(identifier: "Europe/Helsinki")!

    func plus(_ period: RetentionPeriod, _ date: Date) -> Date { period.added(to: date, in: zone) }

    func date(_ text: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let p = text.split(separator: "-").map { Int($0)! }
        return calendar.date(from: DateComponents(year: p[0], month: p[1], day: p[2]))!
    }

    @Test func everyIngestedItemHasAClassAndADate() throws {
        let fixture = try TestArchive.withSamples()
        try fixture.ingest(TestArchive.samples.appendingPathComponent("freeswitch"), TestArchive.samples.appendingPathComponent("sms"))
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE retention_class IS NULL") == "0", "R14: no item without a rule")
        let all = try fixture.archive.search(SearchQuery(limit: 10_000), actor: fixture.actor).items
        let recordings = try fixture.archive.search(SearchQuery(kind: .recording, limit: 1_000), actor: fixture.actor).items
        #expect(!recordings.isEmpty)
        for recording in recordings {
            #expect(recording.retentionClass == "recording")
            #expect(recording.retainUntil == plus(RetentionPeriod(months: 12), recording.start))
        }
        let traffic = all.filter { $0.id.kind != .recording }
        #expect(traffic.allSatisfy { $0.retentionClass == "traffic-data" })
        // Live customers keep their traffic data; an item of nobody counts three years from itself,
        // and so does one of C008 (relationship ended 2026-06-30, before the sample calls).
        for item in traffic {
            if item.customers.isEmpty || item.customers == ["C008"] {
                #expect(item.retainUntil == plus(RetentionPeriod(years: 3), item.start), "\(item.id)")
            } else {
                #expect(item.retainUntil == nil, "\(item.id) links to a live customer")
            }
        }
        #expect(traffic.contains { $0.customers.isEmpty } && traffic.contains { !$0.customers.isEmpty })
    }

    /// R15 (c): a customer ends on 2025-01-10 → due 2028-01-10; reopening clears the date.
    @Test func theEndOfARelationshipStartsTheClockAndReopeningStopsIt() throws {
        let fixture = try TestArchive.withSamples()
        let before = try fixture.archive.search(SearchQuery(customer: "C001"), actor: fixture.actor).items.filter { $0.id.kind == .call }
        #expect(!before.isEmpty && before.allSatisfy { $0.retainUntil == nil })

        let ended = fixture.input("ended.csv", "customer_id,name,phones,relationship_ended\nC001,Mäkinen Jukka,040 123 4567,2025-01-10\n")
        let summary = try fixture.archive.importCustomers(from: ended, actor: fixture.actor)
        #expect(summary.retentionChanged >= before.count)
        for call in try fixture.archive.search(SearchQuery(customer: "C001"), actor: fixture.actor).items where call.id.kind == .call {
            // Calls after the end count from themselves.
            #expect(call.retainUntil == plus(RetentionPeriod(years: 3), max(date("2025-01-10"), call.start)), "\(call.id)")
        }
        let reopened = fixture.input("reopened.csv", "customer_id,name,phones,relationship_ended\nC001,Mäkinen Jukka,040 123 4567,\n")
        _ = try fixture.archive.importCustomers(from: reopened, actor: fixture.actor)
        let after = try fixture.archive.search(SearchQuery(customer: "C001"), actor: fixture.actor).items.filter { $0.id.kind == .call }
        #expect(after.allSatisfy { $0.retainUntil == nil })
    }

    /// R15 (c): changing the rules recomputes due dates, and the change is logged.
    @Test func aRuleChangeIsAppliedExplainedAndAudited() throws {
        let fixture = try TestArchive.withSamples()
        let recording = try #require(try fixture.archive.search(SearchQuery(kind: .recording), actor: fixture.actor).items.first)
        let config = fixture.root.appendingPathComponent("callvault.toml")
        var text = try String(contentsOf: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "[[retention.rules]]\nclass = \"recording\"", with: """
            [retention.classes.short-recording]
            period = "P3M"
            from = "item"
            legal_basis = "legitimate-interest"
            erasable_early = true

            [[retention.rules]]
            class = "short-recording"
            kind = ["recording"]

            [[retention.rules]]
            class = "recording"
            """)
        try text.write(to: config, atomically: true, encoding: .utf8)
        let archive = try Archive(root: fixture.root)

        let stale = try archive.explainRetention(recording.id, actor: fixture.actor)
        #expect(stale.ruleNumber == 1)
        #expect(stale.retentionClass?.name == "short-recording")
        #expect(stale.computed == RetentionTag(className: "short-recording", until: plus(RetentionPeriod(months: 3), recording.start)))
        #expect(stale.stored == RetentionTag(className: "recording", until: recording.retainUntil))

        let summary = try archive.applyRetention(actor: fixture.actor)
        #expect(summary.changed == (try fixture.archive.search(SearchQuery(kind: .recording, limit: 100), actor: fixture.actor).total))
        #expect(summary.unmatched.isEmpty)
        let current = try archive.explainRetention(recording.id, actor: fixture.actor)
        #expect(current.stored == current.computed)
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'retention-apply' AND details LIKE '%\"changed\":\"\(summary.changed)\"%'") == "1")
        #expect(try archive.applyRetention(actor: fixture.actor).changed == 0, "applying twice changes nothing")
        #expect(try archive.verifyAudit(actor: fixture.actor).ok)
    }

    /// R14 (c): a record type no rule covers is refused, line by line, and nothing is stored.
    @Test func anItemNoRuleCoversIsRefusedWithItsLine() throws {
        let fixture = try TestArchive()
        let config = fixture.root.appendingPathComponent("callvault.toml")
        var text = try String(contentsOf: config, encoding: .utf8)
        text = text.replacingOccurrences(of: "[[retention.rules]]\nclass = \"traffic-data\"\nkind = [\"call\", \"sms\"]", with: "")
        try text.write(to: config, atomically: true, encoding: .utf8)
        let archive = try Archive(root: fixture.root)
        let file = fixture.input("Master.csv", Samples.cdrLine() + "\n" + Samples.cdrLine(uniqueID: "1773473400.2") + "\n")
        let summary = try archive.ingest([file], actor: fixture.admin)
        #expect(summary.calls == 0)
        #expect(summary.rejected.map(\.line) == [1, 2])
        #expect(summary.rejected.allSatisfy { $0.reason.contains("no retention rule matches this call") && $0.reason.contains("[[retention.rules]]") })
        #expect(try fixture.sql("SELECT count(*) FROM items") == "0")
        // The recording rule still stands: recordings are taken.
        let wav = fixture.input("in-0401234567-1001-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 1))
        #expect(try archive.ingest([wav], actor: fixture.admin).recordings == 1)
    }

    @Test func theCommandLineShowsAndAppliesRetention() throws {
        let fixture = try TestArchive.withSamples()
        let cli = CLIRunner(archive: fixture.root)
        try cli.addAccounts()
        let recording = try #require(try fixture.archive.search(SearchQuery(kind: .recording), actor: fixture.actor).items.first)
        let shown = try cli.run(["retention", "show", recording.id.description, "--json", "--as", "lee"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.json["retention_class"] as? String == "recording")
        #expect(shown.json["rule"] as? Int == 1)
        #expect(shown.json["legal_basis"] as? String == "legitimate-interest")
        #expect(shown.json["period"] as? String == "P12M")
        #expect(shown.json["current"] as? Bool == true)

        let text = try cli.run(["retention", "show", recording.id.description, "--as", "lee"])
        #expect(text.stdout.contains("rule         #1"))

        #expect(try cli.run(["retention", "show", "call-999999", "--as", "lee"]).status == 1)
        #expect(try cli.run(["retention", "show", "nonsense", "--as", "lee"]).status == 1)
        let byLead = try cli.run(["retention", "apply", "--as", "lee"])
        #expect(byLead.status == 1 && byLead.stderr.contains("lee: the lead role may not manage-retention"))
        let applied = try cli.run(["retention", "apply", "--as", "carla", "--json"])
        #expect(applied.status == 0, "\(applied.stderr)")
        #expect(applied.json["changed"] as? Int == 0)
        #expect((applied.json["items"] as? Int ?? 0) > 0)
    }
}
