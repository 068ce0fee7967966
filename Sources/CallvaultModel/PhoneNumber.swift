/// A phone number as written in the source, with its E.164 form where it has one.
public struct PhoneNumber: Hashable, Sendable, Codable {
    /// What the number is, which decides whether it can link to a customer.
    public enum Category: String, Sendable, Codable {
        /// A public number, normalised to E.164.
        case e164
        /// A short internal extension: an agent, never a customer.
        case `extension`
        /// Anonymous, withheld, restricted or empty: links to nobody.
        case withheld
        /// Anything else (letters, service codes): kept raw, links to nobody.
        case unknown
    }

    /// The value as the source wrote it (trimmed).
    public let raw: String
    /// `+358401234567`, or nil when the number is not a public one.
    public let e164: String?
    public let category: Category

    public init(raw: String, e164: String?, category: Category) {
        self.raw = raw
        self.e164 = e164
        self.category = category
    }

    /// The form shown to people and in JSON: E.164 when known, else the raw value.
    public var display: String { e164 ?? raw }

    /// Digits of the E.164 form (or of the raw value), reversed, for suffix search.
    public var reversedDigits: String? {
        let source = e164 ?? (category == .extension ? raw : nil)
        return source.map(Self.reversedDigits(of:))
    }

    /// The digits of `text`, reversed: how the index keys a number (`from_rev`, `to_rev`).
    public static func reversedDigits(of text: String) -> String {
        var digits: [UInt8] = []
        digits.reserveCapacity(16)
        for byte in text.utf8.reversed() where byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { digits.append(byte) }
        return String(decoding: digits, as: UTF8.self)
    }
}

extension Character {
    /// True for the ASCII digits 0–9 only (not other Unicode digits).
    public var isASCIIDigit: Bool { asciiValue.map { $0 >= 48 && $0 <= 57 } ?? false }
}
