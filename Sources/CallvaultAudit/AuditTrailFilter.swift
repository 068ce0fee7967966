public import Foundation

/// What the audit trail page filters by; every criterion combines with AND.
public struct AuditTrailFilter: Sendable, Equatable {
    /// Entries of this actor (exact, as recorded).
    public var actor: String?
    /// Entries of this action (`search`, `play`, `hold-place`, …).
    public var action: String?
    /// Entries at or after this time.
    public var from: Date?
    /// Entries before this time.
    public var to: Date?
    /// Only entries older than this sequence number (the "older" page).
    public var before: Int64?
    /// At most this many entries, newest first.
    public var limit: Int

    public init(actor: String? = nil, action: String? = nil, from: Date? = nil, to: Date? = nil,
                before: Int64? = nil, limit: Int = 100) {
        self.actor = actor
        self.action = action
        self.from = from
        self.to = to
        self.before = before
        self.limit = limit
    }
}
