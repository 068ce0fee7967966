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
    public static let overdueGrace: TimeInterval = 48 * 3600

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
    /// How often the run started the write-ahead log over (`ExpiryPacing.walRestartBytes`).
    public var walRestarts = 0
    /// Write transactions the run spent merging the full-text index (`ExpiryPacing.initialMergePages`).
    public var fullTextMergeSteps = 0
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
    /// A write-ahead log file larger than this is started over between batches
    /// (`ArchiveIndex.restartWAL`; after a restart the file is cut back to 64 MiB).
    public var walRestartBytes = 256 << 20
    /// How long a restart may wait for readers of older snapshots (holding off writers meanwhile).
    public var walRestartWait: TimeInterval = 0.05

    public init() {}

    /// The size of the next unit of work (items, files, entries, pages) after one of `size`
    /// took `took` seconds: scaled towards `targetTransaction`, at most doubled or halved, within `bounds`.
    func nextSize(after size: Int, took: TimeInterval, within bounds: ClosedRange<Int>) -> Int {
        let scaled = Double(size) * min(2, max(0.5, targetTransaction / max(0.001, took)))
        return min(bounds.upperBound, max(bounds.lowerBound, Int(scaled)))
    }
}

/// When expiry merges the full-text index (FTS5 segments into one) so deleted names leave it.
/// Left alone, the entries of deleted items and their delete markers stay in the file and every
/// name search reads them (300 ms instead of 1 ms after expiring 1M items). A merge rewrites the
/// live entries (in short steps: `Archive.compactFullText`), so during a run it merges once the
/// deletions since the last merge outnumber the live entries (searches never read more than
/// twice the live entries, and the merges of a run rewrite at most about twice what it found);
/// at the end, whenever the run deleted at least a tenth.
struct FullTextCompaction {
    /// Items with a name still in the index (decreases as the run deletes).
    var live: Int
    /// Items deleted since the last merge (or the start of the run).
    var deletedSince = 0

    mutating func deleted(_ count: Int) {
        deletedSince += count
        live = max(0, live - count)
    }

    var isDueMidRun: Bool {
        deletedSince >= max(live, 10_000)
    }

    var isDueAtEnd: Bool { deletedSince > 0 && deletedSince * 10 >= live }

    mutating func compacted() { deletedSince = 0 }
}

extension Archive {
    /// Deletes every item whose retain-until date is at or before the archive's clock and that no hold,
    /// restriction or access-request freeze keeps (R16, R18), in short write transactions,
    /// each with its audit entry listing the ids it deleted; then the blobs no recording
    /// refers to; then the audit entries older than the audit log's retention (R4). A crash
    /// between batches loses nothing: the next run continues, and first removes the blobs a
    /// crashed run left queued.
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
        if !dryRun {
            let drain = try drainQueuedBlobs(pacing: pacing)
            report.blobsRemoved += drain.removed
            report.longestTransactionMs = max(report.longestTransactionMs, drain.longestTransactionMs)
            // Erasures that no hold keeps waiting any more finish first: the links they remove
            // no longer keep (freeze, restrict) due items from this run.
            try resumeErasures(actor: actor)
        }
        var cursor = DueCursor()
        // Counted once this run has deleted something (a run with nothing due reads nothing more).
        var fullText: FullTextCompaction?
        var batch = pacing.initialBatch
        var nextWALRestart = pacing.walRestartBytes  // WAL file bytes past which the next batch starts the log over
        // Entries this run writes are not pruned by it, whatever `now` says.
        let auditCeiling = try index.read { try $0.auditHead().count }

