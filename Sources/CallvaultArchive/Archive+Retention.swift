import Foundation
public import CallvaultModel
public import CallvaultPolicy
import CallvaultIndex
import CallvaultAudit
import CallvaultIngest

/// Who owns which number, and whose relationship has ended: what ingest links and dates items by.
struct CustomerDirectory: Sendable {
    var owners: [String: [NumberOwner]]
    var relationshipEnds: [String: Date?]

    /// The customers owning any of `numbers` at `time` (the item's start), in order, without repeats.
    func customers(at time: Date, of numbers: PhoneNumber?...) -> [String] {
        var result: [String] = []
        for number in numbers {
            guard let e164 = number?.e164, let owners = owners[e164] else { continue }
            for owner in owners where owner.owns(at: time) && !result.contains(owner.customer) { result.append(owner.customer) }
        }
        return result
    }

    /// When each of `customers`' relationships ended (nil: it lasts).
    func ends(of customers: [String]) -> [Date?] {
        customers.map { relationshipEnds[$0] ?? nil }
    }
}

/// Why an item has its retention: the rule that matched and what follows from it.
public struct RetentionExplanation: Sendable, Equatable {
    public var id: ItemID
    public var facts: RetentionFacts
    public var customers: [String]
    /// 1-based number of the matching rule, or nil when none matches.
    public var ruleNumber: Int?
    public var ruleConditions: String?
    public var retentionClass: RetentionClass?
    /// What the rules give now.
    public var computed: RetentionTag?
    /// What is stored (differs from `computed` until `retention apply` runs after a change).
    public var stored: RetentionTag?
}

/// What `retention apply` changed.
public struct RetentionApplySummary: Sendable, Equatable, Codable {
    public var items = 0
    public var changed = 0
    public var unmatched: [String] = []
}

extension Archive {
    func customerDirectory() throws -> CustomerDirectory {
        try index.read { reader in
            CustomerDirectory(owners: try reader.numberOwners(), relationshipEnds: try reader.relationshipEnds())
        }
    }

    /// The retention of an incoming item; refuses an item no rule matches (R14).
    func retention(_ facts: RetentionFacts, customers: [String], directory: CustomerDirectory) throws(IngestLineError) -> RetentionTag {
        guard let decision = configuration.retention.decide(facts, relationshipEnds: directory.ends(of: customers), in: timeZone) else {
            throw IngestLineError("no retention rule matches this \(facts.kind.rawValue) (source \(facts.source)\(facts.direction.map { ", \($0.rawValue)" } ?? "")\(facts.context.map { ", context \($0)" } ?? "")); add a [[retention.rules]] entry that covers it to callvault.toml")
        }
        return RetentionTag(className: decision.retentionClass.name, until: decision.retainUntil)
    }

    /// The retention the current rules give a stored item, or nil when no rule matches it.
    func computedRetention(_ stored: StoredRetention, ends: [String: Date?]) -> RetentionTag? {
        configuration.retention.decide(stored.facts, relationshipEnds: stored.customers.map { ends[$0] ?? nil }, in: timeZone)
            .map { RetentionTag(className: $0.retentionClass.name, until: $0.retainUntil) }
    }

    /// Recomputes every item's class and retain-until date from the current rules and customer
    /// relationships (after a rule change or a relationship's end); audited with counts.
    public func applyRetention(actor: Actor, progress: (Int) -> Void = { _ in }) throws -> RetentionApplySummary {
        try authorize(actor, .manageRetention)
        return try recomputeRetention(actor: actor, progress: progress)
    }

