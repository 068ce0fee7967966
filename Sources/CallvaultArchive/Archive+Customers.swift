public import Foundation
import CallvaultModel
import CallvaultIndex
import CallvaultAudit
import CallvaultIngest

extension Archive {
    /// Upserts the customers of a CSV file (`customer_id,name,phones[,relationship_ended]`) and
    /// relinks every item to the customers whose numbers changed.
    public func importCustomers(from file: URL, actor: Actor) throws -> CustomerImportSummary {
        try authorize(actor, .importCustomers)
        var summary = CustomerImportSummary()
        var parser = CustomersCSVParser(normalizer: normalizer)
        var customers: [Customer] = []
        var lineOf: [String: Int] = [:]
        var sawHeader = false
        do {
            try CSVRecordReader().read(file) { event in
                switch event {
                case .oversized(let line):
                    summary.rejected.append(IngestReject(file: file.path, line: line, reason: "record is longer than 1 MiB or has an unterminated quote"))
                case .record(let record):
                    do {
                        if !sawHeader {
                            sawHeader = true
                            try parser.readHeader(record.fields)
                        } else {
                            let line = try parser.parse(record.fields)
                            customers.append(line.customer)
                            lineOf[line.customer.id] = record.line
                            summary.rejected += line.unusableNumbers.map { IngestReject(file: file.path, line: record.line, reason: $0) }
                        }
                    } catch {
                        summary.rejected.append(IngestReject(file: file.path, line: record.line, reason: (error as? IngestLineError)?.reason ?? "\(error)"))
                    }
                }
            }
        } catch {
            throw ArchiveFailure(.badInput, "cannot read \(file.path): \(error.localizedDescription)")
        }
        if !sawHeader || summary.rejected.contains(where: { $0.line == 1 }) {
            throw ArchiveFailure(.badInput, "\(file.path) line 1: expected the header customer_id,name,phones[,relationship_ended]")
        }
        // Later lines win when a file names one customer twice.
        var byID: [String: Customer] = [:]
        var order: [String] = []
        for customer in customers {
            if byID[customer.id] == nil { order.append(customer.id) }
            byID[customer.id] = customer
        }
        let started = Date()
        try index.write { writer in
            let now = self.clock()
            // An erased customer is not re-created, and one being erased keeps the record of the
            // request until the erasure finishes (its numbers decide what the erasure covers).
            let erasures = try IndexReader(writer).latestErasures(of: order)
            order.removeAll { id in
                guard let erasure = erasures[id] else { return false }
                summary.rejected.append(IngestReject(file: file.path, line: lineOf[id], reason: Self.erasedCustomerLine(id, erasure)))
                return true
            }
            var changed: [String] = []
            for id in order where try writer.upsertCustomer(byID[id]!, now: now) {
                changed.append(id)
            }
            summary.relinked = try writer.relink(customerIDs: changed)
            summary.retentionChanged = try self.reapplyRetention(ofCustomers: changed, writer: writer)
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: "customers-import", items: changed.map { "customer:\($0)" },
                details: ["customers": String(order.count), "changed": String(changed.count), "relinked": String(summary.relinked),
                          "retention_changed": String(summary.retentionChanged)],
                durationMs: Int(Date().timeIntervalSince(started) * 1000), origin: actor.origin), at: now)
        }
        summary.rejected.sort { ($0.line ?? 0) < ($1.line ?? 0) }
        summary.customers = order.count
        summary.numbers = order.reduce(0) { $0 + byID[$1]!.phones.count }
        return summary
    }
}

extension Archive {
    /// Why a customers file's line for a customer with an erasure is not imported.
    static func erasedCustomerLine(_ id: String, _ erasure: ErasureRecord) -> String {
        if erasure.completedAt == nil {
            return "customer \(id.prefix(40)) is being erased (erasure-\(erasure.id) waits for a legal hold's release): "
                + "their record stays as it was when the erasure was requested until it finishes; the line is not imported"
        }
        return "customer \(id.prefix(40)) was erased (erasure-\(erasure.id)) and is not re-created: remove the line "
            + "from the customers file (a returning customer needs a new customer id)"
    }
}

/// What the customer page shows of a customer's own record.
public struct CustomerRecord: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Each number as the customers file wrote it.
    public var numbers: [String]
    /// When the customer relationship ended, if it has.
    public var relationshipEnded: Date?
}

extension Archive {
    /// A customer's name, numbers and relationship end (`view-customer`, audited). A restricted
    /// customer's record is refused to every role but compliance, like their items (R25); the
    /// refusal is audited too.
    public func customerRecord(_ id: String, actor: Actor) throws -> CustomerRecord {
        try authorize(actor, .viewCustomer, items: ["customer:\(id.prefix(64))"])
        let outcome: Result<CustomerRecord, ArchiveFailure> = try index.write { writer in
            let reader = IndexReader(writer)
            guard let found = try reader.exportCustomer(id) else { return .failure(Self.noCustomer(id)) }
            let restricted = !found.restrictions.isEmpty && !maySeeRestricted(actor)
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "view-customer", items: ["customer:\(id)"],
                                              outcome: restricted ? .denied : .allowed, reason: restricted ? "restricted" : nil,
                                              origin: actor.origin), at: clock())
            if restricted {
                return .failure(ArchiveFailure(.refused, "customer \(id) is restricted: only the compliance role may see their record"))
            }
            return .success(CustomerRecord(id: found.id, name: found.name, numbers: found.numbers.map(\.raw),
                                           relationshipEnded: found.relationshipEnded))
        }
        return try outcome.get()
    }
}
