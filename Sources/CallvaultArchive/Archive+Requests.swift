public import Foundation
public import CallvaultModel
import CallvaultPolicy
import CallvaultIndex
import CallvaultAudit

extension Archive {
    /// How long an access or portability request keeps the customer's items from expiry after
    /// it is answered (R30).
    public static let requestFreezeAfterAnswer: TimeInterval = 30 * 86_400

    /// Registers a data-subject request (R38), due one calendar month after it was received in
    /// the archive's time zone. An erasure or rectification request restricts the customer
    /// until it is closed (R24); an access or portability request freezes the customer's items
    /// from expiry until the answer is delivered plus 30 days (R30). Audited in the same transaction.
    public func openRequest(customer: String, type: DataSubjectRequest.RequestType, received: Date? = nil,
                            note: String? = nil, actor: Actor) throws -> DataSubjectRequest {
        try authorize(actor, .manageRequests, items: ["customer:\(customer.prefix(64))"])
        let now = clock()
        let received = received ?? now
        guard received <= now.addingTimeInterval(60) else {
            throw ArchiveFailure(.badInput, "--received is in the future: give the time the request first arrived")
        }
        let due = RetentionPeriod(months: 1).added(to: received, in: timeZone)
        let trimmedNote = note?.trimmingCharacters(in: .whitespacesAndNewlines)
        return try index.write { writer -> DataSubjectRequest? in
            guard try IndexReader(writer).customerExists(customer) else {
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "request-open",
                                                  items: ["customer:\(customer.prefix(64))"], details: ["type": type.rawValue],
                                                  outcome: .failed, reason: "no such customer", origin: actor.origin), at: now)
                return nil
            }
            let number = try writer.openRequest(customer: customer, type: type, received: received, due: due,
                                                openedBy: actor.name, note: trimmedNote?.isEmpty == false ? trimmedNote : nil, now: now)
            var details = ["type": type.rawValue, "received": Self.isoFormatter.format(received), "due": Self.isoFormatter.format(due)]
            if type.restrictsUntilClosed { details["restricted"] = "true" }
            if type.freezesItems { details["frozen"] = "true" }
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "request-open",
                                              items: ["customer:\(customer)", "req-\(number)"], details: details,
                                              origin: actor.origin), at: now)
            return try IndexReader(writer).request(number)
        } ?? { throw ArchiveFailure(.notFound, "no customer \(customer.prefix(64)): check the id (callvault customers import loads them)") }()
    }

    /// The register: open requests (all with `includeClosed`), oldest first. Audited with counts.
    public func requests(includeClosed: Bool = false, actor: Actor) throws -> [DataSubjectRequest] {
        try authorize(actor, .manageRequests)
        let now = clock()
        return try index.write { writer in
            let list = try IndexReader(writer).requests(includeClosed: includeClosed)
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "requests-list", items: [],
                                              details: ["requests": String(list.count),
                                                        "overdue": String(list.filter { $0.isOverdue(at: now) }.count),
                                                        "all": String(includeClosed)],
                                              origin: actor.origin), at: now)
            return list
        }
    }

    /// Closes a request with its outcome: lifts the restriction it placed, and starts the
    /// 30-day freeze of an access or portability request. Audited in the same transaction.
    public func closeRequest(_ id: String, outcome: String? = nil, actor: Actor) throws -> DataSubjectRequest {
        try authorize(actor, .manageRequests, items: [String(id.prefix(40))])
        guard let number = DataSubjectRequest.number(of: id) else {
            throw ArchiveFailure(.badInput, "'\(id.prefix(40))' is not a request id (req-N)")
        }
        let now = clock()
        let trimmed = outcome?.trimmingCharacters(in: .whitespacesAndNewlines)
        return try index.write { writer -> DataSubjectRequest in
            guard let request = try IndexReader(writer).request(number) else {
                throw ArchiveFailure(.notFound, "no request \(id) in the register: see `callvault requests list --all`")
            }
            guard request.closed == nil else {
                throw ArchiveFailure(.refused, "\(id) was closed already")
            }
            let freeze = request.type.freezesItems ? now.addingTimeInterval(Self.requestFreezeAfterAnswer) : nil
            let lifted = try writer.closeRequest(number, closedBy: actor.name, outcome: trimmed?.isEmpty == false ? trimmed : nil,
                                                 freezeUntil: freeze, now: now)
            var details = ["type": request.type.rawValue, "restrictions_lifted": String(lifted),
                           "late": String(request.isOverdue(at: now))]
            if let freeze { details["frozen_until"] = Self.isoFormatter.format(freeze) }
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "request-close",
                                              items: ["customer:\(request.customer)", request.id], details: details,
                                              origin: actor.origin), at: now)
            return try IndexReader(writer).request(number)!
        }
    }
}

extension Archive {
    /// The archive's clock (a test's fake clock, else the system's): what "overdue" is judged by.
    public var currentTime: Date { clock() }
}
