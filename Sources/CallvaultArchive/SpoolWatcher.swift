public import Foundation
import CallvaultModel
import CallvaultIngest
#if canImport(Glibc)
import Glibc
#endif

/// Ingests what PBX hooks drop into `spool/incoming/`, each file once, then files it away:
/// `spool/processed/<day>/<name>` after a successful ingest, `spool/rejected/<name>` with
/// `<name>.reason.json` when nothing in it could be used.
///
/// A file is taken only when complete: dot-files (a hook still writing) are skipped and a
/// file must keep its size between two looks. The file is moved only after its data has
/// committed, so a crash at any point re-processes it on restart, and source keys make that
/// a no-op.
public final class SpoolWatcher: @unchecked Sendable {
    let archive: Archive
    let actor: Actor
    /// How long a file's size must stay the same before it is taken.
    let settleInterval: TimeInterval
    private var lastSizes: [String: (Int64, Date)] = [:]
    /// Held while the spool is looked at or an upload is filed in: one file is processed at a time.
    private let lock = NSLock()

    /// Creates a watcher for `archive`'s spool, ingesting as `actor` (`Archive.spoolActor`, or
    /// another actor allowed to `ingest`; every look and upload checks it).
    public init(archive: Archive, actor: Actor, settleInterval: TimeInterval = 0.2) {
        self.archive = archive
        self.actor = actor
        self.settleInterval = settleInterval
    }

    /// Processes every complete file now in the spool; waits briefly for files still settling.
    public func drain() throws -> IngestSummary {
        try archive.authorize(actor, .ingest)
        var total = IngestSummary()
        var pending = try scan(&total)
        var rounds = 0
        while pending > 0 && rounds < 50 {
            Thread.sleep(forTimeInterval: settleInterval)
            pending = try scan(&total)
            rounds += 1
        }
        return total
    }

    /// Polls the spool until `shouldStop` returns true, every `interval` seconds. A failure
    /// (a full disk, say) is reported and the file is tried again on the next look.
    public func run(interval: TimeInterval = 0.5, shouldStop: () -> Bool,
                    onBatch: (IngestSummary) -> Void = { _ in }, onError: (any Error) -> Void = { _ in }) {
        do { try archive.authorize(actor, .ingest) } catch { return onError(error) }
        while !shouldStop() {
            var summary = IngestSummary()
            do {
                _ = try scan(&summary)
            } catch {
                onError(error)
            }
            if summary.files > 0 { onBatch(summary) }
            Thread.sleep(forTimeInterval: interval)
        }
    }

    /// One look at the spool: processes the files that are complete and counts those that are not.
    /// - Parameter stopRequested: asked before each file; once it returns true, the look ends
    ///   after the file in hand (graceful shutdown finishes the current file, starts no other).
    public func look(stopRequested: () -> Bool = { false }) throws -> (summary: IngestSummary, pending: Int) {
        try archive.authorize(actor, .ingest)
        var summary = IngestSummary()
        let pending = try scan(&summary, stopRequested: stopRequested)
        return (summary, pending)
    }

