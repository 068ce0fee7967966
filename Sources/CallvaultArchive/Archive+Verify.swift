public import Foundation
public import CallvaultAudit
import CallvaultIndex
import CallvaultBlobStore
import CallvaultIngest
import CallvaultModel
import Crypto
#if canImport(Glibc)
import Glibc
#endif

extension Archive {
    /// Checks the audit log's chain with the chain key, its head, and every anchor in the anchor
    /// file against the stored entries (a cut, an edit or a rewrite fails with the first bad
    /// sequence number); the check itself is logged afterwards.
    public func verifyAudit(actor: Actor) throws -> AuditVerification {
        try authorize(actor, .verifyAudit)
        // The anchors first, then the snapshot: every anchor read names an entry committed before it.
        let file = try anchoring.read()
        let keying = AuditKeying(key: anchoring.key, storedKeyedFrom: nil, anchors: file.anchors,
                                 alteredLines: file.alteredLines, anchorFile: anchoring.file.path)
        let result = try index.read { try $0.verifyAudit(keying: keying) }
        try index.write { writer in
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "audit-verify",
                                              details: ["entries": String(result.entries), "ok": String(result.ok)],
                                              outcome: result.ok ? .allowed : .failed, reason: result.problem,
                                              origin: actor.origin), at: clock())
        }
        return result
    }

    /// The audit log's head (entry count and last hash): keep it elsewhere to detect truncation later.
    public func auditDigest(actor: Actor) throws -> (count: Int64, lastHash: String) {
        try authorize(actor, .verifyAudit)
        return try index.read { try $0.auditHead() }
    }

    /// Re-reads every blob against its SHA-256 and the index against the blob store, and counts
    /// what `tmp/` and `quarantine/` hold.
    ///
    /// With `repair`, heals what a source proves and sets aside the rest, deleting nothing:
    /// 1. a source file (under `spool/processed/` or one of `sources`) whose SHA-256 is a missing
    ///    or corrupt recording's blob is stored again;
    /// 2. one whose SHA-256 is an orphan's (or a quarantined blob's) is re-ingested, so the item
    ///    and its links come back;
    /// 3. orphans and corrupt blobs no source proves move to `quarantine/` with a JSON report.
    /// Quarantine entries whose blob is back in the store, verified and indexed, are released.
    public func verify(repair: Bool, sources: [URL] = [], actor: Actor) throws -> VerifyReport {
        try authorize(actor, repair ? .repairArchive : .verifyArchive)
        let started = Date()
        var report = VerifyReport()
        let rows = try index.read { try $0.recordingBlobs() }
        var referenced: [String: [ItemID]] = [:]
        var damaged: [String: String] = [:] // sha → what is wrong
        for (id, sha) in rows {
            referenced[sha, default: []].append(id)
            do {
                try blobs.verify(sha)
            } catch .notFound {
                report.missing.append(id.description)
            } catch {
                report.corrupt.append(id.description)
                damaged[sha] = error.message
            }
        }
        let stored = try blobs.allBlobs()
        report.blobs = stored.count
        report.orphanBlobs = stored.filter { referenced[$0] == nil }
        report.orphans = report.orphanBlobs.count
        var listing = readQuarantine()

        if repair {
            listing = try repairBlobs(&report, rows: rows, referenced: referenced, damaged: damaged, listing: listing,
                                      sources: sources, actor: actor)
        }
        report.quarantine = listing
        report.temporaries = ArchiveUseLock.temporaryLeftovers(layout).count
        let outcome: AuditEntry.Outcome = report.isClean ? .allowed : .failed
        try index.write { writer in
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: repair ? "verify-repair" : "verify",
                items: report.stillCorrupt + report.stillMissing,
                details: ["blobs": String(report.blobs), "orphans": String(report.orphans),
                          "restored": String(report.restored.count), "relinked": String(report.relinked.count),
                          "quarantined": String(report.quarantinedNow.count), "quarantine": String(listing.entries.count),
                          "released": String(report.released.count), "temporaries": String(report.temporaries)],
                outcome: outcome, reason: report.isClean ? nil : "not clean",
                durationMs: Int(Date().timeIntervalSince(started) * 1000), origin: actor.origin), at: clock())
        }
        return report
    }

    /// `verify --repair`'s steps, deleting nothing: blobs a source proves are stored again,
    /// orphans a source proves re-ingested, what no source proves quarantined, and quarantined
    /// blobs that are back released.
    /// - Returns: the quarantine's listing afterwards.
    func repairBlobs(_ report: inout VerifyReport, rows: [(ItemID, String)], referenced: [String: [ItemID]],
                     damaged: [String: String], listing: QuarantineListing, sources: [URL], actor: Actor) throws -> QuarantineListing {
        var listing = listing
        var finder = SourceFinder(folders: [layout.processed] + sources)
        // 1. Missing and corrupt blobs of indexed recordings, stored again from a source.
        let broken = Set(rows.filter { report.missing.contains($0.0.description) || report.corrupt.contains($0.0.description) }.map(\.1))
        for sha in broken.sorted() {
            let size = try index.read { reader in try referenced[sha].flatMap { $0.first }.flatMap { try reader.blob(of: $0)?.bytes } }
            guard let source = finder.file(hashingTo: sha, size: size) else { continue }
            // A damaged copy is replaced by the proven bytes (put swaps it only for a verified blob).
            _ = try blobs.put(contentsOf: source, hint: Self.compressionHint(of: source))
            if (try? blobs.verify(sha)) != nil {
                report.restored += (referenced[sha] ?? []).map(\.description)
            }
        }
        // 2. Orphans a source proves: re-ingested, so their rows come back.
        for sha in report.orphanBlobs {
            let size = try? blobs.size(of: sha)
            guard let source = finder.file(hashingTo: sha, size: size) else { continue }
            if try reingest(source, sha: sha, actor: actor) { report.relinked.append(sha) }
        }
        // 3. What no source proves: into quarantine, never deleted.
        for sha in report.orphanBlobs where !report.relinked.contains(sha) {
            if let entry = try quarantineOrphan(sha, listing: &listing, actor: actor) { report.quarantinedNow.append(entry) }
        }
        for sha in damaged.keys.sorted() where !report.quarantinedNow.contains(where: { $0.sha256 == sha }) {
            let items = referenced[sha] ?? []
            guard !items.contains(where: { report.restored.contains($0.description) }) else { continue }
            let entry = try quarantineBlob(sha, reason: .corrupt, detail: damaged[sha] ?? "corrupt", items: items,
                                           listing: &listing, actor: actor)
            report.quarantinedNow.append(entry)
        }
        // Quarantined blobs a source proves, and those the store holds again: released.
        for entry in listing.entries {
            let isIndexed = try index.read { try $0.isBlobReferenced(entry.sha256) }
            if !(isIndexed && (try? blobs.verify(entry.sha256)) != nil) {
                guard let source = finder.file(hashingTo: entry.sha256, size: entry.originalBytes) else { continue }
                if isIndexed {
                    _ = try blobs.put(contentsOf: source, hint: Self.compressionHint(of: source))
                    report.restored += entry.items.filter { !report.restored.contains($0) }
                } else if try reingest(source, sha: entry.sha256, actor: actor) {
                    report.relinked.append(entry.sha256)
                }
            }
            if try index.read({ try $0.isBlobReferenced(entry.sha256) }), (try? blobs.verify(entry.sha256)) != nil {
                try releaseQuarantined(entry, actor: actor)
                report.released.append(entry.id)
            }
        }
        return readQuarantine()
    }

    /// Re-ingests `source` (a recording whose bytes hash to `sha`) as `actor`; true when an index
    /// row names `sha` afterwards and the blob verifies.
    func reingest(_ source: URL, sha: String, actor: Actor) throws -> Bool {
        try authorize(actor, .ingestFiles)
        _ = try ingestFiles([source], actor: actor)
        return try index.read { try $0.isBlobReferenced(sha) } && (try? blobs.verify(sha)) != nil
    }

    /// How the ingest path would compress `file`: its samples as its WAV header places them.
    static func compressionHint(of file: URL) -> CompressionHint {
        guard let handle = try? FileHandle(forReadingFrom: file) else { return .generic }
        defer { try? handle.close() }
        let head = [UInt8]((try? handle.read(upToCount: 64 * 1024)) ?? Data())
        let size = Int64((try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.int64Value ?? 0)
        guard let layout = try? WAVHeaderParser.layout(head: head, fileSize: size) else { return .generic }
        return compressionHint(layout)
    }

    /// The samples a WAV header describes, for the blob store's audio codec: 16-bit PCM and
    /// 8-bit G.711; anything else is stored as plain deflate.
    static func compressionHint(_ layout: WAVHeaderParser.Layout) -> CompressionHint {
        guard let offset = layout.dataOffset else { return .generic }
        let encoding: AudioSamples.Encoding
        switch (layout.formatTag, layout.audio.bitsPerSample) {
        case (1, 16), (0xFFFE, 16): encoding = .pcm16
        case (6, 8): encoding = .aLaw
        case (7, 8): encoding = .muLaw
        default: return .generic
        }
        return .audio(AudioSamples(encoding: encoding, channels: layout.audio.channels, dataOffset: offset, dataBytes: layout.dataBytes))
    }
}

