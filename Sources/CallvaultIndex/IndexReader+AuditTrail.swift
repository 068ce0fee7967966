public import Foundation
public import CallvaultAudit
import GRDB

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

extension IndexReader {
    /// The latest time the archive has seen: the newest time among the last 100,000
    /// processing-log entries and the high-water mark destructive jobs leave
    /// (`clock-high-water`), so that entries written after a clock was stepped back (a refusal,
    /// searches) do not hide the step. Nil for a new archive.
    public func latestTimeSeen() throws -> Date? {
        let logged = try Int64.fetchOne(db, sql: "SELECT max(time_ms) FROM (SELECT time_ms FROM audit_log ORDER BY seq DESC LIMIT 100000)")
        let mark = try policyState("clock-high-water").flatMap(Int64.init)
        return [logged, mark].compactMap { $0 }.max().map { Date(timeIntervalSince1970: Double($0) / 1000) }
    }
}

extension IndexWriter {
    /// Raises the clock high-water mark (`latestTimeSeen`) to `time` unless it is past it already.
    public func raiseClockHighWater(to time: Date) throws {
        let ms = Int64((time.timeIntervalSince1970 * 1000).rounded())
        try db.execute(sql: """
            INSERT INTO policy_state (name, value) VALUES ('clock-high-water', ?1)
            ON CONFLICT (name) DO UPDATE SET value = ?1 WHERE CAST(value AS INTEGER) < ?2
            """, arguments: [String(ms), ms])
    }
}
