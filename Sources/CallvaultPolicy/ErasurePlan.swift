public import Foundation
public import CallvaultModel

/// What an erasure (R21, invariant 6) does with each item linked to the customer, decided
/// before anything is deleted: a pure value that `--dry-run` reports and a real run executes
/// as is.
public struct ErasurePlan: Sendable, Equatable {
    /// The decision for one item.
    public enum Decision: Sendable, Equatable {
        case erase
        case keep(ErasureReport.Kept)
        /// Keep the item for its other customers; remove this customer's link.
        case unlink(ErasureReport.Kept)
    }

    /// Items erased now, in id order.
    public var erase: [ItemID] = []
    /// Every item not erased, in the candidates' order: kept whole (`keep`) or unlinked (`unlink`).
    public var kept: [ErasureReport.Kept] = []
    /// The original sizes of the recordings erased (to recognise their spool copies).
    public var erasedRecordingBytes: Set<Int64> = []

    /// Decides every candidate at `now` under `policy`.
    public init(candidates: [ErasureCandidate], now: Date, policy: RetentionPolicy) {
        for item in candidates {
            switch Self.decide(item, now: now, policy: policy) {
            case .erase:
                erase.append(item.id)
                if let bytes = item.recordingBytes { erasedRecordingBytes.insert(bytes) }
            case .keep(let reason), .unlink(let reason): kept.append(reason)
            }
        }
    }

    /// Items kept whole: by a hold (the erasure waits) or by a class not erasable early.
    public var keep: [ErasureReport.Kept] { kept.filter { $0.why != .linkedToAnotherCustomer } }

    /// Items of other customers too: only this customer's link goes.
    public var unlink: [ErasureReport.Kept] { kept.filter { $0.why == .linkedToAnotherCustomer } }

    /// Items a hold keeps; the erasure stays pending until they are released.
    public var deferred: Int { kept.filter { $0.why == .hold }.count }

    /// Whether the erasure completes now (no hold keeps anything), so the customer's record goes.
    public var completes: Bool { deferred == 0 }

    /// The decision for one item: a hold keeps it (the erasure waits); a class that may not be
    /// erased early keeps it until its date (an unknown class too, as the safe side); an item
    /// of another customer too loses only this customer's link; anything else is erased.
    public static func decide(_ item: ErasureCandidate, now: Date, policy: RetentionPolicy) -> Decision {
        let retentionClass = item.retentionClass.flatMap { policy.classes[$0] }
        func kept(_ why: ErasureReport.Why, until: Date?, holds: [String] = []) -> ErasureReport.Kept {
            ErasureReport.Kept(id: item.id.description, why: why, until: until, holds: holds,
                               retentionClass: item.retentionClass, legalBasis: retentionClass?.legalBasis.rawValue)
        }
        if !item.holds.isEmpty { return .keep(kept(.hold, until: nil, holds: item.holds)) }
        let erasableEarly = retentionClass?.erasableEarly ?? false
        let stillDue = item.retainUntil.map { $0 > now } ?? true
        if !erasableEarly && stillDue { return .keep(kept(.retention, until: item.retainUntil)) }
        if !item.otherCustomers.isEmpty { return .unlink(kept(.linkedToAnotherCustomer, until: item.retainUntil)) }
        return .erase
    }

    /// The report of the plan alone (`erase --dry-run`): what would be deleted and kept, and
    /// whether the customer's record would go or keep only its id.
    public func dryRunReport(customer: String, requestedAt: Date) -> ErasureReport {
        var report = ErasureReport(erasure: nil, customer: customer, dryRun: true, requestedAt: requestedAt)
        for id in erase { report.deleted.add(id.kind) }
        report.kept = kept
        report.review = unlink.map(\.id)
        report.deferred = deferred
        report.customerRemoved = completes && keep.isEmpty
        report.customerBlanked = completes && !report.customerRemoved
        return report
    }
}

extension ErasureReport.Counts {
    /// Counts one more item of `kind`.
    public mutating func add(_ kind: ItemKind) {
        switch kind {
        case .call: calls += 1
        case .sms: sms += 1
        case .recording: recordings += 1
        }
    }
}
