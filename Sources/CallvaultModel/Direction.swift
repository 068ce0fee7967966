/// Which way a call or message went, seen from the company.
public enum Direction: String, Sendable, Codable, CaseIterable {
    case inbound, outbound, `internal`
}

/// The kinds of item the archive holds.
public enum ItemKind: String, Sendable, Codable, CaseIterable {
    case call, sms, recording

    /// The prefix of item ids of this kind (`call-12`, `rec-7`).
    public var idPrefix: String {
        switch self {
        case .call: "call"
        case .sms: "sms"
        case .recording: "rec"
        }
    }
}

/// A stable item id: the kind's prefix and the item's row number, e.g. `call-42`.
public struct ItemID: Hashable, Sendable, Codable, CustomStringConvertible, Comparable {
    public let kind: ItemKind
    public let number: Int64

    /// Creates an id for item `number` of `kind`.
    public init(kind: ItemKind, number: Int64) {
        self.kind = kind
        self.number = number
    }

    /// Parses `call-42`, `sms-3` or `rec-7`; nil for anything else.
    public init?(_ text: String) {
        guard let dash = text.lastIndex(of: "-") else { return nil }
        let digits = text[text.index(after: dash)...]
        // Only the canonical form: digits without sign or leading zeros, so an id prints back as written.
        guard let first = digits.first, first != "0", digits.allSatisfy(\.isASCIIDigit),
              let number = Int64(digits), number > 0 else { return nil }
        let prefix = text[..<dash]
        guard let kind = ItemKind.allCases.first(where: { $0.idPrefix == prefix }) else { return nil }
        self.init(kind: kind, number: number)
    }

    public var description: String { "\(kind.idPrefix)-\(number)" }

    public static func < (lhs: ItemID, rhs: ItemID) -> Bool {
        (lhs.kind.rawValue, lhs.number) < (rhs.kind.rawValue, rhs.number)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let id = ItemID(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not an item id"))
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
