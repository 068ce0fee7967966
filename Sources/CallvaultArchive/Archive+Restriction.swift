public import Foundation
import CallvaultModel
import CallvaultIndex
import CallvaultAudit
import CallvaultAccess

/// A customer's restriction state after `restrict` / `unrestrict`.
public struct RestrictionState: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var reason: String
        /// `req-N` when a request opened it (lifted when the request is closed).
        public var request: String?
        public var placedAt: Date
    }
    public var customer: String
    public var restricted: Bool
    /// The active restrictions.
    public var restrictions: [Entry]
}

extension Archive {
    /// Whether `actor` may see a restricted customer's items (R25; `Action.viewRestricted`).
    func maySeeRestricted(_ actor: Actor) -> Bool { actor.may(.viewRestricted) }

    /// Restricts a customer's processing (R24, R25): their items are stored only, hidden from
    /// search, show and extract for every role but compliance, not changed by link or unlink,
    /// and not deleted by expiry. Audited. Restricting a restricted customer changes nothing.
    public func restrict(customer: String, reason: String, actor: Actor) throws -> RestrictionState {
        try authorize(actor, .restrict, items: ["customer:\(customer.prefix(64))"])
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ArchiveFailure(.badInput, "--reason: record why processing is restricted") }
        let time = clock()
        return try index.write { writer in
            let reader = IndexReader(writer)
            guard try reader.customerExists(customer) else { throw Self.noCustomer(customer) }
            let active = try reader.activeRestrictions(customer: customer)
            var details = ["items": String(try reader.linkCount(customer: customer))]
            if active.contains(where: { $0.requestID == nil }) {
                details["already"] = "true"
            } else {
                details["restriction"] = String(try writer.placeRestriction(customer: customer, reason: reason, by: actor.name, at: time))
            }
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "restrict", items: ["customer:\(customer)"],
                                              details: details, reason: reason, origin: actor.origin), at: time)
            return try Self.state(customer, reader: reader)
        }
    }

    /// Lifts a restriction placed by hand (R27). One opened by a request is lifted only when
    /// the request is closed; only a role allowed to `restrict` (compliance) may lift. Audited, also when refused.
    public func unrestrict(customer: String, reason: String?, actor: Actor) throws -> RestrictionState {
        try authorize(actor, .restrict, items: ["customer:\(customer.prefix(64))"])
        let time = clock()
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines)
        let outcome: Result<RestrictionState, ArchiveFailure> = try index.write { writer in
            let reader = IndexReader(writer)
            guard try reader.customerExists(customer) else { return .failure(Self.noCustomer(customer)) }
            let active = try reader.activeRestrictions(customer: customer)
            func deny(_ failure: ArchiveFailure) throws -> Result<RestrictionState, ArchiveFailure> {
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "unrestrict", items: ["customer:\(customer)"],
                                                  outcome: .denied, reason: failure.message, origin: actor.origin), at: time)
                return .failure(failure)
            }
            if let request = active.first(where: { $0.requestID != nil }), let number = request.requestID {
                return try deny(ArchiveFailure(.refused, "\(customer) is restricted by request req-\(number): the restriction is lifted when request req-\(number) is closed"))
            }
            let lifted = try writer.liftManualRestrictions(customer: customer, by: actor.name, at: time)
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "unrestrict", items: ["customer:\(customer)"],
                                              details: ["lifted": String(lifted)], reason: reason, origin: actor.origin), at: time)
            return .success(try Self.state(customer, reader: reader))
        }
        return try outcome.get()
    }

    /// A customer's restriction state (`view-customer`).
    public func restrictionState(customer: String, actor: Actor) throws -> RestrictionState {
        try authorize(actor, .viewCustomer, items: ["customer:\(customer.prefix(64))"])
        return try index.read { reader in
            guard try reader.customerExists(customer) else { throw Self.noCustomer(customer) }
            return try Self.state(customer, reader: reader)
        }
    }

    static func state(_ customer: String, reader: IndexReader) throws -> RestrictionState {
        let active = try reader.activeRestrictions(customer: customer)
        return RestrictionState(customer: customer, restricted: !active.isEmpty, restrictions: active.map {
            RestrictionState.Entry(reason: $0.reason, request: $0.requestID.map { "req-\($0)" }, placedAt: $0.placedAt)
        })
    }

    static func noCustomer(_ customer: String) -> ArchiveFailure {
        ArchiveFailure(.notFound, "no customer '\(customer.prefix(40))'; use an id from the customers file (`callvault customers import`)")
    }

    /// Refuses (and audits) an attempt by a role other than compliance to read a restricted item.
    func denyRestricted(_ id: ItemID, action: String, purpose: String?, actor: Actor, writer: IndexWriter) throws -> ArchiveFailure {
        try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: action, items: [id.description], purpose: purpose,
                                          outcome: .denied, reason: "restricted", origin: actor.origin), at: clock())
        return ArchiveFailure(.refused, "\(id) belongs to a customer whose processing is restricted: it is stored only, and only the compliance role may see it")
    }
}
