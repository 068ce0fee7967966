public import Foundation

/// What a search asks for; all criteria combine with AND.
public struct SearchQuery: Sendable, Equatable {
    /// A number in any written form (E.164 match), or at least 6 digits (suffix match).
    public var number: String?
    public var customer: String?
    public var from: Date?
    public var to: Date?
    public var kind: ItemKind?
    public var agent: String?
    /// Which way the call or message went (a conversation matches when one of its legs does).
    public var direction: Direction?
    /// Words in caller names (prefix match, case-insensitive, ä/ö/å kept distinct from a/o).
    public var text: String?
    public var limit: Int
    /// How many of the newest matching conversations to skip before the page (for paging).
    public var offset = 0
    /// Whether items of customers whose processing is restricted are included (the compliance
    /// role only; `Archive.search` sets it from the actor's role).
    public var includesRestricted = false

    public init(number: String? = nil, customer: String? = nil, from: Date? = nil, to: Date? = nil,
                kind: ItemKind? = nil, agent: String? = nil, direction: Direction? = nil, text: String? = nil, limit: Int = 50) {
        self.number = number
        self.customer = customer
        self.from = from
        self.to = to
        self.kind = kind
        self.agent = agent
        self.direction = direction
        self.text = text
        self.limit = limit
    }
}

/// The answer to a search: how many matched, and the newest `limit` of them.
public struct SearchResult: Sendable, Equatable {
    public var total: Int
    public var items: [ArchivedItem]

    public init(total: Int, items: [ArchivedItem]) {
        self.total = total
        self.items = items
    }
}
