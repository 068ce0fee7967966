public import Foundation
public import CallvaultAudit
import GRDB

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

extension IndexReader {
    /// Audit entries matching `filter`, newest first.
    public func auditEntries(matching filter: AuditTrailFilter) throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let actor = filter.actor { conditions.append("actor = ?"); arguments.append(actor) }
        if let action = filter.action { conditions.append("action = ?"); arguments.append(action) }
        if let from = filter.from { conditions.append("time_ms >= ?"); arguments.append(Int64(from.timeIntervalSince1970 * 1000)) }
        if let to = filter.to { conditions.append("time_ms < ?"); arguments.append(Int64(to.timeIntervalSince1970 * 1000)) }
        if let before = filter.before { conditions.append("seq < ?"); arguments.append(before) }
        arguments.append(max(0, filter.limit))
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try Row.fetchAll(db, sql: "SELECT * FROM audit_log \(whereClause) ORDER BY seq DESC LIMIT ?",
                                arguments: StatementArguments(arguments)).map(Self.auditEntry)
    }
}
