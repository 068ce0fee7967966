public import Foundation
import CallvaultSpool
public import CallvaultModel
import CallvaultPolicy
import CallvaultIndex
import CallvaultAudit

extension Archive {
    /// The right to erasure (R21, invariant 6): plans, then executes in one transaction.
    ///
    /// Each item linked to the customer is erased, or kept with the reason: a legal hold
    /// (the erasure stays pending and finishes by itself when the last hold is released, see
    /// `resumePendingErasures`), a retention class that may not be erased early (reported
    /// with its date), or another customer's link (only this customer's link goes; the item
    /// is listed for review). Items restricted by a pending request are erased: the erasure
    /// is the decision that resolves it. Once nothing waits for a hold, the customer's record
    /// goes last (or, while kept items still link to it, keeps only its id with the name
    /// blanked and no numbers); then the blobs, the spool copies and the freed database
    /// content are purged. One audit entry with ids, counts and the reason.
    /// - Warning: deletes personal data for good, at the archive's clock. `dryRun` only plans
    ///   (and audits the plan), at `now` when given; a real run refuses a supplied `now`.
    public func erase(customer: String, reason: String, now: Date? = nil, dryRun: Bool = false, actor: Actor) throws -> ErasureReport {
        try authorize(actor, .erase, items: ["customer:\(customer.prefix(64))"])
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { throw ArchiveFailure(.badInput, "--reason: record why the customer's data is erased (e.g. the request id)") }
        let now = try destructiveTime(supplied: now, dryRun: dryRun, action: dryRun ? "erase-plan" : "erase", actor: actor)
        let (exists, pending) = try index.read { reader in
            (try reader.customerExists(customer), try reader.pendingErasures().first { $0.customer == customer })
        }
        guard exists else {
            throw ArchiveFailure(.notFound, "no customer '\(customer.prefix(40))'; `callvault search --customer ID` takes ids from the customers file")
        }
        if let pending {
            throw ArchiveFailure(.refused, "erasure-\(pending.id) of \(customer) is already waiting for a legal hold's release; it finishes by itself then")
        }
        if dryRun {
            return try planErasure(customer: customer, reason: reason, now: now, actor: actor)
        }
        return try runErasure(nil, customer: customer, reason: reason, now: now, actor: actor)
    }

    /// Runs every erasure that waits for a hold: items no longer held are erased now, and an
    /// erasure with nothing held any more completes (its customer's record goes). Also removes
    /// the blanked record of an erased customer whose last kept item has expired. Call it after
    /// a hold is released or an expiry run; running it when nothing waits changes nothing.
    /// - Returns: the reports of the erasures that ran.
    @discardableResult
    public func resumePendingErasures(actor: Actor) throws -> [ErasureReport] {
        try authorize(actor, .erase)
        return try resumeErasures(actor: actor)
    }

