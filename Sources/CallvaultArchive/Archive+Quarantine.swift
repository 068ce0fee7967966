public import Foundation
import CallvaultAudit
import CallvaultIndex
import CallvaultBlobStore
import CallvaultModel
import CallvaultSpool
#if canImport(Glibc)
import Glibc
#endif

/// The quarantine (`quarantine/` in the archive folder): where `verify --repair` moves orphan and
/// damaged blobs instead of deleting them. Each entry is the blob file as it was stored
/// (`<id>.blob`) and a report (`<id>.json`, `QuarantineEntry`).
///
/// Entries leave in three ways only, each audited:
/// - `quarantine purge` (the `repair-archive` action), which keeps any entry whose recordings a
///   hold covers;
/// - expiry or erasure of every recording the entry held (`sweepQuarantine`);
/// - `verify --repair` releasing an entry whose blob the store holds again, verified and indexed
///   (the quarantined copy is then a duplicate).
extension Archive {
    /// What the quarantine holds.
    public func quarantineListing(actor: Actor) throws -> QuarantineListing {
        try authorize(actor, .verifyArchive)
        return readQuarantine()
    }

    /// Removes quarantine entries: those named by `ids`, and (with `olderThan`) those quarantined
    /// before that time. An entry whose recordings a hold covers is kept, with the hold named.
    /// Unknown ids are refused before anything is removed.
    /// - Warning: destroys the quarantined blobs: the last copies of what they held, unless a
    ///   backup has them. Use `dryRun` first.
    public func purgeQuarantine(ids: [String], olderThan: Date?, dryRun: Bool, actor: Actor) throws -> QuarantinePurge {
        try authorize(actor, .repairArchive)
        guard !ids.isEmpty || olderThan != nil else {
            throw ArchiveFailure(.badInput, "name what to purge: --id ID (see `callvault quarantine list`) or --older-than DAYS")
        }
        let listing = readQuarantine()
        let known = Set(listing.entries.map(\.id))
        if let unknown = ids.first(where: { !known.contains($0) }) {
            throw ArchiveFailure(.notFound, "no quarantine entry '\(unknown.prefix(80))': run `callvault quarantine list` for the ids")
        }
        var result = QuarantinePurge()
        result.dryRun = dryRun
        let chosen = listing.entries.filter { entry in
            ids.contains(entry.id) || olderThan.map { entry.quarantinedAt < $0 } == true
        }
        for entry in chosen {
            let holds = try holdsCovering(entry)
            if !holds.isEmpty {
                result.kept.append((entry, "under hold \(holds.joined(separator: ", ")): release the hold first"))
                continue
            }
            if !dryRun { try removeQuarantined(entry, action: "quarantine-purge", actor: actor) }
            result.purged.append(entry)
        }
        if !result.kept.isEmpty && !dryRun {
            try index.write { writer in
                try writer.appendAudit(AuditEvent(
                    actor: actor.name, role: actor.role, action: "quarantine-purge",
                    items: result.kept.flatMap { $0.entry.items }, details: ["kept": result.kept.map { $0.entry.id }.joined(separator: ",")],
                    outcome: .denied, reason: "under hold", origin: actor.origin), at: clock())
            }
        }
        return result
    }

    /// Removes the entries whose recordings are all gone from the index (expired or erased), after
    /// an expiry run or an erasure, and those holding the bytes of a blob an erasure removed
    /// (`erasedBlobs`); other orphans (no recording known) stay until purged by hand.
    /// - Returns: how many entries went.
    @discardableResult
    func sweepQuarantine(erasedBlobs: Set<String> = [], actor: Actor) throws -> Int {
        var removed = 0
        for entry in readQuarantine().entries where !entry.items.isEmpty || erasedBlobs.contains(entry.sha256) {
            if erasedBlobs.contains(entry.sha256), try holdsCovering(entry).isEmpty {
                try removeQuarantined(entry, action: "quarantine-expire", actor: actor)
                removed += 1
                continue
            }
            let ids = entry.items.compactMap(ItemID.init)
            let remaining = try index.read { reader in try ids.filter { try reader.itemExists($0) } }
            guard remaining.isEmpty else { continue }
            try removeQuarantined(entry, action: "quarantine-expire", actor: actor)
            removed += 1
        }
        return removed
    }

