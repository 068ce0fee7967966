public import Foundation
public import CallvaultModel
import CallvaultIndex
import CallvaultAudit
import CallvaultPolicy
import CallvaultBlobStore

/// What an expiry run did, or (dry run) would do (CLI.md's `expire` JSON).
public struct ExpiryReport: Sendable, Equatable {
    /// Items by kind.
    public struct Counts: Sendable, Equatable, Codable {
        public var calls = 0
        public var sms = 0
        public var recordings = 0

        public init() {}

        public var total: Int { calls + sms + recordings }

        mutating func add(_ id: ItemID) {
            switch id.kind {
            case .call: calls += 1
            case .sms: sms += 1
            case .recording: recordings += 1
            }
        }
    }

    /// What keeps a due item (R18).
    public enum Keeper: String, Sendable, Equatable {
        /// An active legal hold covers it.
        case hold
        /// A linked customer's processing is restricted.
        case restriction
        /// A linked customer's access or portability request freezes it.
        case request
    }

    /// A due item kept, and what keeps it (R18).
    public struct Kept: Sendable, Equatable {
        public var id: ItemID
        public var why: Keeper
        /// `hold-3`, `customer:C001` or `req-2`.
        public var by: String
        public var retainUntil: Date
    }

    /// Lists in the report stop at this many entries; the counts are complete.
    public static let listLimit = 1_000
    /// How long past its date an item may wait for the next run before it counts as overdue (R17).
    public static let overdueGrace = ExpiryPlan.overdueGrace

    public var dryRun: Bool
    public var now: Date
    /// Items deleted (zero in a dry run).
    public var deleted = Counts()
    /// Items past their date that nothing keeps: deleted, or in a dry run what would be.
    public var due = Counts()
    /// The first `listLimit` ids of `due`.
    public var dueIDs: [ItemID] = []
    public var held = 0
    public var restricted = 0
    public var frozen = 0
    /// The first `listLimit` kept items with their keeper.
    public var kept: [Kept] = []
    /// Due, unkept items more than 48 h past their date still in the archive (R17).
    public var overdueCount = 0
    public var overdue: [ItemID] = []
    public var blobsRemoved = 0
    /// Audit entries pruned after their retention (dry run: that would be).
    public var auditPruned = 0
    public var batches = 0
    public var durationMs = 0
    /// The longest write transaction the run held the index's write lock for (what a concurrent search may wait).
    public var longestTransactionMs = 0
    /// What the index's upkeep did during the run (full-text merges, log restarts): for tests.
    var upkeep = IndexTidying.Counts()
    /// The spool's copies removed, kept by holds, and rejected files still waiting (issue 17).
    public var spool = SpoolCleanup()

    public init(dryRun: Bool, now: Date) {
        self.dryRun = dryRun
        self.now = now
    }
}

/// How expiry paces itself so searches and ingest never wait long for the index.
public struct ExpiryPacing: Sendable, Equatable {
    /// Items looked at in the first write transaction.
    public var initialBatch = 500
    public var minimumBatch = 100
    public var maximumBatch = 10_000
    /// Each write transaction aims at this length; the batch grows or shrinks to meet it.
    public var targetTransaction: TimeInterval = 0.040
    /// A pause after each transaction in which other processes take the index's write lock.
    public var pause: TimeInterval = 0.015
    /// Audit entries pruned in the first transaction of the pruning (it adapts like the batches).
    public var initialAuditPrune = 1_000
    /// Queued blob files removed in the first transaction of the blob drain (it adapts like the batches).
    public var initialBlobGroup = 50
    /// Full-text index pages written in the first step of a merge (it adapts like the batches).
    public var initialMergePages = 200
    /// A write-ahead log file larger than this is started over between batches (after a
    /// restart the file is cut back to 64 MiB).
    public var walRestartBytes = 256 << 20
    /// How long a restart may wait for readers of older snapshots (holding off writers meanwhile).
    public var walRestartWait: TimeInterval = 0.05

    public init() {}

    var transactions: TransactionPacing { TransactionPacing(target: targetTransaction, pause: pause) }

    var tidy: TidyPacing {
        TidyPacing(transactions: transactions, initialMergePages: initialMergePages,
                   walRestartBytes: walRestartBytes, walRestartWait: walRestartWait)
    }

    /// The size of the next unit of work (items, files, entries) after one of `size` took `took` seconds.
    func nextSize(after size: Int, took: TimeInterval, within bounds: ClosedRange<Int>) -> Int {
        transactions.nextSize(after: size, took: took, within: bounds)
    }

