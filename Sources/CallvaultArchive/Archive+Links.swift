import Foundation
public import CallvaultModel
import CallvaultIndex
import CallvaultAudit

/// What a manual link correction changed.
public struct LinkChange: Sendable, Equatable {
    public var item: ItemID
    public var customer: String
    public var linked: Bool
    /// The item's customers before and after.
    public var before: [String]
    public var after: [String]
    /// Items whose links changed: the item and, for a call, its recordings.
    public var changed: [ItemID]
    /// Their retain-until dates recomputed.
    public var retentionChanged: Int
}

extension Archive {
    /// Rectification (R36, R37): links an item (and a call's recordings) to a customer by hand,
    /// or removes the link. The correction is kept in `link_overrides`, so a later `customers
    /// import` does not undo it; the items' retention is recomputed in the same transaction.
    /// Audited with the customers before and after. A restricted item is changed only by the
    /// compliance role (the rectification that resolves the request); anyone else is refused.
    public func setLink(_ id: String, customer: String, linked: Bool, reason: String, actor: Actor) throws -> LinkChange {
        try authorize(actor, .rectify, items: [String(id.prefix(40))])
        guard let itemID = ItemID(id) else {
            throw ArchiveFailure(.badInput, "'\(id.prefix(40))' is not an item id (call-N, sms-N or rec-N)")
        }
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ArchiveFailure(.badInput, "--reason: record why the link is corrected") }
        let action = linked ? "link" : "unlink"
        let time = clock()
        let outcome: Result<LinkChange, ArchiveFailure> = try index.write { writer in
            let reader = IndexReader(writer)
            guard try reader.itemExists(itemID) else { return .failure(ArchiveFailure(.notFound, "no item \(itemID)")) }
            guard try reader.customerExists(customer) else { return .failure(Self.noCustomer(customer)) }
            let restricted = try reader.isRestricted(itemID) || !(try reader.activeRestrictions(customer: customer).isEmpty)
            if restricted && !maySeeRestricted(actor) {
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: action, items: [itemID.description],
                                                  details: ["customer": customer], outcome: .denied, reason: "restricted",
                                                  origin: actor.origin), at: time)
                return .failure(ArchiveFailure(.refused, "\(itemID) or \(customer) is restricted: restricted data is not changed, except by the compliance role resolving the request"))
            }
            let before = try reader.customers(of: itemID)
            let changed = try writer.setLink(itemID, customer: customer, linked: linked, reason: reason, by: actor.name, at: time)
            let after = try reader.customers(of: itemID)
            let retentionChanged = try reapplyRetention(ofItems: changed.isEmpty ? [itemID] : changed, writer: writer)
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: action, items: [itemID.description] + changed.filter { $0 != itemID }.map(\.description),
                details: ["customer": customer, "before": before.joined(separator: ","), "after": after.joined(separator: ","),
                          "changed": String(changed.count), "retention_changed": String(retentionChanged)],
                reason: reason, origin: actor.origin), at: time)
            return .success(LinkChange(item: itemID, customer: customer, linked: linked, before: before, after: after,
                                       changed: changed, retentionChanged: retentionChanged))
        }
        return try outcome.get()
    }
}
