import Foundation
public import CallvaultModel
import CallvaultIndex
import CallvaultAudit

/// A hold and the items it covers now (`hold show`).
public struct HoldDetail: Sendable, Equatable {
    public var hold: Hold
    public var items: [ItemID]
}

extension Archive {
    /// Places a legal hold (R50): a case name, a reason and a scope of customers, numbers,
    /// items and/or a time range. Numbers are normalised to E.164; unknown customers and
    /// items are refused. Audited with the actor and reason; numbers appear only hashed.
    public func placeHold(_ request: HoldRequest, actor: Actor) throws -> Hold {
        try authorize(actor, .placeHold)
        let caseName = request.caseName.trimmingCharacters(in: .whitespacesAndNewlines)
        let reason = request.reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !caseName.isEmpty else { throw ArchiveFailure(.badInput, "--case: name the case the hold is for") }
        guard !reason.isEmpty else { throw ArchiveFailure(.badInput, "--reason: say why the items must be preserved") }
        if let from = request.from, let to = request.to, from >= to {
            throw ArchiveFailure(.badInput, "--from must be before --to")
        }
        guard !(request.customers.isEmpty && request.numbers.isEmpty && request.items.isEmpty)
                || request.from != nil || request.to != nil else {
            throw ArchiveFailure(.refused, "a hold needs a scope: give --customer, --number or --item (repeatable) and/or --from/--to; a hold on the whole archive is not allowed")
        }
        var scopes: [Hold.Scope] = []
        func add(_ scope: Hold.Scope) { if !scopes.contains(scope) { scopes.append(scope) } }
        var hashedNumbers: [String] = []
        for written in request.numbers {
            guard let e164 = normalizer.normalize(written).e164 else {
                throw ArchiveFailure(.badInput, "--number '\(written.prefix(32))' is not a phone number that normalises to E.164 (write it as +358401234567, 040 123 4567 or 00358…)")
            }
            add(Hold.Scope(kind: .number, value: e164))
            hashedNumbers.append(numberHasher.hash(e164))
        }
        var itemIDs: [ItemID] = []
        for text in request.items {
            guard let id = ItemID(text.trimmingCharacters(in: .whitespaces)) else {
                throw ArchiveFailure(.badInput, "--item '\(text.prefix(40))' is not an item id (call-N, sms-N or rec-N)")
            }
            itemIDs.append(id)
            add(Hold.Scope(kind: .item, value: id.description))
        }
        let customers = request.customers.map { $0.trimmingCharacters(in: .whitespaces) }
        for customer in customers { add(Hold.Scope(kind: .customer, value: customer)) }
        let time = clock()
        return try index.write { writer in
            let reader = IndexReader(writer)
            for customer in customers where try !reader.customerExists(customer) {
                throw ArchiveFailure(.notFound, "--customer: no customer '\(customer.prefix(40))'; import it first with `callvault customers import` or check the id")
            }
            for id in itemIDs where try !reader.itemExists(id) {
                throw ArchiveFailure(.notFound, "--item: no item \(id) in the archive")
            }
            let number = try writer.insertHold(caseName: caseName, reason: reason, scopes: scopes, from: request.from, to: request.to,
                                               placedBy: actor.name, placedAt: time)
            var details = ["scopes": String(scopes.count)]
            if !hashedNumbers.isEmpty { details["numbers"] = hashedNumbers.joined(separator: ",") }
            if let from = request.from { details["from"] = Self.isoFormatter.format(from) }
            if let to = request.to { details["to"] = Self.isoFormatter.format(to) }
            let hold = try reader.hold(number)!
            details["covered"] = String(hold.coveredItems)
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: "hold-place",
                items: [hold.id] + itemIDs.map(\.description) + customers.map { "customer:\($0)" },
                details: details, reason: reason, origin: actor.origin), at: time)
            return hold
        }
    }

    /// Holds, newest first (active only unless `includeReleased`), with the items each covers now.
    public func holds(includeReleased: Bool = false, actor: Actor) throws -> [Hold] {
        try authorize(actor, .listHolds)
        return try index.write { writer in
            let holds = try IndexReader(writer).holds(includeReleased: includeReleased)
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "hold-list", items: holds.map(\.id),
                                              details: ["all": String(includeReleased)], origin: actor.origin), at: clock())
            return holds
        }
    }

    /// One hold and the ids of the items it covers now; audited.
    public func hold(_ id: String, actor: Actor) throws -> HoldDetail {
        try authorize(actor, .listHolds, items: [String(id.prefix(40))])
        let number = try Self.holdNumber(id)
        return try index.write { writer in
            let reader = IndexReader(writer)
            guard let hold = try reader.hold(number) else { throw ArchiveFailure(.notFound, "no hold \(Hold.id(number)); `callvault hold list --all` lists them") }
            let items = try reader.itemsCovered(byHold: number)
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "hold-show",
                                              items: [hold.id] + AuditChain.compress(items.map(\.description)),
                                              origin: actor.origin), at: clock())
            return HoldDetail(hold: hold, items: items)
        }
    }

    /// Releases a hold with a recorded decision (R54); the items it no longer protects are
    /// deleted by the next expiry run, and erasures waiting on it resume.
    public func releaseHold(_ id: String, reason: String, actor: Actor) throws -> Hold {
        try authorize(actor, .releaseHold, items: [String(id.prefix(40))])
        let number = try Self.holdNumber(id)
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ArchiveFailure(.badInput, "--reason: record why the hold is released") }
        let time = clock()
        let hold = try index.write { writer in
            let reader = IndexReader(writer)
            guard let before = try reader.hold(number) else {
                throw ArchiveFailure(.notFound, "no hold \(Hold.id(number)); `callvault hold list --all` lists them")
            }
            guard try writer.releaseHold(number, by: actor.name, at: time, reason: reason) else {
                throw ArchiveFailure(.refused, "\(before.id) was released already (by \(before.releasedBy ?? "?") at \(Self.isoFormatter.format(before.releasedAt ?? time)))")
            }
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "hold-release", items: [before.id],
                                              details: ["covered": String(before.coveredItems)], reason: reason,
                                              origin: actor.origin), at: time)
            return try reader.hold(number)!
        }
        // Erasures deferred by this hold finish now (DESIGN.md: deferred, not dropped). Refused
        // (a stepped-back clock, audited), they finish with the next expiry run instead.
        do { _ = try resumeErasures(actor: actor) } catch let failure as ArchiveFailure where failure.kind == .refused {}
        return hold
    }

    static func holdNumber(_ id: String) throws -> Int64 {
        guard let number = Hold.number(id) else {
            throw ArchiveFailure(.badInput, "'\(id.prefix(40))' is not a hold id (hold-N)")
        }
        return number
    }
}