    /// Sleeps `pause` between two transactions.
    func rest() {
        if pause > 0 { Thread.sleep(forTimeInterval: pause) }
    }
}

extension ExpiryReport {
    /// Adds one page's plan to the counts and lists (overdue only in a dry run: a real run deletes them).
    mutating func tally(_ plan: ExpiryPlan) {
        for id in plan.delete {
            due.add(id)
            if dueIDs.count < Self.listLimit { dueIDs.append(id) }
        }
        if dryRun {
            overdueCount += plan.overdue.count
            overdue += plan.overdue.prefix(max(0, Self.listLimit - overdue.count))
        }
        for item in plan.kept {
            switch item.keptBy {
            case .hold?: held += 1
            case .restriction?: restricted += 1
            case .request?: frozen += 1
            case nil: break
            }
        }
    }

    /// Lists the first kept items of `plan` (up to `listLimit` over the run) with the hold,
    /// customer or request that keeps each.
    mutating func listKept(_ plan: ExpiryPlan, reader: IndexReader) throws {
        let room = Self.listLimit - kept.count
        guard room > 0, !plan.kept.isEmpty else { return }
        let listed = Array(plan.kept.prefix(room))
        func numbers(_ keeper: DueItem.Keeper) -> [Int64] { listed.filter { $0.keptBy == keeper }.map(\.id.number) }
        let holds = try reader.holdsCovering(numbers(.hold))
        let customers = try reader.restrictingCustomers(numbers(.restriction))
        let requests = try reader.freezingRequests(numbers(.request), now: now)
        for item in listed {
            guard let keeper = item.keptBy, let why = Keeper(rawValue: keeper.rawValue) else { continue }
            let n = item.id.number
            kept.append(Kept(id: item.id, why: why, by: holds[n]?.first ?? customers[n] ?? requests[n] ?? "?",
                             retainUntil: item.retainUntil))
        }
    }

    mutating func deleted(_ items: DeletedItems) {
        deleted.calls += items.calls.count
        deleted.sms += items.sms.count
        deleted.recordings += items.recordings.count
        batches += 1
    }
}

extension Archive {
    /// Deletes every item whose retain-until date is at or before the archive's clock and that no hold,
    /// restriction or access-request freeze keeps (R16, R18), in short write transactions,
    /// each with its audit entry listing the ids it deleted; then the blobs no recording
    /// refers to; then the audit entries older than the audit log's retention (R4). A crash
    /// between batches loses nothing: the next run continues, and first removes the blobs a
    /// crashed run left queued. Each page of due items is planned (`ExpiryPlan`) before any
    /// of it is deleted.
    ///
    /// With `dryRun`, nothing changes: the report says what would go at `now` (default: the
    /// clock), what is kept and why, and what is overdue (past its date by more than 48 h and
    /// not kept: R17). A real run takes no `now` and refuses a stepped-back clock
    /// (`destructiveTime`).
    /// - Warning: destroys data for good (that is its purpose).
    public func expire(now: Date? = nil, dryRun: Bool = false, actor: Actor = Archive.expiryActor,
                       pacing: ExpiryPacing = ExpiryPacing(), progress: (ExpiryReport) -> Void = { _ in }) throws -> ExpiryReport {
        try authorize(actor, .runExpiry)
        let now = try destructiveTime(supplied: now, dryRun: dryRun, action: dryRun ? "expire-dry-run" : "expire-run", actor: actor)
        let started = Date()
        var report = ExpiryReport(dryRun: dryRun, now: now)
        // Entries this run writes are not pruned by it, whatever `now` says.
        let auditCeiling = try index.read { try $0.auditHead().count }
        if dryRun {
            try planExpiry(&report, progress: progress)
        } else {
            try drainQueuedBlobs(pacing: pacing, into: &report)
            // Erasures that no hold keeps waiting any more finish first: the links they remove
            // no longer keep (freeze, restrict) due items from this run.
            try resumeErasures(actor: actor)
            try deleteDueItems(&report, pacing: pacing, actor: actor, progress: progress)
            try drainQueuedBlobs(pacing: pacing, into: &report)
        }
        report.auditPruned = try pruneAuditLog(now: now, upTo: auditCeiling, dryRun: dryRun, actor: actor, pacing: pacing)
        report.spool = try cleanSpool(now: now, dryRun: dryRun, actor: actor)
        report.durationMs = Int(Date().timeIntervalSince(started) * 1000)
        try auditExpiryRun(report, actor: actor)
        if !dryRun {
            // An erased customer's record goes once their last kept item has expired.
            try resumeErasures(actor: actor)
            // Quarantined blobs of recordings that are gone now go with them (audited each).
            try sweepQuarantine(actor: actor)
        }
        return report
    }

