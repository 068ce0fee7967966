public import Foundation

/// What the rules look at: the facts of one stored or incoming item.
public struct RetentionFacts: Sendable, Hashable {
    public var kind: ItemKind
    public var direction: Direction?
    public var context: String?
    /// The stored format (`asterisk-csv`, `source:3cx`, …).
    public var format: String
    public var tags: [String]
    public var start: Date

    public init(kind: ItemKind, direction: Direction?, context: String?, format: String, tags: [String] = [], start: Date) {
        self.kind = kind
        self.direction = direction
        self.context = context
        self.format = format
        self.tags = tags
        self.start = start
    }

    /// The source name: a mapped source's name (`3cx` for `source:3cx`), else the format.
    public var source: String {
        format.hasPrefix("source:") ? String(format.dropFirst("source:".count)) : format
    }
}

/// The retention an item was given: its class and when it may be deleted.
public struct RetentionTag: Sendable, Hashable {
    public var className: String
    /// nil while a linked customer relationship lasts.
    public var until: Date?

    public init(className: String, until: Date?) {
        self.className = className
        self.until = until
    }
}

/// An item's stored retention with the facts and links it is computed from.
public struct StoredRetention: Sendable, Hashable {
    public var id: ItemID
    public var facts: RetentionFacts
    public var customers: [String]
    /// nil for an item stored before retention classes (not computed yet).
    public var tag: RetentionTag?

    public init(id: ItemID, facts: RetentionFacts, customers: [String], tag: RetentionTag?) {
        self.id = id
        self.facts = facts
        self.customers = customers
        self.tag = tag
    }
}
