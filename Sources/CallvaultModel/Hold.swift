public import Foundation

/// A legal hold (R50): a case, a reason and a scope whose items nothing may delete while it
/// is active. It covers matching items ingested after it was placed too.
public struct Hold: Sendable, Equatable {
    /// What one scope entry matches.
    public enum ScopeKind: String, Sendable, Codable, CaseIterable {
        /// Items linked to a customer id.
        case customer
        /// Items from or to an E.164 number.
        case number
        /// One item (a held call keeps its recording too).
        case item
    }

    /// One scope entry: a customer id, an E.164 number or an item id (`call-5`).
    public struct Scope: Sendable, Equatable, Hashable {
        public var kind: ScopeKind
        public var value: String

        public init(kind: ScopeKind, value: String) {
            self.kind = kind
            self.value = value
        }
    }

    /// The stored number of `hold-N`.
    public var number: Int64
    public var caseName: String
    public var reason: String
    /// Any of these matches (empty: every item in the time range).
    public var scopes: [Scope]
    /// Items starting at or after `from` and before `to` (nil: unbounded).
    public var from: Date?
    public var to: Date?
    public var placedBy: String
    public var placedAt: Date
    public var releasedBy: String?
    public var releasedAt: Date?
    public var releaseReason: String?
    /// Items the hold covers now (computed when read).
    public var coveredItems: Int

    public init(number: Int64, caseName: String, reason: String, scopes: [Scope], from: Date?, to: Date?,
                placedBy: String, placedAt: Date, releasedBy: String? = nil, releasedAt: Date? = nil,
                releaseReason: String? = nil, coveredItems: Int = 0) {
        self.number = number
        self.caseName = caseName
        self.reason = reason
        self.scopes = scopes
        self.from = from
        self.to = to
        self.placedBy = placedBy
        self.placedAt = placedAt
        self.releasedBy = releasedBy
        self.releasedAt = releasedAt
        self.releaseReason = releaseReason
        self.coveredItems = coveredItems
    }

    /// `hold-N`.
    public var id: String { Self.id(number) }

    /// Whether the hold still protects its items.
    public var isActive: Bool { releasedAt == nil }

    /// `hold-N` for stored number `n`.
    public static func id(_ number: Int64) -> String { "hold-\(number)" }

    /// The stored number of `hold-N` (or a bare `N`), or nil.
    public static func number(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.hasPrefix("hold-") ? trimmed.dropFirst(5) : Substring(trimmed)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCIIDigit), let n = Int64(digits), n > 0 else { return nil }
        return n
    }
}

/// What `hold place` asks for, as written on the command line (checked by the archive).
public struct HoldRequest: Sendable, Equatable {
    public var caseName: String
    public var reason: String
    public var customers: [String]
    /// Numbers in any written form; each must normalise to E.164.
    public var numbers: [String]
    /// Item ids (`call-5`, `sms-2`, `rec-9`).
    public var items: [String]
    public var from: Date?
    public var to: Date?

    public init(caseName: String, reason: String, customers: [String] = [], numbers: [String] = [], items: [String] = [],
                from: Date? = nil, to: Date? = nil) {
        self.caseName = caseName
        self.reason = reason
        self.customers = customers
        self.numbers = numbers
        self.items = items
        self.from = from
        self.to = to
    }
}