        /// Tallies one page of due items into the report; returns the ids that may go.
        func tally(_ page: [DueItem], reader: IndexReader) throws -> [ItemID] {
            var deletable: [ItemID] = []
            var keptHere: [DueItem] = []
            for item in page {
                switch item.keptBy {
                case nil:
                    deletable.append(item.id)
                    report.due.add(item.id)
                    if report.dueIDs.count < ExpiryReport.listLimit { report.dueIDs.append(item.id) }
                    if dryRun && item.retainUntil.addingTimeInterval(ExpiryReport.overdueGrace) <= now {
                        report.overdueCount += 1
                        if report.overdue.count < ExpiryReport.listLimit { report.overdue.append(item.id) }
                    }
                case .hold?: report.held += 1; keptHere.append(item)
                case .restriction?: report.restricted += 1; keptHere.append(item)
                case .request?: report.frozen += 1; keptHere.append(item)
                }
            }
            let room = ExpiryReport.listLimit - report.kept.count
            if room > 0 && !keptHere.isEmpty {
                let listed = Array(keptHere.prefix(room))
                let holds = try reader.holdsCovering(listed.filter { $0.keptBy == .hold }.map(\.id.number))
                let customers = try reader.restrictingCustomers(listed.filter { $0.keptBy == .restriction }.map(\.id.number))
                let requests = try reader.freezingRequests(listed.filter { $0.keptBy == .request }.map(\.id.number), now: now)
                for item in listed {
                    let n = item.id.number
                    let by = holds[n]?.first ?? customers[n] ?? requests[n] ?? "?"
                    report.kept.append(ExpiryReport.Kept(id: item.id, why: ExpiryReport.Keeper(rawValue: item.keptBy!.rawValue)!, by: by, retainUntil: item.retainUntil))
                }
            }
            return deletable
        }

