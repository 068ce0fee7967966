import Foundation
import Testing
import CallvaultModel
import CallvaultPolicy

@Suite struct RetentionPolicyTests {
    let zone = TimeZone(identifier: "Europe/Helsinki")!
    let start = Date(timeIntervalSince1970: 1_773_473_400) // 2026-03-14 09:30 Helsinki

    func facts(_ kind: ItemKind, direction: Direction? = .inbound, context: String? = nil, format: String = "asterisk-csv",
               tags: [String] = []) -> RetentionFacts {
        RetentionFacts(kind: kind, direction: direction, context: context, format: format, tags: tags, start: start)
    }

    func plus(_ period: RetentionPeriod, _ date: Date) -> Date { period.added(to: date, in: zone) }

    @Test func shippedDefaultsKeepRecordingsAYearAndTrafficDataThreeYearsAfterTheRelationship() throws {
        let policy = RetentionPolicy.defaults
        try policy.validate()
        let recording = try #require(policy.decide(facts(.recording, format: "asterisk-recording"), relationshipEnds: [nil], in: zone))
        #expect(recording.retentionClass.name == "recording")
        #expect(recording.retentionClass.erasableEarly)
        #expect(recording.retainUntil == plus(RetentionPeriod(months: 12), start), "counted from the call even for a live customer")

        let unlinked = try #require(policy.decide(facts(.call), relationshipEnds: [], in: zone))
        #expect(unlinked.retentionClass.name == "traffic-data")
        #expect(!unlinked.retentionClass.erasableEarly)
        #expect(unlinked.retainUntil == plus(RetentionPeriod(years: 3), start), "no customer: three years from the item")

        let live = try #require(policy.decide(facts(.sms), relationshipEnds: [nil], in: zone))
        #expect(live.retainUntil == nil, "a live relationship keeps its traffic data")

        let ended = start.addingTimeInterval(200 * 86_400)
        let endedDecision = try #require(policy.decide(facts(.call), relationshipEnds: [ended], in: zone))
        #expect(endedDecision.retainUntil == plus(RetentionPeriod(years: 3), ended))
    }

    @Test func anItemOfSeveralCustomersIsKeptForTheLongestRelationship() {
        let policy = RetentionPolicy.defaults
        let early = start.addingTimeInterval(10 * 86_400), late = start.addingTimeInterval(400 * 86_400)
        #expect(policy.decide(facts(.call), relationshipEnds: [early, late], in: zone)?.retainUntil == plus(RetentionPeriod(years: 3), late))
        #expect(policy.decide(facts(.call), relationshipEnds: [early, nil], in: zone)?.retainUntil == nil)
        // A relationship that ended before the call counts from the call.
        let before = start.addingTimeInterval(-86_400)
        #expect(policy.decide(facts(.call), relationshipEnds: [before], in: zone)?.retainUntil == plus(RetentionPeriod(years: 3), start))
    }

    @Test func theFirstMatchingRuleWins() throws {
        let policy = RetentionPolicy(
            classes: [
                RetentionClass(name: "complaint", period: RetentionPeriod(years: 2), from: .item, legalBasis: .legitimateInterest, erasableEarly: false),
                RetentionClass(name: "sales", period: RetentionPeriod(months: 3), from: .item, legalBasis: .consent, erasableEarly: true),
                RetentionClass(name: "short", period: RetentionPeriod(days: 30), from: .item, legalBasis: .legitimateInterest, erasableEarly: true),
            ],
            rules: [
                RetentionRule(className: "complaint", kinds: [.recording], tags: ["complaint", "dispute"]),
                RetentionRule(className: "sales", kinds: [.recording], directions: [.outbound], contexts: ["sales"]),
                RetentionRule(className: "short", sources: ["3cx"]),
                RetentionRule(className: "short", kinds: [.recording]),
            ])
        try policy.validate()
        #expect(policy.rule(for: facts(.recording, tags: ["dispute"]))?.index == 0)
        #expect(policy.rule(for: facts(.recording, direction: .outbound, context: "sales", tags: ["dispute"]))?.index == 0)
        #expect(policy.rule(for: facts(.recording, direction: .outbound, context: "sales"))?.index == 1)
        #expect(policy.rule(for: facts(.recording, direction: .inbound, context: "sales"))?.index == 3)
        #expect(policy.rule(for: facts(.recording, direction: nil, context: "sales"))?.index == 3, "an unknown direction does not match a direction rule")
        #expect(policy.rule(for: facts(.call, format: "source:3cx"))?.index == 2, "a mapped source matches by its name")
        #expect(policy.rule(for: facts(.call, format: "asterisk-csv")) == nil, "no rule: the item must be refused")
        #expect(policy.decide(facts(.call), relationshipEnds: [], in: zone) == nil)
    }

    @Test func validationNamesTheProblem() {
        let missing = RetentionPolicy(classes: [], rules: [RetentionRule(className: "nope")])
        #expect(throws: ArchiveFailure.self) { try missing.validate() }
        do { try missing.validate() } catch { #expect(error.message.contains("'nope'")) }

        var short = RetentionPolicy.defaults
        short.auditLogPeriod = RetentionPeriod(years: 1)
        do {
            try short.validate()
            Issue.record("an audit log period of one year must be refused (R4)")
        } catch {
            #expect(error.message.contains("two years"))
        }
    }

    @Test func ruleConditionsExplainThemselves() {
        #expect(RetentionRule(className: "x").conditions == "every item")
        #expect(RetentionRule(className: "x", kinds: [.recording], tags: ["complaint"]).conditions
                == "kind in [recording] and tags any of [complaint]")
    }
}
