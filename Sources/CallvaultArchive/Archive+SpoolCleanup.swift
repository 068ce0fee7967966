public import Foundation
import CallvaultIndex
import CallvaultModel
import CallvaultAudit
import CallvaultPolicy
import CallvaultSpool

/// What `expire` did (or, dry run, would do) with the spool's copies (issue 17).
public struct SpoolCleanup: Sendable, Equatable {
    /// A file of `spool/processed/` or `spool/rejected/` the cleanup looked at.
    public struct Entry: Sendable, Equatable {
        /// `processed` or `rejected`.
        public var folder: String
        /// The file name, long digit runs masked (as the ingest page shows it).
        public var name: String
        /// When the spool filed it.
        public var filedAt: Date
        /// When its keeping period ends.
        public var removeAfter: Date
        /// For a processed copy kept past its period: the hold that keeps it.
        public var by: String?
    }

    /// Removed (a dry run: would be removed), with their notes.
    public var removed: [Entry] = []
    /// Processed copies past their period, kept while a hold covers an item ingested the same day.
    public var kept: [Entry] = []
    /// Rejected files not yet due, and when they go.
    public var waiting: [Entry] = []

    public init() {}
}

extension Archive {
    /// When `expire` removes the processed copies of the day starting at `dayStart` (UTC), unless a hold keeps them.
    func processedRemoval(dayStart: Date, zone: TimeZone) -> Date {
        configuration.spool.keepProcessed.added(to: dayStart.addingTimeInterval(86_400), in: zone)
    }

    /// When `expire` removes a rejected file the spool filed at `filedAt`.
    func rejectedRemoval(filedAt: Date, zone: TimeZone) -> Date {
        configuration.spool.keepRejected.added(to: filedAt, in: zone)
    }

    /// The plan: the spool's copies and what happens to each. A raw copy
    /// in `processed/<day>/` goes `keep_processed` after the end of the day it was filed, unless
    /// an active hold covers an item ingested that day (the copy is that item's raw evidence);
    /// a rejected file goes `keep_rejected` after it was filed (its note says when). Notes go
    /// with their files; a note whose file is gone (an SMS log) goes when its file would have.
    func planSpoolCleanup(now: Date) throws -> (plan: SpoolCleanup, files: [URL]) {
        let manager = FileManager.default
        let zone = try configuration.timeZone()
        var plan = SpoolCleanup()
        var doomed: [URL] = []

        for day in ((try? manager.contentsOfDirectory(atPath: layout.processed.path)) ?? []).sorted() {
            guard let dayStart = try? SpoolFiles.dayFormatter.parse(day) else { continue }
            let folder = layout.processed.appendingPathComponent(day)
            let dayEnd = dayStart.addingTimeInterval(86_400)
            let removeAfter = processedRemoval(dayStart: dayStart, zone: zone)
            guard removeAfter <= now else { continue }
            let names = ((try? manager.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
            let notes = SpoolStatus.notes(in: folder, names: names)
            let hold = try index.read { try $0.holdsOnItemsIngested(from: dayStart, to: dayEnd).first }
            // One entry per file, and per note whose file is not kept (an SMS log's).
            for subject in Set(names.filter { !SpoolStatus.isNote($0) }).union(notes.keys).sorted() {
                let entry = SpoolCleanup.Entry(folder: "processed", name: SpoolFiles.masked(subject), filedAt: dayStart,
                                               removeAfter: removeAfter, by: hold)
                if hold != nil { plan.kept.append(entry) } else { plan.removed.append(entry) }
            }
            if hold == nil { doomed += names.map { folder.appendingPathComponent($0) } + [folder] }
        }

        let rejected = ((try? manager.contentsOfDirectory(atPath: layout.rejected.path)) ?? []).sorted()
        let notes = SpoolStatus.notes(in: layout.rejected, names: rejected)
        for (subject, note) in notes.sorted(by: { $0.key < $1.key }) {
            let filedAt = note.filedAt ?? note.modified
            let removeAfter = rejectedRemoval(filedAt: filedAt, zone: zone)
            let entry = SpoolCleanup.Entry(folder: "rejected", name: SpoolFiles.masked(subject), filedAt: filedAt, removeAfter: removeAfter)
            if removeAfter <= now {
                plan.removed.append(entry)
                doomed.append(layout.rejected.appendingPathComponent(note.name))
                if rejected.contains(subject) { doomed.append(layout.rejected.appendingPathComponent(subject)) }
            } else {
                plan.waiting.append(entry)
            }
        }
        // A rejected file without a note (filed by an older version, or its note lost): by its own time.
        for name in rejected where !SpoolStatus.isNote(name) && notes[name] == nil {
            let url = layout.rejected.appendingPathComponent(name)
            let filedAt = SpoolStatus.changed(url) ?? now
            let removeAfter = rejectedRemoval(filedAt: filedAt, zone: zone)
            let entry = SpoolCleanup.Entry(folder: "rejected", name: SpoolFiles.masked(name), filedAt: filedAt, removeAfter: removeAfter)
            if removeAfter <= now { plan.removed.append(entry); doomed.append(url) } else { plan.waiting.append(entry) }
        }
        plan.waiting.sort { $0.removeAfter < $1.removeAfter }
        return (plan, doomed)
    }

    /// Plans the spool's clean-up and, unless `dryRun`, removes what is due (one audit entry).
    func cleanSpool(now: Date, dryRun: Bool, actor: Actor) throws -> SpoolCleanup {
        let (plan, files) = try planSpoolCleanup(now: now)
        guard !dryRun, !files.isEmpty else { return plan }
        for url in files {
            // A day folder comes after its files: it goes once empty (a file filed into it meanwhile keeps it).
            if unlink(url.path) == 0 || errno == ENOENT { continue }
            if errno == EISDIR, rmdir(url.path) == 0 || errno == ENOENT || errno == ENOTEMPTY { continue }
            throw ArchiveFailure(.internal, "cannot remove \(SpoolFiles.masked(url.lastPathComponent)) from the spool: \(String(cString: strerror(errno)))")
        }
        try index.write { writer in
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: "spool-cleanup",
                details: ["processed_removed": String(plan.removed.filter { $0.folder == "processed" }.count),
                          "rejected_removed": String(plan.removed.filter { $0.folder == "rejected" }.count),
                          "kept_by_holds": String(plan.kept.count), "rejected_waiting": String(plan.waiting.count)],
                origin: actor.origin), at: clock())
        }
        return plan
    }
}
