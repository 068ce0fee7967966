import Foundation
public import CallvaultAudit
import CallvaultIndex
import CallvaultModel

extension Archive {
    /// Reads the audit trail, newest first, filtered by actor, action and time (the web UI's
    /// audit page). The read itself is audited (`audit-read`, with the filter), so who looked
    /// at the trail is on the trail.
    public func auditTrail(_ filter: AuditTrailFilter, actor: Actor) throws -> [AuditEntry] {
        try authorize(actor, .readAudit)
        guard (1...1000).contains(filter.limit) else {
            throw ArchiveFailure(.badInput, "the audit trail is read at most 1000 entries at a time (asked for \(filter.limit))")
        }
        let started = Date()
        let entries = try index.read { reader in try reader.auditEntries(matching: filter) }
        var details: [String: String] = ["shown": String(entries.count)]
        if let value = filter.actor { details["actor"] = String(value.prefix(64)) }
        if let value = filter.action { details["action"] = String(value.prefix(64)) }
        if let value = filter.from { details["from"] = Self.isoFormatter.format(value) }
        if let value = filter.to { details["to"] = Self.isoFormatter.format(value) }
        if let value = filter.before { details["before"] = String(value) }
        try index.write { writer in
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "audit-read", details: details,
                                              durationMs: Int(Date().timeIntervalSince(started) * 1000), origin: actor.origin),
                                   at: clock())
        }
        return entries
    }
}