    /// `resumePendingErasures` for the archive's own steps that follow a hold's release or an
    /// expiry run (authorised for those).
    @discardableResult
    func resumeErasures(actor: Actor) throws -> [ErasureReport] {
        var reports: [ErasureReport] = []
        guard try !index.read({ try $0.pendingErasures() }).isEmpty || !index.read({ try $0.erasedCustomersWithoutItems() }).isEmpty
                || !index.read({ try $0.erasuresAwaitingPurge() }).isEmpty else { return [] }
        _ = try destructiveTime(supplied: nil, dryRun: false, action: "erase-resume", actor: actor)
        for record in try index.read({ try $0.pendingErasures() }) {
            let previous = try? Self.reportDecoder.decode(ErasureReport.self, from: Data(record.report.utf8))
            reports.append(try runErasure(record, previous: previous, customer: record.customer, reason: record.reason,
                                          now: clock(), actor: actor))
        }
        let leftovers = try index.read { try $0.erasedCustomersWithoutItems() }
        if !leftovers.isEmpty {
            try index.write { writer in
                for customer in leftovers { try writer.forgetCustomer(customer, at: clock()) }
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "erase-finish",
                                                  items: leftovers.map { "customer:\($0)" },
                                                  details: ["customers_removed": String(leftovers.count)], origin: actor.origin), at: clock())
            }
            try index.purgeDeletedContent(patience: purgePatience)
        }
        try retryPurges()
        return reports
    }

    /// Purges the index's files again for completed erasures whose purge a long reader kept
    /// from finishing, and notes in their reports when it succeeds.
    func retryPurges() throws {
        let waiting = try index.read { try $0.erasuresAwaitingPurge() }
        guard !waiting.isEmpty, try index.purgeDeletedContent(patience: purgePatience) else { return }
        try index.write { writer in
            for record in waiting {
                guard var report = try? Self.reportDecoder.decode(ErasureReport.self, from: Data(record.report.utf8)) else { continue }
                report.indexPurged = true
                try writer.updateErasure(record.id, report: Self.encodeReport(report), completedAt: record.completedAt)
            }
        }
    }

    /// The plan alone (`--dry-run`): nothing changes but the audit log.
    func planErasure(customer: String, reason: String, now: Date, actor: Actor) throws -> ErasureReport {
        try index.write { writer in
            let plan = ErasurePlan(candidates: try IndexReader(writer).erasureCandidates(customer: customer),
                                   now: now, policy: configuration.retention)
            let report = plan.dryRunReport(customer: customer, requestedAt: now)
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: "erase-plan", items: ["customer:\(customer)"],
                details: Self.auditDetails(report), reason: reason, origin: actor.origin), at: now)
            return report
        }
    }

    /// Executes (or resumes) one erasure.
    func runErasure(_ record: ErasureRecord?, previous: ErasureReport? = nil, customer: String, reason: String, now: Date,
                    actor: Actor) throws -> ErasureReport {
        let started = Date()
        var forget = SpoolScrubber.Needles()
        var blobSizes = Set<Int64>()
        var unchanged = false
        let (report, erasedBlobs): (ErasureReport, [String]) = try index.write { writer in
            let reader = IndexReader(writer)
            let number = try record?.id ?? writer.startErasure(customer: customer, reason: reason, by: actor.name, at: now)
            var report = previous ?? ErasureReport(erasure: "erasure-\(number)", customer: customer, dryRun: false,
                                                   requestedAt: record?.requestedAt ?? now)
            report.erasure = "erasure-\(number)"
            let plan = ErasurePlan(candidates: try reader.erasureCandidates(customer: customer), now: now, policy: configuration.retention)
            let doomed = plan.erase
            blobSizes = plan.erasedRecordingBytes
            report.kept = plan.keep
            report.deferred = plan.deferred
            let completes = plan.completes
            if let previous, doomed.isEmpty, plan.unlink.isEmpty, !completes {
                // A resume while every remaining item is still held: nothing to do, nothing to log.
                unchanged = true
                return (previous, [])
            }
            // What identifies the customer in raw files, read before anything is deleted.
            if completes { forget = try identifyingForms(customer: customer, reader: reader) }

            let deleted = try writer.deleteItems(doomed.map(\.number), now: now)
            report.deleted.calls += deleted.calls.count
            report.deleted.sms += deleted.sms.count
            report.deleted.recordings += deleted.recordings.count

            let unlinked = plan.unlink.compactMap { ItemID($0.id) }
            try writer.removeLinks(customer: customer, items: unlinked)
            _ = try reapplyRetention(ofItems: unlinked, writer: writer)
            for var kept in plan.unlink {
                // The date the item's remaining customers give it now.
                if let id = ItemID(kept.id), let stored = try reader.storedRetention(of: id) { kept.until = stored.tag?.until }
                report.kept.append(kept)
                if !report.review.contains(kept.id) { report.review.append(kept.id) }
            }
            // The erasure is the decision a restriction placed by hand waited for (R25): lift it,
            // so the kept items expire on their dates. One opened by a request lasts until the
            // request is closed.
            let lifted = try writer.liftManualRestrictions(customer: customer, by: actor.name, at: now)
            if completes {
                // No number of the customer survives in hold scopes: a keyed hash still matches later items.
                let numbers = try reader.customerNumbers(customer).map(\.e164)
                let shared = try reader.numbersOwnedByOthers(numbers, except: customer)
                report.holdScopesHashed = try writer.hashNumberScopes(numbers.filter { !shared.contains($0) }, hash: numberHasher.hash)
                report.keptNotes = try reader.freeTextNotes(customer: customer)
                report.customerRemoved = try writer.forgetCustomer(customer, at: now)
                report.customerBlanked = !report.customerRemoved
                report.completedAt = now
            }
            try writer.updateErasure(number, report: Self.encodeReport(report), completedAt: report.completedAt)
            var details = Self.auditDetails(report)
            details["deleted_now"] = String(deleted.count)
            if lifted > 0 { details["restrictions_lifted"] = String(lifted) }
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: record == nil ? "erase" : "erase-resume",
                items: ["customer:\(customer)", "erasure-\(number)"] + doomed.map(\.description),
                details: details, reason: reason, durationMs: Int(Date().timeIntervalSince(started) * 1000),
                origin: actor.origin), at: now)
            return (report, deleted.unreferencedBlobs)
        }
        if unchanged { return report }
        return try purgeAfterErasure(report, erasedBlobs: erasedBlobs, forget: forget, blobSizes: blobSizes, actor: actor)
    }

    /// After an erasure's commit: its blobs, the spool's raw copies (scrubbed of the customer's
    /// numbers and name), quarantined copies, then the index's freed content; the stored report
    /// is updated with what was purged.
    func purgeAfterErasure(_ report: ErasureReport, erasedBlobs: [String], forget: SpoolScrubber.Needles,
                           blobSizes: Set<Int64>, actor: Actor) throws -> ErasureReport {
        // After the commit: blobs, the spool's raw copies, then the database's freed content.
        var final = report
        final.blobsRemoved += try drainQueuedBlobs(pacing: ExpiryPacing()).removed
        // A quarantined copy of an erased recording goes too (audited).
        try sweepQuarantine(erasedBlobs: Set(erasedBlobs), actor: actor)
        let scrubber = SpoolScrubber(folders: [layout.processed, layout.rejected], needles: forget,
                                     blobs: Set(erasedBlobs), blobSizes: blobSizes,
                                     leftovers: ArchiveUseLock.temporaryLeftovers(layout, untouchedFor: 600))
        if !forget.isEmpty || !erasedBlobs.isEmpty {
            final.spoolFilesScrubbed += try scrubber.run()
        }
        final.indexPurged = try index.purgeDeletedContent(patience: purgePatience)
        if final != report, let number = Int64(final.erasure?.dropFirst("erasure-".count) ?? "") {
            try index.write { writer in try writer.updateErasure(number, report: Self.encodeReport(final), completedAt: final.completedAt) }
        }
        return final
    }

    /// The customer's numbers (only those no other customer owns) in every written form, and name.
    func identifyingForms(customer: String, reader: IndexReader) throws -> SpoolScrubber.Needles {
        var needles = SpoolScrubber.Needles()
        let numbers = try reader.customerNumbers(customer)
        let shared = try reader.numbersOwnedByOthers(numbers.map(\.e164), except: customer)
        for (e164, raw) in numbers where !shared.contains(e164) {
            let digits = String(e164.dropFirst())
            if digits.count >= 7 { needles.digits.insert(digits) }
            let country = configuration.countryCode
            if digits.hasPrefix(country), digits.count - country.count >= 6 {
                needles.digits.insert("0" + digits.dropFirst(country.count))
            }
            for form in try reader.rawForms(of: e164).union([raw, e164]) where form.count >= 6 {
                needles.literals.insert(Data(form.utf8))
            }
        }
        if let name = try reader.customerName(customer), name != "(erased)", name.count >= 5 {
            needles.literals.insert(Data(name.utf8))
            if let latin1 = name.data(using: .isoLatin1) { needles.literals.insert(latin1) }
        }
        return needles
    }

    /// The stored erasure of a customer (the latest), with its report (`erase`).
    public func erasureReport(_ id: String, actor: Actor) throws -> ErasureReport {
        try authorize(actor, .erase, items: [String(id.prefix(40))])
        guard id.hasPrefix("erasure-"), let number = Int64(id.dropFirst("erasure-".count)) else {
            throw ArchiveFailure(.badInput, "'\(id.prefix(40))' is not an erasure id (erasure-N)")
        }
        guard let record = try index.read({ try $0.erasure(number) }),
              let report = try? Self.reportDecoder.decode(ErasureReport.self, from: Data(record.report.utf8)) else {
            throw ArchiveFailure(.notFound, "no erasure \(id)")
        }
        return report
    }

    /// Whether the index overwrites deleted content with zeros (`PRAGMA secure_delete`), which
    /// erasure's no-residue guarantee rests on.
    public var secureDeleteIsOn: Bool {
        get throws { try index.read { try $0.secureDeleteEnabled() } }
    }

    static func auditDetails(_ report: ErasureReport) -> [String: String] {
        var kept: [String: Int] = [:]
        for item in report.kept { kept[item.why.rawValue, default: 0] += 1 }
        var details = ["deleted": String(report.deleted.total), "deleted_calls": String(report.deleted.calls),
                       "deleted_sms": String(report.deleted.sms), "deleted_recordings": String(report.deleted.recordings),
                       "deferred": String(report.deferred), "review": String(report.review.count),
                       "customer_removed": String(report.customerRemoved), "completed": String(report.completedAt != nil)]
        for (why, count) in kept { details["kept_\(why)"] = String(count) }
        return details
    }

    static func encodeReport(_ report: ErasureReport) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    static var reportDecoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