    // MARK: moving in

    /// Moves orphan `sha` to quarantine, unless an index row names it by now (checked under the
    /// index's write lock, so an ingest committing the same blob either wins or stores it again).
    func quarantineOrphan(_ sha: String, listing: inout QuarantineListing, actor: Actor) throws -> QuarantineEntry? {
        let originalBytes = try? blobs.size(of: sha)
        var moved: QuarantineEntry?
        var current = listing
        try index.write { writer in
            guard try !IndexReader(writer).isBlobReferenced(sha) else { return }
            let entry = try moveToQuarantine(sha, reason: .orphan, detail: "no index row names this blob (its row was lost, or never committed)",
                                             items: [], retainUntil: nil, holds: [], originalBytes: originalBytes,
                                             listing: &current, actor: actor)
            try writer.appendAudit(Self.quarantineEvent(entry, actor: actor), at: clock())
            moved = entry
        }
        listing = current
        return moved
    }

    /// Moves damaged blob `sha` (named by `items`) to quarantine, with what the index knows of them.
    func quarantineBlob(_ sha: String, reason: QuarantineEntry.Reason, detail: String, items: [ItemID],
                        listing: inout QuarantineListing, actor: Actor) throws -> QuarantineEntry {
        let (retainUntil, holds, bytes) = try index.read { reader -> (Date?, [String], Int64?) in
            var latest: Date?
            var holds: [String] = []
            var bytes: Int64?
            for id in items {
                guard let item = try reader.item(id) else { continue }
                if let until = item.retainUntil { latest = max(latest ?? until, until) }
                for hold in item.holds where !holds.contains(hold) { holds.append(hold) }
                bytes = bytes ?? item.detail?.blob?.bytes
            }
            return (latest, holds, bytes)
        }
        let entry = try moveToQuarantine(sha, reason: reason, detail: detail, items: items.map(\.description),
                                         retainUntil: retainUntil, holds: holds, originalBytes: bytes,
                                         listing: &listing, actor: actor)
        try index.write { writer in try writer.appendAudit(Self.quarantineEvent(entry, actor: actor), at: clock()) }
        return entry
    }

    /// The report first (durably), then the blob: a crash between leaves a report without its
    /// file and the blob still in the store, and the next repair completes the move under the
    /// same id. Both files stay inside the archive folder.
    func moveToQuarantine(_ sha: String, reason: QuarantineEntry.Reason, detail: String, items: [String],
                          retainUntil: Date?, holds: [String], originalBytes: Int64?,
                          listing: inout QuarantineListing, actor: Actor) throws -> QuarantineEntry {
        let folder = layout.quarantine
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var entry: QuarantineEntry
        if let pending = listing.entries.first(where: { $0.sha256 == sha && listing.withoutFile.contains($0.id) }) {
            entry = pending
        } else {
            let now = clock()
            let stamp = Self.idStamp.format(now).replacingOccurrences(of: "-", with: "").replacingOccurrences(of: ":", with: "")
            var id = "q-\(stamp)-\(sha.prefix(12))"
            var n = 2
            while listing.entries.contains(where: { $0.id == id }) || FileManager.default.fileExists(atPath: folder.appendingPathComponent("\(id).json").path) {
                id = "q-\(stamp)-\(sha.prefix(12))-\(n)"
                n += 1
            }
            entry = QuarantineEntry(id: id, sha256: sha, reason: reason, detail: detail, quarantinedAt: now, by: actor.name,
                                    storedBytes: 0, originalBytes: originalBytes, items: items, retainUntil: retainUntil, holds: holds)
            try writeReport(entry)
            listing.entries.append(entry)
            listing.withoutFile.insert(entry.id)
        }
        let file = folder.appendingPathComponent(entry.fileName)
        do {
            try blobs.moveOut(sha, to: file)
        } catch {
            throw ArchiveFailure(.internal, "cannot move blob \(sha) to quarantine: \(error.message); nothing was deleted. Check that \(folder.path) is writable and on the archive's file system, then run `callvault verify --repair` again")
        }
        var info = stat()
        if lstat(file.path, &info) == 0 { entry.storedBytes = Int64(info.st_size) }
        try writeReport(entry)
        listing.withoutFile.remove(entry.id)
        if let at = listing.entries.firstIndex(where: { $0.id == entry.id }) { listing.entries[at] = entry }
        return entry
    }