    /// One look at the spool. Returns how many files are not yet complete.
    @discardableResult
    func scan(_ total: inout IngestSummary, stopRequested: () -> Bool = { false }) throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        let incoming = archive.layout.incoming
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: incoming.path)) ?? []).sorted()
        var pending = 0
        var seen = Set<String>()
        for name in names where !name.hasPrefix(".") {
            if stopRequested() { break }
            let url = incoming.appendingPathComponent(name)
            // A sidecar travels with its recording (hooks drop the sidecar first).
            if RecordingSidecarParser.isSidecar(url) { continue }
            seen.insert(name)
            var info = stat()
            guard lstat(url.path, &info) == 0 else { continue }
            let type = info.st_mode & S_IFMT
            if type == S_IFLNK || (type != S_IFREG && type != S_IFDIR) {
                // Never follow a link out of the spool: the file is refused, not read.
                try reject(url, reason: type == S_IFLNK ? "a symbolic link: the spool takes regular files only" : "not a regular file")
                total.files += 1
                total.rejected.append(IngestReject(file: url.path, line: nil, reason: type == S_IFLNK ? "a symbolic link: the spool takes regular files only" : "not a regular file"))
                continue
            }
            if type == S_IFDIR { continue }
            let size = Int64(info.st_size)
            let now = Date()
            if let (previous, since) = lastSizes[name], previous == size, now.timeIntervalSince(since) >= settleInterval * 0.9 {
                lastSizes[name] = nil
                try process(url, into: &total)
            } else {
                if lastSizes[name]?.0 != size { lastSizes[name] = (size, now) }
                pending += 1
            }
        }
        lastSizes = lastSizes.filter { seen.contains($0.key) }
        return pending
    }

    func process(_ url: URL, into total: inout IngestSummary, actor: Actor? = nil) throws {
        let summary = try archive.ingestFiles([url], actor: actor ?? self.actor)
        total.files += summary.files
        total.calls += summary.calls
        total.sms += summary.sms
        total.recordings += summary.recordings
        total.duplicates += summary.duplicates
        total.rejected += summary.rejected
        total.warnings += summary.warnings
        let keptSomething = summary.calls + summary.sms + summary.recordings + summary.duplicates > 0
        if !keptSomething && !summary.rejected.isEmpty {
            try reject(url, reason: summary.rejected.map(\.reason).first ?? "rejected", lines: summary.rejected,
                       carriesMessageText: summary.messageTextFiles.contains(url.path))
        } else {
            try file(url, summary: summary)
        }
    }

    // MARK: uploads

    /// The prefix of an upload being received into `spool/incoming/` (a dot-file: the watcher skips it).
    static let uploadPrefix = ".upload-"

    /// A new, unused place in `spool/incoming/` to receive an upload into. The watcher does not
    /// look at it; `ingestUpload` files it in under its real name.
    public func stagingURL() -> URL {
        archive.layout.incoming.appendingPathComponent("\(Self.uploadPrefix)\(UUID().uuidString).part")
    }

    /// Why `name` may not be an uploaded file's name, or nil when it may: a plain file name of at
    /// most 255 bytes, without a path, a leading dot, control characters, or a spool note's ending.
    public static func uploadNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "the file name is empty" }
        if name.utf8.count > 255 { return "the file name is longer than 255 bytes" }
        if name.contains("/") || name.contains("\\") { return "the file name holds a path separator: give the plain name" }
        if name.hasPrefix(".") { return "the file name starts with a dot" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "the file name holds control characters" }
        if name.hasSuffix(".reason.json") || name.hasSuffix(".ingested.json") || name.hasSuffix(".part") {
            return "the file name ends like a spool note (.reason.json, .ingested.json, .part)"
        }
        return nil
    }

    /// Ingests an uploaded file exactly as if a hook had dropped it into the spool: `staged` (a
    /// complete, synced file from `stagingURL()`) is renamed to `name` in `spool/incoming/`,
    /// ingested as `actor`, and filed under `processed/` or `rejected/`. Waits while the watcher
    /// processes another file. A file of the same name waiting in the spool is not replaced:
    /// the upload is refused and `staged` removed.
    public func ingestUpload(_ staged: URL, as name: String, actor: Actor) throws -> IngestSummary {
        defer { unlink(staged.path) }
        try archive.authorize(actor, .ingest)
        if let problem = Self.uploadNameProblem(name) {
            throw ArchiveFailure(.badInput, "X-Filename: \(problem)")
        }
        lock.lock()
        defer { lock.unlock() }
        let target = archive.layout.incoming.appendingPathComponent(name)
        // link(2) fails rather than replace a file a hook is writing or has left under that name.
        guard link(staged.path, target.path) == 0 else {
            if errno == EEXIST {
                throw ArchiveFailure(.refused, "a file named '\(name.prefix(64))' is waiting in the spool: retry once it is processed, or upload under another name")
            }
            throw ArchiveFailure(.internal, "cannot move the upload into the spool: \(String(cString: strerror(errno)))")
        }
        var summary = IngestSummary()
        try process(target, into: &summary, actor: actor)
        return summary
    }

    /// Removes uploads a crash or a dropped connection left half-received; returns how many.
    @discardableResult
    public func removeStaleUploads() -> Int {
        let incoming = archive.layout.incoming
        let names = (try? FileManager.default.contentsOfDirectory(atPath: incoming.path)) ?? []
        var removed = 0
        for name in names where name.hasPrefix(Self.uploadPrefix) && name.hasSuffix(".part") {
            if unlink(incoming.appendingPathComponent(name).path) == 0 { removed += 1 }
        }
        return removed
    }

    /// Moves an ingested file to `processed/<day>/`, with a reason file when lines were rejected.
    /// A file that holds SMS message text is not kept: only a note of what was ingested (R8).
    func file(_ url: URL, summary: IngestSummary) throws {
        let day = Self.dayFormatter.format(Date())
        let folder = archive.layout.processed.appendingPathComponent(day)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = Self.freeName(url.lastPathComponent, in: folder)
        if summary.messageTextFiles.contains(url.path) {
            try writeReason(for: target, reason: "ingested; the raw file held message text and was deleted",
                            lines: summary.rejected, summary: summary, suffix: ".ingested.json")
            try Self.destroy(url)
            return
        }
        if !summary.rejected.isEmpty {
            try writeReason(for: target, reason: "some lines were rejected; the others were ingested", lines: summary.rejected, summary: summary)
        }
        if let sidecar = RecordingSidecarParser.sidecarURL(for: url) {
            try move(sidecar, to: Self.freeName(sidecar.lastPathComponent, in: folder))
        }
        try move(url, to: target)
    }

    /// Overwrites a file's bytes, syncs, and unlinks it, so no message text lingers on disk.
    static func destroy(_ url: URL) throws {
        if let handle = try? FileHandle(forUpdating: url) {
            let size = (try? handle.seekToEnd()) ?? 0
            try? handle.seek(toOffset: 0)
            var left = size
            let zeros = Data(count: 1 << 16)
            while left > 0 {
                let n = min(UInt64(zeros.count), left)
                try? handle.write(contentsOf: zeros.prefix(Int(n)))
                left -= n
            }
            try? handle.synchronize()
            try? handle.close()
        }
        try FileManager.default.removeItem(at: url)
    }

    func reject(_ url: URL, reason: String, lines: [IngestReject] = [], carriesMessageText: Bool = false) throws {
        let folder = archive.layout.rejected
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = Self.freeName(url.lastPathComponent, in: folder)
        try writeReason(for: target, reason: reason, lines: lines, summary: nil)
        if carriesMessageText {
            // Nothing of it could be used, and its text must not be kept either.
            try Self.destroy(url)
            return
        }
        try move(url, to: target)
    }

    func move(_ url: URL, to target: URL) throws {
        guard rename(url.path, target.path) == 0 else {
            throw ArchiveFailure(.internal, "cannot move \(url.lastPathComponent) out of the spool: \(String(cString: strerror(errno)))")
        }
    }

    func writeReason(for target: URL, reason: String, lines: [IngestReject], summary: IngestSummary?,
                     suffix: String = ".reason.json") throws {
        struct Reason: Encodable {
            var file: String
            var reason: String
            var rejected: [Line]
            var kept: Kept?
            struct Line: Encodable { var line: Int?; var reason: String }
            struct Kept: Encodable { var calls: Int; var sms: Int; var recordings: Int; var duplicates: Int }
        }
        let value = Reason(
            file: target.lastPathComponent, reason: reason,
            rejected: lines.map { Reason.Line(line: $0.line, reason: $0.reason) },
            kept: summary.map { Reason.Kept(calls: $0.calls, sms: $0.sms, recordings: $0.recordings, duplicates: $0.duplicates) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = target.deletingLastPathComponent().appendingPathComponent(target.lastPathComponent + suffix)
        try encoder.encode(value).write(to: url, options: .atomic)
    }

    /// `name`, or `name.1`, `name.2`, … if taken.
    static func freeName(_ name: String, in folder: URL) -> URL {
        var candidate = folder.appendingPathComponent(name)
        var n = 1
        while FileManager.default.fileExists(atPath: candidate.path) {
            candidate = folder.appendingPathComponent("\(name).\(n)")
            n += 1
        }
        return candidate
    }

    static let dayFormatter = Date.ISO8601FormatStyle().year().month().day()
}