    /// `applyRetention` without the check: also run by the archive itself after an upgrade.
    func recomputeRetention(actor: Actor, progress: (Int) -> Void = { _ in }) throws -> RetentionApplySummary {
        var summary = RetentionApplySummary()
        let started = Date()
        let ends = try index.read { try $0.relationshipEnds() }
        var after: Int64 = 0
        while true {
            let page = try index.read { try $0.storedRetention(after: after, limit: 10_000) }
            guard let last = page.last else { break }
            after = last.id.number
            summary.items += page.count
            var changes: [(ItemID, RetentionTag)] = []
            for item in page {
                guard let tag = computedRetention(item, ends: ends) else {
                    if summary.unmatched.count < 1_000 { summary.unmatched.append(item.id.description) }
                    continue
                }
                if tag != item.tag { changes.append((item.id, tag)) }
            }
            if !changes.isEmpty {
                try index.write { writer in
                    for (id, tag) in changes { try writer.setRetention(id, tag) }
                }
            }
            summary.changed += changes.count
            progress(summary.items)
        }
        try index.write { writer in
            try writer.clearPolicyState("retention-apply-needed")
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: "retention-apply", items: [],
                details: ["items": String(summary.items), "changed": String(summary.changed), "unmatched": String(summary.unmatched.count)],
                durationMs: Int(Date().timeIntervalSince(started) * 1000), origin: actor.origin), at: clock())
        }
        return summary
    }

    /// Recomputes the retention of the items linked to `customers`, inside a write.
    /// - Returns: how many items changed.
    func reapplyRetention(ofCustomers customers: [String], writer: IndexWriter) throws -> Int {
        try redate(IndexReader(writer).storedRetention(ofCustomers: customers), writer: writer)
    }

    /// Recomputes the retention of `items`, inside a write (after their links or time changed).
    /// - Returns: how many items changed.
    @discardableResult
    func reapplyRetention(ofItems items: [ItemID], writer: IndexWriter) throws -> Int {
        guard !items.isEmpty else { return 0 }
        let reader = IndexReader(writer)
        return try redate(items.compactMap { try reader.storedRetention(of: $0) }, writer: writer)
    }

    /// Stores the retention the rules give `items` where it differs; reads only their customers' relationship ends.
    private func redate(_ items: [StoredRetention], writer: IndexWriter) throws -> Int {
        guard !items.isEmpty else { return 0 }
        let ends = try IndexReader(writer).relationshipEnds(of: Array(Set(items.flatMap(\.customers))))
        var changed = 0
        for item in items {
            if let tag = computedRetention(item, ends: ends), tag != item.tag {
                try writer.setRetention(item.id, tag)
                changed += 1
            }
        }
        return changed
    }

    /// Which rule gives an item its retention, and whether the stored value is current
    /// (`view-item`; a restricted item only for compliance, as `show`).
    public func explainRetention(_ id: ItemID, actor: Actor) throws -> RetentionExplanation {
        try authorize(actor, .viewItem, items: [id.description])
        if !maySeeRestricted(actor), try index.read({ try $0.isRestricted(id) }) {
            throw try index.write { writer in try denyRestricted(id, action: "retention-show", purpose: nil, actor: actor, writer: writer) }
        }
        let (stored, ends) = try index.read { reader -> (StoredRetention?, [String: Date?]) in
            let stored = try reader.storedRetention(of: id)
            return (stored, try reader.relationshipEnds(of: stored?.customers ?? []))
        }
        guard let stored else { throw ArchiveFailure(.notFound, "no item \(id)") }
        let policy = configuration.retention
        let match = policy.rule(for: stored.facts)
        return RetentionExplanation(
            id: id, facts: stored.facts, customers: stored.customers, ruleNumber: match.map { $0.index + 1 },
            ruleConditions: match?.rule.conditions, retentionClass: match.flatMap { policy.classes[$0.rule.className] },
            computed: computedRetention(stored, ends: ends), stored: stored.tag)
    }

    /// Computes retention for items stored before retention classes existed (once, after the upgrade).
    func applyPendingRetention() throws {
        guard try index.read({ try $0.policyState("retention-apply-needed") }) != nil else { return }
        if try index.read({ try $0.storedRetention(after: 0, limit: 1).isEmpty }) {
            try index.write { try $0.clearPolicyState("retention-apply-needed") }
            return
        }
        _ = try recomputeRetention(actor: Self.upgradeActor)
    }
}