        while true {
            let t0 = Date()
            let more: Bool
            if dryRun {
                more = try index.read { reader in
                    let page = try reader.dueItems(now: now, after: &cursor, limit: 10_000)
                    _ = try tally(page, reader: reader)
                    return page.count == 10_000
                }
            } else {
                let limit = batch
                var deletedNow = 0
                more = try index.write { writer in
                    let reader = IndexReader(writer)
                    let page = try reader.dueItems(now: now, after: &cursor, limit: limit)
                    let doomed = try tally(page, reader: reader)
                    if !doomed.isEmpty {
                        let deleted = try writer.deleteItems(doomed.map(\.number), now: clock())
                        report.deleted.calls += deleted.calls.count
                        report.deleted.sms += deleted.sms.count
                        report.deleted.recordings += deleted.recordings.count
                        deletedNow = deleted.count
                        report.batches += 1
                        try writer.appendAudit(AuditEvent(
                            actor: actor.name, role: actor.role, action: "expire",
                            items: AuditChain.ranges(prefix: ItemKind.call.idPrefix, numbers: deleted.calls.sorted())
                                + AuditChain.ranges(prefix: ItemKind.sms.idPrefix, numbers: deleted.sms.sorted())
                                + AuditChain.ranges(prefix: ItemKind.recording.idPrefix, numbers: deleted.recordings.sorted()),
                            details: ["calls": String(deleted.calls.count), "sms": String(deleted.sms.count),
                                      "recordings": String(deleted.recordings.count), "batch": String(report.batches),
                                      "now": Self.isoFormatter.format(now)],
                            durationMs: Int(Date().timeIntervalSince(t0) * 1000), origin: actor.origin), at: clock())
                    }
                    return page.count == limit
                }
                if report.batches == 1 { crashSeam?("expire-batch-committed") }

                // Grow or shrink the next batch towards the target transaction length.
                let took = Date().timeIntervalSince(t0)
                report.longestTransactionMs = max(report.longestTransactionMs, Int(took * 1000))
                batch = pacing.nextSize(after: batch, took: took, within: pacing.minimumBatch...pacing.maximumBatch)
                if deletedNow > 0 {
                    var state = try fullText ?? FullTextCompaction(live: deletedNow + index.read { try $0.namedItemCount() })
                    state.deleted(deletedNow)
                    if state.isDueMidRun { try compactFullText(&state, pacing: pacing, nextWALRestart: &nextWALRestart, report: &report) }
                    fullText = state
                }
                nextWALRestart = restartWAL(past: nextWALRestart, pacing: pacing, report: &report)
                if pacing.pause > 0 && more { Thread.sleep(forTimeInterval: pacing.pause) }
            }
            progress(report)
            if !more { break }
        }
        if !dryRun {
            let drain = try drainQueuedBlobs(pacing: pacing)
            report.blobsRemoved += drain.removed
            report.longestTransactionMs = max(report.longestTransactionMs, drain.longestTransactionMs)
            if var state = fullText, state.isDueAtEnd {
                try compactFullText(&state, pacing: pacing, nextWALRestart: &nextWALRestart, report: &report)
            }
        }
        report.auditPruned = try pruneAuditLog(now: now, upTo: auditCeiling, dryRun: dryRun, actor: actor, pacing: pacing)
        report.spool = try cleanSpool(now: now, dryRun: dryRun, actor: actor)
        report.durationMs = Int(Date().timeIntervalSince(started) * 1000)
        try index.write { writer in
            var details = [
                "dry_run": String(dryRun), "now": Self.isoFormatter.format(now),
                "calls": String(report.due.calls), "sms": String(report.due.sms), "recordings": String(report.due.recordings),
                "held": String(report.held), "restricted": String(report.restricted), "frozen": String(report.frozen),
                "overdue": String(report.overdueCount), "blobs_removed": String(report.blobsRemoved),
                "audit_pruned": String(report.auditPruned), "batches": String(report.batches),
            ]
            if dryRun { details["would_delete"] = String(report.due.total) }
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: dryRun ? "expire-dry-run" : "expire-run",
                                              details: details, outcome: report.overdueCount == 0 ? .allowed : .failed,
                                              reason: report.overdueCount == 0 ? nil : "\(report.overdueCount) items overdue",
                                              durationMs: report.durationMs, origin: actor.origin), at: clock())
            if !dryRun { try writer.setPolicyState("expiry-last-run", Self.isoFormatter.format(clock())) }
        }
        // An erased customer's record goes once their last kept item has expired.
        if !dryRun { try resumeErasures(actor: actor) }
        // Quarantined blobs of recordings that are gone now go with them (audited each).
        if !dryRun { try sweepQuarantine(actor: actor) }
        return report
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
            if pacing.pause > 0 && next < queued.count { Thread.sleep(forTimeInterval: pacing.pause) }
        }
        return (removed, longest)
    }

    /// Starts the write-ahead log over (`ExpiryPacing.walRestartBytes`) when its file is larger
    /// than `threshold` bytes.
    /// - Returns: the threshold for the next batch.
    func restartWAL(past threshold: Int, pacing: ExpiryPacing, report: inout ExpiryReport) -> Int {
        let wal = index.walBytes
        guard wal > threshold else { return threshold }
        if (try? index.restartWAL(waitingAtMost: pacing.walRestartWait)) != nil {
            report.walRestarts += 1
            return pacing.walRestartBytes
        }
        // A reader kept it busy (no failure of the run): try again once the log has grown as much again.
        return wal + pacing.walRestartBytes
    }

    /// Merges the full-text index into one segment in short, paced write transactions (each
    /// writing a number of pages that adapts towards `pacing.targetTransaction`), starting the
    /// write-ahead log over between them when it has grown past `nextWALRestart`; counts the
    /// steps and their longest transaction in `report`.
    func compactFullText(_ state: inout FullTextCompaction, pacing: ExpiryPacing,
                         nextWALRestart: inout Int, report: inout ExpiryReport) throws {
        var pages = pacing.initialMergePages
        while true {
            let t0 = Date()
            let merged = try index.write { try $0.mergeFullText(pages: pages) }
            report.fullTextMergeSteps += 1
            let took = Date().timeIntervalSince(t0)
            report.longestTransactionMs = max(report.longestTransactionMs, Int(took * 1000))
            guard merged else { break }
            pages = pacing.nextSize(after: pages, took: took, within: 4...20_000)
            nextWALRestart = restartWAL(past: nextWALRestart, pacing: pacing, report: &report)
            if pacing.pause > 0 { Thread.sleep(forTimeInterval: pacing.pause) }
        }
        state.compacted()
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
            if pacing.pause > 0 { Thread.sleep(forTimeInterval: pacing.pause) }
        }
        return total
    }
}
