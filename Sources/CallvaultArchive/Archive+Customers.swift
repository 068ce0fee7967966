public import Foundation
import CallvaultModel
import CallvaultIndex
import CallvaultAudit
import CallvaultIngest

extension Archive {
    /// Upserts the customers of a CSV file (`customer_id,name,phones[,relationship_ended]`) and
    /// relinks every item to the customers whose numbers changed; or, for a numbers file
    /// (`customer_id,number,valid_from,valid_to`), sets the days each number is its customer's
    /// and relinks by them (`importNumbers`).
    public func importCustomers(from file: URL, actor: Actor) throws -> CustomerImportSummary {
        try authorize(actor, .importCustomers)
        var summary = CustomerImportSummary()
        var parser = CustomersCSVParser(normalizer: normalizer)
        let numbersParser = NumbersCSVParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: timeZone))
        var isNumbersFile = false
        var numberRows: [(line: Int, row: NumbersCSVParser.Line)] = []
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
                            isNumbersFile = NumbersCSVParser.isHeader(record.fields)
                            if !isNumbersFile { try parser.readHeader(record.fields) }
                        } else if isNumbersFile {
                            numberRows.append((record.line, try numbersParser.parse(record.fields)))
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
            throw ArchiveFailure(.badInput, "\(file.path) line 1: expected the header customer_id,name,phones[,relationship_ended] (a customers file) or customer_id,number,valid_from,valid_to (a numbers file)")
        }
        if isNumbersFile { return try importNumbers(numberRows, file: file, summary: summary, actor: actor) }
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

extension Archive {
    /// Applies a numbers file's rows: each sets the days a customer's number is theirs (adding
    /// the number when the customer lacks it), and the customers whose numbers changed are
    /// relinked by them: an item links to the customers whose number was valid on its start
    /// day. Holds keep what they already cover. A row of an unknown customer, or of one being
    /// erased or erased, is reported with its line and not applied.
    func importNumbers(_ rows: [(line: Int, row: NumbersCSVParser.Line)], file: URL, summary: CustomerImportSummary,
                       actor: Actor) throws -> CustomerImportSummary {
        var summary = summary
        let started = Date()
        try index.write { writer in
            let reader = IndexReader(writer)
            let now = self.clock()
            let erasures = try reader.latestErasures(of: Array(Set(rows.map(\.row.customer))))
            var changed: [String] = []
            var customers = Set<String>()
            for (line, row) in rows {
                if let erasure = erasures[row.customer] {
                    summary.rejected.append(IngestReject(file: file.path, line: line, reason: Self.erasedCustomerLine(row.customer, erasure)))
                    continue
                }
                guard try reader.customerExists(row.customer) else {
                    summary.rejected.append(IngestReject(file: file.path, line: line, reason: "no customer '\(row.customer.prefix(40))': import the customers file first (a numbers file sets when a customer's number is theirs)"))
                    continue
                }
                guard let e164 = row.number.e164 else { continue }
                if try writer.setNumberValidity(customer: row.customer, e164: e164, raw: row.number.raw, from: row.from, to: row.to),
                   !changed.contains(row.customer) {
                    changed.append(row.customer)
                }
                customers.insert(row.customer)
                summary.numbers += 1
            }
            summary.customers = customers.count
            summary.relinked = try writer.relink(customerIDs: changed)
            summary.retentionChanged = try self.reapplyRetention(ofCustomers: changed, writer: writer)
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: "customers-import", items: changed.map { "customer:\($0)" },
                details: ["numbers_file": "true", "rows": String(rows.count), "applied": String(summary.numbers),
                          "changed": String(changed.count), "relinked": String(summary.relinked),
                          "retention_changed": String(summary.retentionChanged)],
                durationMs: Int(Date().timeIntervalSince(started) * 1000), origin: actor.origin), at: now)
        }
        summary.rejected.sort { ($0.line ?? 0) < ($1.line ?? 0) }
        return summary
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
