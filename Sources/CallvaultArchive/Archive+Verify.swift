import Foundation
public import CallvaultAudit
import CallvaultIndex
import CallvaultBlobStore

extension Archive {
    /// Checks the audit log's chain with the chain key, its head, and every anchor in the anchor
    /// file against the stored entries (a cut, an edit or a rewrite fails with the first bad
    /// sequence number); the check itself is logged afterwards.
    public func verifyAudit(actor: Actor) throws -> AuditVerification {
        try authorize(actor, .verifyAudit)
        // The anchors first, then the snapshot: every anchor read names an entry committed before it.
        let file = try anchoring.read()
        let keying = AuditKeying(key: anchoring.key, storedKeyedFrom: nil, anchors: file.anchors,
                                 alteredLines: file.alteredLines, anchorFile: anchoring.file.path)
        let result = try index.read { try $0.verifyAudit(keying: keying) }
        try index.write { writer in
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "audit-verify",
                                              details: ["entries": String(result.entries), "ok": String(result.ok)],
                                              outcome: result.ok ? .allowed : .failed, reason: result.problem,
                                              origin: actor.origin), at: clock())
        }
        return result
    }

    /// The audit log's head (entry count and last hash): keep it elsewhere to detect truncation later.
    public func auditDigest(actor: Actor) throws -> (count: Int64, lastHash: String) {
        try authorize(actor, .verifyAudit)
        return try index.read { try $0.auditHead() }
    }

    /// Re-reads every blob against its SHA-256 and the index against the blob store.
    /// With `repair`, removes orphan blobs and leftovers of interrupted writes.
    public func verify(repair: Bool, actor: Actor) throws -> VerifyReport {
        try authorize(actor, repair ? .repairArchive : .verifyArchive)
        var report = VerifyReport()
        let rows = try index.read { try $0.recordingBlobs() }
        var referenced = Set<String>()
        for (id, sha) in rows {
            referenced.insert(sha)
            do {
                try blobs.verify(sha)
            } catch .notFound {
                report.missing.append(id.description)
            } catch {
                report.corrupt.append(id.description)
            }
        }
        let stored = try blobs.allBlobs()
        report.blobs = stored.count
        let orphans = stored.filter { !referenced.contains($0) }
        report.orphans = orphans.count
        if repair {
            for sha in orphans where try !index.read({ try $0.isBlobReferenced(sha) }) {
                try blobs.remove(sha)
                report.removedOrphans += 1
            }
            report.staleTemporaries = try blobs.removeStaleTemporaries()
        }
        try index.write { writer in
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: repair ? "verify-repair" : "verify",
                                              items: report.corrupt + report.missing,
                                              details: ["blobs": String(report.blobs), "orphans": String(report.orphans),
                                                        "removed": String(report.removedOrphans)],
                                              outcome: report.corrupt.isEmpty && report.missing.isEmpty ? .allowed : .failed,
                                              origin: actor.origin), at: clock())
        }
        return report
    }
}
