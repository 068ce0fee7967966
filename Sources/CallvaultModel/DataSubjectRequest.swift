public import Foundation

/// A data-subject request of the register (R38): what was asked, when it arrived and when the
/// one-month answer is due.
public struct DataSubjectRequest: Sendable, Equatable {
    /// The rights a request can invoke (GDPR Arts. 15–18, 20).
    public enum RequestType: String, Sendable, CaseIterable, Codable {
        case access, erasure, rectification, restriction, portability

        /// Whether registering the request restricts the customer until it is closed (R24).
        public var restrictsUntilClosed: Bool { self == .erasure || self == .rectification }
        /// Whether registering the request freezes the customer's items from expiry (R30).
        public var freezesItems: Bool { self == .access || self == .portability }
    }

    /// The register's row number (`req-N`).
    public var number: Int64
    public var customer: String
    public var type: RequestType
    /// First receipt in any channel.
    public var received: Date
    /// `received` plus one calendar month in the archive's time zone.
    public var due: Date
    public var openedBy: String
    public var note: String?
    public var closed: Date?
    public var closedBy: String?
    public var outcome: String?
    /// Until when the customer's items stay frozen after an access or portability answer.
    public var freezeUntil: Date?

    public init(number: Int64, customer: String, type: RequestType, received: Date, due: Date, openedBy: String,
                note: String? = nil, closed: Date? = nil, closedBy: String? = nil, outcome: String? = nil,
                freezeUntil: Date? = nil) {
        self.number = number
        self.customer = customer
        self.type = type
        self.received = received
        self.due = due
        self.openedBy = openedBy
        self.note = note
        self.closed = closed
        self.closedBy = closedBy
        self.outcome = outcome
        self.freezeUntil = freezeUntil
    }

    /// `req-N`.
    public var id: String { "req-\(number)" }

    /// Parses `req-N` (canonical digits only).
    public static func number(of id: String) -> Int64? {
        guard id.hasPrefix("req-") else { return nil }
        let digits = id.dropFirst(4)
        guard let first = digits.first, first != "0", digits.allSatisfy(\.isASCIIDigit), let n = Int64(digits), n > 0 else { return nil }
        return n
    }

    /// Whether the request is still open past its due date at `now`.
    public func isOverdue(at now: Date) -> Bool { closed == nil && now > due }
}
