public import Foundation
public import CallvaultModel

/// The lawful basis a retention class keeps data on (GDPR Art. 6).
public enum LegalBasis: String, Sendable, CaseIterable, Codable {
    case contract
    case legalObligation = "legal-obligation"
    case legitimateInterest = "legitimate-interest"
    case consent
}

/// Where a retention period is counted from.
public enum RetentionStart: String, Sendable, CaseIterable, Codable {
    /// The item's own time (the call's start).
    case item
    /// The end of the customer relationship; an item linked to no customer counts from its own time,
    /// and one linked to a live customer is kept while the relationship lasts.
    case relationshipEnd = "relationship_end"
}

/// A named retention class: how long items are kept, on which basis, and whether an
/// erasure request may delete them before the period ends.
public struct RetentionClass: Sendable, Hashable {
    public var name: String
    public var period: RetentionPeriod
    public var from: RetentionStart
    public var legalBasis: LegalBasis
    public var erasableEarly: Bool
    public var description: String

    public init(name: String, period: RetentionPeriod, from: RetentionStart, legalBasis: LegalBasis,
                erasableEarly: Bool, description: String = "") {
        self.name = name
        self.period = period
        self.from = from
        self.legalBasis = legalBasis
        self.erasableEarly = erasableEarly
        self.description = description
    }
}

/// One ordered rule: every non-empty condition must match (a list matches any of its
/// values); the first matching rule gives the item its class.
public struct RetentionRule: Sendable, Hashable {
    public var className: String
    public var kinds: [ItemKind]
    public var directions: [Direction]
    /// Asterisk/FreeSWITCH context or the recording's queue.
    public var contexts: [String]
    /// Formats (`asterisk-csv`, `freeswitch-json`, …) or mapped source names (`3cx`).
    public var sources: [String]
    /// Tags of a recording's sidecar; the rule matches when the item has any of them.
    public var tags: [String]

    public init(className: String, kinds: [ItemKind] = [], directions: [Direction] = [], contexts: [String] = [],
                sources: [String] = [], tags: [String] = []) {
        self.className = className
        self.kinds = kinds
        self.directions = directions
        self.contexts = contexts
        self.sources = sources
        self.tags = tags
    }

    /// Whether the rule matches an item with these facts.
    public func matches(_ facts: RetentionFacts) -> Bool {
        (kinds.isEmpty || kinds.contains(facts.kind))
            && (directions.isEmpty || facts.direction.map(directions.contains) == true)
            && (contexts.isEmpty || facts.context.map(contexts.contains) == true)
            && (sources.isEmpty || sources.contains(facts.source) || sources.contains(facts.format))
            && (tags.isEmpty || tags.contains(where: facts.tags.contains))
    }

    /// The rule as `key = value` conditions, for explanations.
    public var conditions: String {
        var parts: [String] = []
        if !kinds.isEmpty { parts.append("kind in [\(kinds.map(\.rawValue).joined(separator: ", "))]") }
        if !directions.isEmpty { parts.append("direction in [\(directions.map(\.rawValue).joined(separator: ", "))]") }
        if !contexts.isEmpty { parts.append("context in [\(contexts.joined(separator: ", "))]") }
        if !sources.isEmpty { parts.append("source in [\(sources.joined(separator: ", "))]") }
        if !tags.isEmpty { parts.append("tags any of [\(tags.joined(separator: ", "))]") }
        return parts.isEmpty ? "every item" : parts.joined(separator: " and ")
    }
}

/// When an item may be deleted, and why.
public struct RetentionDecision: Sendable, Hashable {
    /// Index of the matching rule (from 0) in the policy's rules.
    public var ruleIndex: Int
    public var retentionClass: RetentionClass
    /// nil while a linked customer relationship lasts (`relationship_end` classes).
    public var retainUntil: Date?
}

/// The configured retention classes and ordered rules, and the audit log's period.
public struct RetentionPolicy: Sendable, Hashable {
    public var classes: [String: RetentionClass]
    public var rules: [RetentionRule]
    /// How long processing (audit) events are kept; never below `minimumAuditLogPeriod`.
    public var auditLogPeriod: RetentionPeriod

    /// The law's floor for the processing log (R4): two years.
    public static let minimumAuditLogPeriod = RetentionPeriod(years: 2)

    public init(classes: [RetentionClass], rules: [RetentionRule], auditLogPeriod: RetentionPeriod = minimumAuditLogPeriod) {
        self.classes = Dictionary(classes.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        self.rules = rules
        self.auditLogPeriod = auditLogPeriod
    }

    /// The shipped defaults: recordings 12 months from the call (erasable on request);
    /// CDRs and SMS records 3 years after the customer relationship ends (3 years from the
    /// item when it links to no customer), kept by contract and not erasable early.
    public static let defaults = RetentionPolicy(
        classes: [
            RetentionClass(name: "recording", period: RetentionPeriod(months: 12), from: .item,
                           legalBasis: .legitimateInterest, erasableEarly: true,
                           description: "Customer-service recordings: quality, complaints and disputes"),
            RetentionClass(name: "traffic-data", period: RetentionPeriod(years: 3), from: .relationshipEnd,
                           legalBasis: .contract, erasableEarly: false,
                           description: "CDRs and SMS identification records: billing and claims until time-barred"),
        ],
        rules: [
            RetentionRule(className: "recording", kinds: [.recording]),
            RetentionRule(className: "traffic-data", kinds: [.call, .sms]),
        ])

    /// Checks that every rule names a defined class and the audit log period is lawful.
    public func validate() throws(ArchiveFailure) {
        for (index, rule) in rules.enumerated() where classes[rule.className] == nil {
            throw ArchiveFailure(.badInput, "retention rule \(index + 1) names the class '\(rule.className)', which is not defined; define [retention.classes.\(rule.className)]")
        }
        guard auditLogPeriod.isAtLeast(Self.minimumAuditLogPeriod) else {
            throw ArchiveFailure(.badInput, "retention.audit_log_period \(auditLogPeriod) is below the two years the law requires for the processing log (R4); use P2Y or more")
        }
    }

    /// The first rule matching `facts`, or nil when none does (the item must be refused).
    public func rule(for facts: RetentionFacts) -> (index: Int, rule: RetentionRule)? {
        rules.enumerated().first { $0.element.matches(facts) }.map { ($0.offset, $0.element) }
    }

    /// The class and retain-until date of an item.
    /// - Parameters:
    ///   - relationshipEnds: for each customer the item links to, when that relationship ended (nil: it lasts).
    ///   - zone: the calendar periods are counted in.
    public func decide(_ facts: RetentionFacts, relationshipEnds: [Date?], in zone: TimeZone) -> RetentionDecision? {
        guard let (index, rule) = rule(for: facts), let retentionClass = classes[rule.className] else { return nil }
        return RetentionDecision(ruleIndex: index, retentionClass: retentionClass,
                                 retainUntil: retainUntil(retentionClass, start: facts.start, relationshipEnds: relationshipEnds, in: zone))
    }

    /// When an item of `retentionClass` may go.
    public func retainUntil(_ retentionClass: RetentionClass, start: Date, relationshipEnds: [Date?], in zone: TimeZone) -> Date? {
        switch retentionClass.from {
        case .item:
            return retentionClass.period.added(to: start, in: zone)
        case .relationshipEnd:
            guard !relationshipEnds.isEmpty else { return retentionClass.period.added(to: start, in: zone) }
            var latest: Date?
            for end in relationshipEnds {
                guard let end else { return nil }
                let until = retentionClass.period.added(to: max(end, start), in: zone)
                latest = max(latest ?? until, until)
            }
            return latest
        }
    }
}
