import Foundation
import Testing
import CallvaultModel
import CallvaultPolicy

/// Erasure and expiry decide before they delete: the plans are pure values, so what a dry run
/// reports is exactly what a real run executes.
@Suite struct DeletionPlanTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let policy = RetentionPolicy.defaults  // "recording" erasable early, "traffic-data" not

    func call(_ n: Int64) -> ItemID { ItemID(kind: .call, number: n) }
    func recording(_ n: Int64) -> ItemID { ItemID(kind: .recording, number: n) }

    // MARK: Erasure (R21, invariant 6)

    @Test func aHoldKeepsAnItemWhateverItsClassAndTheErasureWaits() {
        let held = ErasureCandidate(id: recording(1), retentionClass: "recording", retainUntil: now.addingTimeInterval(-1),
                                    holds: ["hold-2"], recordingBytes: 100)
        let plan = ErasurePlan(candidates: [held], now: now, policy: policy)
        #expect(plan.erase.isEmpty && plan.erasedRecordingBytes.isEmpty)
        #expect(plan.keep.map(\.why) == [.hold] && plan.keep[0].holds == ["hold-2"])
        #expect(plan.deferred == 1 && !plan.completes)
        let report = plan.dryRunReport(customer: "C1", requestedAt: now)
        #expect(!report.customerRemoved && !report.customerBlanked, "the record waits with the erasure")
    }

    @Test func aClassNotErasableEarlyKeepsItsItemUntilItsDateAndAnUnknownClassIsKept() {
        let traffic = ErasureCandidate(id: call(1), retentionClass: "traffic-data", retainUntil: now.addingTimeInterval(86_400))
        let unknown = ErasureCandidate(id: call(2), retentionClass: "no-such-class", retainUntil: nil)
        let trafficPast = ErasureCandidate(id: call(3), retentionClass: "traffic-data", retainUntil: now)
        let plan = ErasurePlan(candidates: [traffic, unknown, trafficPast], now: now, policy: policy)
        #expect(plan.keep.map(\.id) == ["call-1", "call-2"])
        #expect(plan.keep.allSatisfy { $0.why == .retention })
        #expect(plan.keep[0].until == traffic.retainUntil && plan.keep[0].legalBasis == "contract")
        #expect(plan.erase == [call(3)], "an item at its date goes")
        let report = plan.dryRunReport(customer: "C1", requestedAt: now)
        #expect(report.customerBlanked && !report.customerRemoved, "kept items keep the customer's id")
    }

    @Test func anItemOfAnotherCustomerLosesOnlyThisCustomersLinkAndIsListedForReview() {
        let shared = ErasureCandidate(id: recording(4), retentionClass: "recording", retainUntil: now.addingTimeInterval(86_400),
                                      otherCustomers: ["C2"], recordingBytes: 7)
        let own = ErasureCandidate(id: recording(5), retentionClass: "recording", retainUntil: now.addingTimeInterval(86_400),
                                   recordingBytes: 9)
        let plan = ErasurePlan(candidates: [shared, own], now: now, policy: policy)
        #expect(plan.unlink.map(\.id) == ["rec-4"] && plan.unlink[0].why == .linkedToAnotherCustomer)
        #expect(plan.erase == [recording(5)] && plan.erasedRecordingBytes == [9])
        let report = plan.dryRunReport(customer: "C1", requestedAt: now)
        #expect(report.deleted.recordings == 1 && report.review == ["rec-4"])
        #expect(report.customerRemoved, "nothing of the customer's own is kept")
    }

    @Test func theDryRunReportListsKeptItemsInTheCandidatesOrder() {
        let candidates = [
            ErasureCandidate(id: call(1), retentionClass: "recording", retainUntil: nil, otherCustomers: ["C2"]),
            ErasureCandidate(id: call(2), retentionClass: "traffic-data", retainUntil: nil),
            ErasureCandidate(id: call(3), retentionClass: "recording", retainUntil: nil, otherCustomers: ["C3"]),
        ]
        let report = ErasurePlan(candidates: candidates, now: now, policy: policy).dryRunReport(customer: "C1", requestedAt: now)
        #expect(report.kept.map(\.id) == ["call-1", "call-2", "call-3"])
        #expect(report.deferred == 0 && report.erasure == nil && report.dryRun)
    }

    // MARK: Expiry (R16–R18)

    @Test func expiryDeletesWhatNothingKeepsAndKeepsEachKeptItemWithItsKeeper() {
        let page = [
            DueItem(id: call(1), retainUntil: now),
            DueItem(id: call(2), retainUntil: now, keptBy: .hold),
            DueItem(id: recording(3), retainUntil: now, keptBy: .restriction),
            DueItem(id: call(4), retainUntil: now, keptBy: .request),
            DueItem(id: recording(5), retainUntil: now.addingTimeInterval(-10)),
        ]
        let plan = ExpiryPlan(due: page, now: now)
        #expect(plan.delete == [call(1), recording(5)])
        #expect(plan.kept.map(\.id) == [call(2), recording(3), call(4)])
        #expect(plan.kept.map(\.keptBy) == [.hold, .restriction, .request])
    }

    @Test func anUnkeptItemMoreThan48HoursPastItsDateIsOverdueAndAKeptOneNever() {
        let grace = ExpiryPlan.overdueGrace
        #expect(grace == 48 * 3600)
        let page = [
            DueItem(id: call(1), retainUntil: now.addingTimeInterval(-grace + 1)),
            DueItem(id: call(2), retainUntil: now.addingTimeInterval(-grace)),
            DueItem(id: call(3), retainUntil: now.addingTimeInterval(-grace * 10), keptBy: .hold),
        ]
        let plan = ExpiryPlan(due: page, now: now)
        #expect(plan.overdue == [call(2)])
        #expect(plan.delete == [call(1), call(2)])
    }
}
