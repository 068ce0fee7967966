import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// DESIGN.md invariant 9: time is the system's. Destructive jobs (expiry, erasure, audit
/// pruning) run on the archive's clock; a supplied time only plans; a clock stepped back
/// behind the processing log stops them (and says why) while searches go on.
@Suite struct Invariant9RealClockTests {
    typealias F = PolicyFixture

    @Test func aSuppliedTimeOnlyPlans() throws {
        let fixture = try F.endedSamples()
        let items = try fixture.sql("SELECT count(*) FROM items")
        let plan = try fixture.archive.expire(now: F.farFuture, dryRun: true)
        #expect(plan.due.total > 0, "the plan at that time deletes something")
        #expect(throws: ArchiveFailure.self) { try fixture.archive.expire(now: F.farFuture) }
        #expect(throws: ArchiveFailure.self) { try fixture.archive.erase(customer: "C001", reason: "r", now: F.farFuture, actor: fixture.actor) }
        #expect(try fixture.sql("SELECT count(*) FROM items") == items, "nothing was deleted")
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE outcome = 'denied' AND action IN ('expire-run', 'erase')") == "2",
                "both refusals are in the log")
        let erasurePlan = try fixture.archive.erase(customer: "C001", reason: "r", now: F.farFuture, dryRun: true, actor: fixture.actor)
        #expect(erasurePlan.dryRun && erasurePlan.deleted.total > 0)
    }

    @Test func aClockSteppedBackBehindTheLogStopsDestructiveJobsButNotSearches() throws {
        let fixture = try F.endedSamples()
        _ = try fixture.expire(at: F.date("2028-01-01"))
        let items = try fixture.sql("SELECT count(*) FROM items")
        fixture.clock.now = F.date("2027-06-01") // a year back
        do {
            _ = try fixture.archive.expire()
            Issue.record("expiry ran on a stepped-back clock")
        } catch let error as CallvaultError {
            #expect(error.kind == .refused && error.message.contains("stepped back"))
        }
        #expect(throws: ArchiveFailure.self) { try fixture.archive.erase(customer: "C001", reason: "r", actor: fixture.actor) }
        #expect(try fixture.sql("SELECT count(*) FROM items") == items)
        #expect(try fixture.archive.search(SearchQuery(customer: "C001"), actor: fixture.actor).total > 0, "searches keep working")
        #expect(try fixture.archive.expire(dryRun: true).dryRun, "planning keeps working")
        // Set right again, the jobs run.
        fixture.clock.now = F.farFuture
        #expect(try fixture.archive.expire().deleted.total > 0)
        #expect(try fixture.archive.verifyAudit(actor: fixture.actor).ok)
    }
}