    /// Writes an entry's report durably: a temp file in the quarantine folder, fsync, rename, folder fsync.
    func writeReport(_ entry: QuarantineEntry) throws {
        let folder = layout.quarantine
        let temporary = folder.appendingPathComponent(".\(entry.id).json.tmp")
        try DurableFile.write(try QuarantineEntry.encoder.encode(entry), to: temporary, mode: 0o600)
        guard rename(temporary.path, folder.appendingPathComponent(entry.reportName).path) == 0 else {
            throw ArchiveFailure(.internal, "cannot write the quarantine report \(entry.reportName): \(String(cString: strerror(errno)))")
        }
        try DurableFile.syncFolder(folder)
    }

    // MARK: reading and removing

    /// Reads every report in `quarantine/`; files without a readable report are listed apart.
    func readQuarantine() -> QuarantineListing {
        var listing = QuarantineListing()
        let folder = layout.quarantine
        let names = Set((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        var explained = Set<String>()
        for name in names.sorted() where name.hasSuffix(".json") && !name.hasPrefix(".") {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent(name).path),
                  let entry = try? QuarantineEntry.decoder.decode(QuarantineEntry.self, from: data),
                  entry.reportName == name else { continue }
            explained.insert(name)
            explained.insert(entry.fileName)
            listing.entries.append(entry)
            if !names.contains(entry.fileName) { listing.withoutFile.insert(entry.id) }
        }
        listing.entries.sort { ($0.quarantinedAt, $0.id) < ($1.quarantinedAt, $1.id) }
        listing.unexplained = names.filter { !explained.contains($0) && !$0.hasPrefix(".") }.sorted()
        return listing
    }

    /// Active holds covering the entry's recordings that still exist.
    func holdsCovering(_ entry: QuarantineEntry) throws -> [String] {
        let ids = entry.items.compactMap(ItemID.init)
        guard !ids.isEmpty else { return [] }
        return try index.read { reader in
            let existing = try ids.filter { try reader.itemExists($0) }.map(\.number)
            return Array(Set(try reader.holdsCovering(existing).values.flatMap { $0 })).sorted()
        }
    }

    /// Audits, then overwrites with zeros and removes, an entry's blob file and report.
    func removeQuarantined(_ entry: QuarantineEntry, action: String, actor: Actor) throws {
        try index.write { writer in
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: action, items: entry.items,
                details: ["quarantine": entry.id, "sha256": entry.sha256, "reason": entry.reason.rawValue],
                origin: actor.origin), at: clock())
        }
        let file = layout.quarantine.appendingPathComponent(entry.fileName)
        if FileManager.default.fileExists(atPath: file.path) { try SpoolFiles.destroy(file) }
        unlink(layout.quarantine.appendingPathComponent(entry.reportName).path)
        try? DurableFile.syncFolder(layout.quarantine)
    }

    /// Releases an entry whose blob the store holds again, verified and indexed.
    func releaseQuarantined(_ entry: QuarantineEntry, actor: Actor) throws {
        try removeQuarantined(entry, action: "quarantine-release", actor: actor)
    }

    static func quarantineEvent(_ entry: QuarantineEntry, actor: Actor) -> AuditEvent {
        AuditEvent(actor: actor.name, role: actor.role, action: "quarantine", items: entry.items,
                   details: ["quarantine": entry.id, "sha256": entry.sha256, "reason": entry.reason.rawValue],
                   reason: entry.detail, origin: actor.origin)
    }

    static let idStamp = Date.ISO8601FormatStyle(timeZone: .gmt)
}
