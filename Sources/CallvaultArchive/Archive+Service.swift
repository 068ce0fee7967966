import Foundation
public import CallvaultModel
import CallvaultIndex
import CallvaultAudit

extension Archive {
    /// Records a refusal made before the archive was asked (an edge's authorisation check: a
    /// role the permission table does not allow), so denials are audited like the archive's own.
    public func recordDenial(action: String, items: [String] = [], reason: String, actor: Actor) throws {
        try index.write { writer in
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: action, items: items,
                                              outcome: .denied, reason: reason, origin: actor.origin), at: clock())
        }
    }

    /// The distinct stored recordings and their original and compressed sizes (for monitoring).
    public func blobTotals() throws -> BlobTotals {
        try index.read { try $0.blobTotals() }
    }
}