    /// The dry run's walk: every page of due items planned and tallied on read snapshots.
    func planExpiry(_ report: inout ExpiryReport, progress: (ExpiryReport) -> Void) throws {
        var cursor = DueCursor()
        let pageSize = 10_000
        var more = true
        while more {
            more = try index.read { reader in
                let page = try reader.dueItems(now: report.now, after: &cursor, limit: pageSize)
                let plan = ExpiryPlan(due: page, now: report.now)
                report.tally(plan)
                try report.listKept(plan, reader: reader)
                return page.count == pageSize
            }
            progress(report)
        }
    }

    /// The real run's walk: each page planned and its deletions executed in one write
    /// transaction with its audit entry, paced towards `pacing.targetTransaction`, with the
    /// index's upkeep (full-text merges, write-ahead log restarts) between batches.
    func deleteDueItems(_ report: inout ExpiryReport, pacing: ExpiryPacing, actor: Actor,
                        progress: (ExpiryReport) -> Void) throws {
        var cursor = DueCursor()
        var tidying = index.tidying(pacing: pacing.tidy)
        var batch = pacing.initialBatch
        var more = true
        while more {
            let t0 = Date()
            let limit = batch
            var deletedNow = 0
            more = try index.write { writer in
                let reader = IndexReader(writer)
                let page = try reader.dueItems(now: report.now, after: &cursor, limit: limit)
                let plan = ExpiryPlan(due: page, now: report.now)
                report.tally(plan)
                try report.listKept(plan, reader: reader)
                if !plan.delete.isEmpty {
                    let deleted = try writer.deleteItems(plan.delete.map(\.number), now: clock())
                    report.deleted(deleted)
                    deletedNow = deleted.count
                    try writer.appendAudit(expireBatchEvent(deleted, batch: report.batches, now: report.now, actor: actor,
                                                            durationMs: Int(Date().timeIntervalSince(t0) * 1000)), at: clock())
                }
                return page.count == limit
            }
            if report.batches == 1 { crashSeam?("expire-batch-committed") }

            // Grow or shrink the next batch towards the target transaction length.
            let took = Date().timeIntervalSince(t0)
            report.longestTransactionMs = max(report.longestTransactionMs, Int(took * 1000))
            batch = pacing.nextSize(after: batch, took: took, within: pacing.minimumBatch...pacing.maximumBatch)
            try tidying.afterDeleting(deletedNow)
            if more { pacing.rest() }
            progress(report)
        }
        try tidying.finish()
        report.longestTransactionMs = max(report.longestTransactionMs, Int(tidying.counts.longestTransaction * 1000))
        report.upkeep = tidying.counts
    }

    /// The audit entry of one batch: the ids it deleted, as ranges, and its counts.
    func expireBatchEvent(_ deleted: DeletedItems, batch: Int, now: Date, actor: Actor, durationMs: Int) -> AuditEvent {
        AuditEvent(
            actor: actor.name, role: actor.role, action: "expire",
            items: AuditChain.ranges(prefix: ItemKind.call.idPrefix, numbers: deleted.calls.sorted())
                + AuditChain.ranges(prefix: ItemKind.sms.idPrefix, numbers: deleted.sms.sorted())
                + AuditChain.ranges(prefix: ItemKind.recording.idPrefix, numbers: deleted.recordings.sorted()),
            details: ["calls": String(deleted.calls.count), "sms": String(deleted.sms.count),
                      "recordings": String(deleted.recordings.count), "batch": String(batch),
                      "now": Self.isoFormatter.format(now)],
            durationMs: durationMs, origin: actor.origin)
    }

