public import Foundation
import CallvaultModel
import CallvaultIndex
import CallvaultAudit
import CallvaultIngest

extension Archive {
    /// Upserts the customers of a CSV file (`customer_id,name,phones[,relationship_ended]`) and
    /// relinks every item to the customers whose numbers changed.
    public func importCustomers(from file: URL, actor: Actor) throws -> CustomerImportSummary {
        var summary = CustomerImportSummary()
        var parser = CustomersCSVParser(normalizer: normalizer)
        var customers: [Customer] = []
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
                            customers.append(try parser.parse(record.fields))
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
        summary.customers = order.count
        summary.numbers = order.reduce(0) { $0 + byID[$1]!.phones.count }
        return summary
    }
}