/// Finds, among the files of some folders, one whose SHA-256 is a given blob's: the proof
/// `verify --repair` needs before it restores or re-links anything. Files are hashed only when
/// their size matches (when it is known), each at most once.
struct SourceFinder {
    let folders: [URL]
    private var files: [(url: URL, size: Int64)]?
    private var hashes: [URL: String] = [:]

    init(folders: [URL]) { self.folders = folders }

    mutating func file(hashingTo sha: String, size: Int64?) -> URL? {
        if files == nil { files = Self.list(folders) }
        for candidate in files ?? [] where size == nil || candidate.size == size {
            let digest: String
            if let known = hashes[candidate.url] {
                digest = known
            } else {
                guard let computed = try? Self.sha256(of: candidate.url) else { continue }
                hashes[candidate.url] = computed
                digest = computed
            }
            if digest == sha { return candidate.url }
        }
        return nil
    }

    /// Regular files under the folders (links are not followed), spool notes and sidecars left out.
    static func list(_ folders: [URL]) -> [(url: URL, size: Int64)] {
        var found: [(URL, Int64)] = []
        for folder in folders {
            guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker {
                let name = url.lastPathComponent
                if name.hasSuffix(".json") || name.hasPrefix(".") { continue }
                var info = stat()
                guard lstat(url.path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
                found.append((url, Int64(info.st_size)))
            }
        }
        return found.sorted { $0.0.path < $1.0.path }
    }

    static func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().hexString
    }
}