    /// The run's summary entry (`expire-run` or `expire-dry-run`), failed when items are overdue (R17).
    func auditExpiryRun(_ report: ExpiryReport, actor: Actor) throws {
        try index.write { writer in
            var details = [
                "dry_run": String(report.dryRun), "now": Self.isoFormatter.format(report.now),
                "calls": String(report.due.calls), "sms": String(report.due.sms), "recordings": String(report.due.recordings),
                "held": String(report.held), "restricted": String(report.restricted), "frozen": String(report.frozen),
                "overdue": String(report.overdueCount), "blobs_removed": String(report.blobsRemoved),
                "audit_pruned": String(report.auditPruned), "batches": String(report.batches),
            ]
            if report.dryRun { details["would_delete"] = String(report.due.total) }
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: report.dryRun ? "expire-dry-run" : "expire-run",
                                              details: details, outcome: report.overdueCount == 0 ? .allowed : .failed,
                                              reason: report.overdueCount == 0 ? nil : "\(report.overdueCount) items overdue",
                                              durationMs: report.durationMs, origin: actor.origin), at: clock())
            if !report.dryRun { try writer.setPolicyState("expiry-last-run", Self.isoFormatter.format(clock())) }
        }
    }

    /// `drainQueuedBlobs`, counted into `report`.
    func drainQueuedBlobs(pacing: ExpiryPacing, into report: inout ExpiryReport) throws {
        let drain = try drainQueuedBlobs(pacing: pacing)
        report.blobsRemoved += drain.removed
        report.longestTransactionMs = max(report.longestTransactionMs, drain.longestTransactionMs)
    }

    /// Removes the blob files deletions queued (this run's, or a crashed run's) in short,
    /// paced write transactions like the item batches, so other processes get the index in
    /// between. Each file is checked against the index under the write lock (an ingest of
    /// the same bytes may have just committed); a file already gone (removed just before a
    /// crash, its queue entry not yet) counts as done.
    /// - Returns: how many files were removed, and the longest write transaction it took.
    func drainQueuedBlobs(pacing: ExpiryPacing) throws -> (removed: Int, longestTransactionMs: Int) {
        var longest = 0
        let queued = try index.write { try $0.pendingBlobDeletions() }
        var removed = 0
        var next = 0
        var group = pacing.initialBlobGroup
        while next < queued.count {
            let t0 = Date()
            let slice = queued[next..<min(queued.count, next + group)]
            removed += try index.write { writer -> Int in
                let reader = IndexReader(writer)
                var count = 0
                for sha in slice {
                    if try !reader.isBlobReferenced(sha) {
                        do {
                            try blobs.remove(sha)
                            count += 1
                        } catch BlobStoreError.notFound {
                            // Removed before a crash; only the queue entry was left.
                        } catch {
                            throw ArchiveFailure(.internal, "cannot remove blob \(sha): \(error)")
                        }
                    }
                    try writer.blobDeleted(sha)
                }
                return count
            }
            next += slice.count
            let took = Date().timeIntervalSince(t0)
            longest = max(longest, Int(took * 1000))
            group = pacing.nextSize(after: group, took: took, within: 10...2_000)
            if next < queued.count { pacing.rest() }
        }
        return (removed, longest)
    }

    /// When the audit log's entries may be pruned: older than `retention.audit_log_period` before `now`.
    func auditCutoff(now: Date) -> Date {
        let period = configuration.retention.auditLogPeriod
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(byAdding: DateComponents(year: -period.years, month: -period.months, day: -period.days), to: now) ?? now
    }

    /// Prunes audit entries past their retention in batches, each recorded in the log itself
    /// (`audit-prune` with the count and the new anchor).
    /// - Returns: how many entries were (dry run: would be) pruned.
    func pruneAuditLog(now: Date, upTo ceiling: Int64, dryRun: Bool, actor: Actor, pacing: ExpiryPacing) throws -> Int {
        let cutoff = auditCutoff(now: now)
        if dryRun { return try index.read { try $0.prunableAuditEntries(before: cutoff, upTo: ceiling) } }
        var total = 0
        var limit = pacing.initialAuditPrune
        while true {
            let t0 = Date()
            let count = try index.write { writer -> Int in
                let pruned = try writer.pruneAudit(before: cutoff, upTo: ceiling, limit: limit)
                guard pruned.count > 0 else { return 0 }
                try writer.appendAudit(AuditEvent(
                    actor: actor.name, role: actor.role, action: AuditVerifier.pruneAction,
                    details: ["count": String(pruned.count), "upto": String(pruned.upto), "anchor": pruned.anchor ?? "",
                              "cutoff": Self.isoFormatter.format(cutoff)],
                    origin: actor.origin), at: clock())
                return pruned.count
            }
            total += count
            if count == 0 { break }
            limit = pacing.nextSize(after: limit, took: Date().timeIntervalSince(t0), within: 100...20_000)
            pacing.rest()
        }
        return total
    }
}
