public import Foundation
import CallvaultModel
import CallvaultSpool
import CallvaultIngest
import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// Ingests what PBX hooks drop into `spool/incoming/`, each file once, then files it away:
/// `spool/processed/<day>/<name>` after a successful ingest, `spool/rejected/<name>` when
/// nothing in it could be used. Why is in a note beside it, `<note id>.reason.json`, named by a
/// short stable id of the file's name (`SpoolWatcher.noteName`) so that any name the file
/// system takes has a note that fits; the note holds the file's name.
///
/// A file is taken only when complete: dot-files (a hook still writing) are skipped and a
/// file must keep its size between two looks. The file is moved only after its data has
/// committed, so a crash at any point re-processes it on restart, and source keys make that
/// a no-op.
///
/// The spool never wedges: a file whose processing fails (a full disk, say) is left where it is
/// and tried again later, after a pause that doubles with each failure (`failures()`), while the
/// other files go on. Symbolic links, hard links (a file with more than one name) and anything
/// that is not a regular file are refused, never read.
public final class SpoolWatcher: @unchecked Sendable {
    let archive: Archive
    let actor: Actor
    /// How long a file's size must stay the same before it is taken.
    let settleInterval: TimeInterval
    /// The pause after a file's first failure; it doubles with each further failure, up to `maxRetryDelay`.
    let retryDelay: TimeInterval
    let maxRetryDelay: TimeInterval
    /// Called with each file's name just before it is processed; a test throws to make it fail.
    let faultSeam: (@Sendable (String) throws -> Void)?
    private var lastSizes: [String: (Int64, Date)] = [:]
    /// Held while the spool is looked at or an upload is filed in: one file is processed at a time.
    private let lock = NSLock()
    /// Guards `failing` (read by the web page and metrics while a look runs).
    private let failureLock = NSLock()
    private var failing: [String: SpoolFailure] = [:]

    /// Creates a watcher for `archive`'s spool, ingesting as `actor` (`Archive.spoolActor`, or
    /// another actor allowed to `ingest`; every look and upload checks it).
    /// - Parameters:
    ///   - retryDelay: the pause before a failed file is tried again; doubles per failure up to `maxRetryDelay`.
    ///   - faultSeam: test seam, called with each file's name before it is processed.
    public init(archive: Archive, actor: Actor, settleInterval: TimeInterval = 0.2, retryDelay: TimeInterval = 2,
                maxRetryDelay: TimeInterval = 300, faultSeam: (@Sendable (String) throws -> Void)? = nil) {
        self.archive = archive
        self.actor = actor
        self.settleInterval = settleInterval
        self.retryDelay = retryDelay
        self.maxRetryDelay = maxRetryDelay
        self.faultSeam = faultSeam
    }

    /// Files in `spool/incoming/` whose processing failed and that wait to be tried again, by name.
    public func failures() -> [SpoolFailure] {
        failureLock.lock()
        defer { failureLock.unlock() }
        return failing.values.sorted { $0.name < $1.name }
    }

    /// Processes every complete file now in the spool; waits briefly for files still settling.
    /// Files that failed are left in the spool and listed by `failures()`.
    public func drain() throws -> IngestSummary {
        try archive.authorize(actor, .ingest)
        var total = IngestSummary()
        var failed: [SpoolFailure] = []
        var pending = try scan(&total, failed: &failed)
        var rounds = 0
        while pending > 0 && rounds < 50 {
            Thread.sleep(forTimeInterval: settleInterval)
            pending = try scan(&total, failed: &failed)
            rounds += 1
        }
        return total
    }

    /// One look at the spool: processes the files that are complete and counts those that are
    /// not; `failed` are the files whose processing failed on this look (each waits its pause).
    /// - Parameter stopRequested: asked before each file; once it returns true, the look ends
    ///   after the file in hand (graceful shutdown finishes the current file, starts no other).
    public func look(stopRequested: () -> Bool = { false }) throws -> (summary: IngestSummary, pending: Int, failed: [SpoolFailure]) {
        try archive.authorize(actor, .ingest)
        var summary = IngestSummary()
        var failed: [SpoolFailure] = []
        let pending = try scan(&summary, failed: &failed, stopRequested: stopRequested)
        return (summary, pending, failed)
    }

    /// Why the spool refuses the entry at `url` unread, or nil for a regular file with one link.
    /// A symbolic link or a hard link may name a file outside the archive, which the archive
    /// must never read on a hook's say-so, nor later rewrite (erasure scrubs the spool's copies).
    static func refusal(of url: URL) -> String? {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFLNK: return "a symbolic link: the spool takes regular files only"
        case S_IFREG:
            guard info.st_nlink > 1 else { return nil }
            return "a file with \(info.st_nlink) hard links: the spool takes files with one name only (write the file, or copy it, into the spool)"
        default: return "not a regular file"
        }
    }

    /// One look at the spool. Returns how many files are not yet complete; a file that fails is
    /// noted in `failed` and the look goes on with the next.
    @discardableResult
    func scan(_ total: inout IngestSummary, failed: inout [SpoolFailure], stopRequested: () -> Bool = { false }) throws -> Int {
        lock.lock()
        defer { lock.unlock() }
        let incoming = archive.layout.incoming
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: incoming.path)) ?? []).sorted()
        var pending = 0
        var seen = Set<String>()
        for name in names where !name.hasPrefix(".") {
            if stopRequested() { break }
            let url = incoming.appendingPathComponent(name)
            seen.insert(name)
            // A sidecar travels with its recording (hooks drop the sidecar first); a linked one is refused.
            if RecordingSidecarParser.isSidecar(url) {
                if let refusal = Self.refusal(of: url), (failure(of: name)?.nextAttempt ?? .distantPast) <= Date() {
                    attempt(name, failed: &failed) { try reject(url, reason: refusal) }
                }
                continue
            }
            var info = stat()
            guard lstat(url.path, &info) == 0 else { continue }
            if info.st_mode & S_IFMT == S_IFDIR { continue }
            let now = Date()
            if let failure = failure(of: name), failure.nextAttempt > now { continue }
            if let refusal = Self.refusal(of: url) {
                // Never follow a link out of the spool: the file is refused, not read.
                attempt(name, failed: &failed) {
                    try reject(url, reason: refusal)
                    total.files += 1
                    total.rejected.append(IngestReject(file: url.path, line: nil, reason: refusal))
                }
                continue
            }
            let size = Int64(info.st_size)
            if let (previous, since) = lastSizes[name], previous == size, now.timeIntervalSince(since) >= settleInterval * 0.9 {
                // A file that fails keeps its settled size: after its pause it is taken at once.
                let done = attempt(name, failed: &failed) {
                    try faultSeam?(name)
                    try process(url, into: &total)
                }
                if done { lastSizes[name] = nil }
            } else {
                if lastSizes[name]?.0 != size { lastSizes[name] = (size, now) }
                pending += 1
            }
        }
        lastSizes = lastSizes.filter { seen.contains($0.key) }
        failureLock.lock()
        failing = failing.filter { seen.contains($0.key) }
        failureLock.unlock()
        return pending
    }

    /// Runs `body` for file `name`; a failure is recorded (with the next attempt's time) rather
    /// than thrown, so the look goes on with the other files. Success forgets earlier failures.
    @discardableResult
    private func attempt(_ name: String, failed: inout [SpoolFailure], _ body: () throws -> Void) -> Bool {
        do {
            try body()
            failureLock.lock()
            failing[name] = nil
            failureLock.unlock()
            return true
        } catch {
            let now = Date()
            failureLock.lock()
            var failure = failing[name] ?? SpoolFailure(name: name, attempts: 0, firstFailure: now, lastFailure: now, nextAttempt: now, error: "")
            failure.attempts += 1
            failure.lastFailure = now
            failure.error = (error as? any CallvaultError)?.message ?? String(describing: error)
            failure.nextAttempt = now.addingTimeInterval(min(maxRetryDelay, retryDelay * pow(2, Double(min(failure.attempts - 1, 30)))))
            failing[name] = failure
            failureLock.unlock()
            failed.append(failure)
            return false
        }
    }

    private func failure(of name: String) -> SpoolFailure? {
        failureLock.lock()
        defer { failureLock.unlock() }
        return failing[name]
    }

    func process(_ url: URL, into total: inout IngestSummary, actor: Actor? = nil) throws {
        // A recording's sidecar is read with it: a linked one is refused first, never read.
        if let sidecar = RecordingSidecarParser.sidecarURL(for: url), let refusal = Self.refusal(of: sidecar) {
            try reject(sidecar, reason: refusal)
        }
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

    /// A new, unused place in `spool/incoming/` to receive an upload into. The watcher does not
    /// look at it; `ingestUpload` files it in under its real name.
    public func stagingURL() -> URL {
        archive.layout.incoming.appendingPathComponent("\(SpoolFiles.uploadPrefix)\(UUID().uuidString).part")
    }

    /// Ingests an uploaded file exactly as if a hook had dropped it into the spool: `staged` (a
    /// complete, synced file from `stagingURL()`) is renamed to `name` in `spool/incoming/`,
    /// ingested as `actor`, and filed under `processed/` or `rejected/`. Waits while the watcher
    /// processes another file. A file of the same name waiting in the spool is not replaced:
    /// the upload is refused and `staged` removed.
    public func ingestUpload(_ staged: URL, as name: String, actor: Actor) throws -> IngestSummary {
        defer { unlink(staged.path) }
        try archive.authorize(actor, .ingest)
        if let problem = SpoolFiles.uploadNameProblem(name) {
            throw ArchiveFailure(.badInput, "X-Filename: \(problem)")
        }
        lock.lock()
        defer { lock.unlock() }
        let target = archive.layout.incoming.appendingPathComponent(name)
        // The staged file must be the one this upload wrote: a regular file with one link.
        if let refusal = Self.refusal(of: staged) {
            throw ArchiveFailure(.refused, "the staged upload is \(refusal); upload again")
        }
        // link(2) fails rather than replace a file a hook is writing or has left under that name.
        guard link(staged.path, target.path) == 0 else {
            switch errno {
            case EEXIST:
                throw ArchiveFailure(.refused, "a file named '\(SpoolFiles.masked(String(name.prefix(64))))' is waiting in the spool: retry once it is processed, or upload under another name")
            case ENAMETOOLONG, EINVAL, EILSEQ:
                throw ArchiveFailure(.badInput, "X-Filename: the spool's file system cannot hold this name (\(String(cString: strerror(errno)))); shorten it")
            default:
                throw ArchiveFailure(.internal, "cannot move the upload into the spool: \(String(cString: strerror(errno)))")
            }
        }
        // One name only from here on (the target), so the file is not refused as a hard link.
        unlink(staged.path)
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
        for name in names where name.hasPrefix(SpoolFiles.uploadPrefix) && name.hasSuffix(".part") {
            if unlink(incoming.appendingPathComponent(name).path) == 0 { removed += 1 }
        }
        return removed
    }

    /// Moves an ingested file to `processed/<day>/`, with a reason file when lines were rejected.
    /// A file that holds SMS message text is not kept: only a note of what was ingested (R8).
    func file(_ url: URL, summary: IngestSummary) throws {
        let day = SpoolFiles.dayFormatter.format(archive.clock())
        let folder = archive.layout.processed.appendingPathComponent(day)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = Self.freeName(url.lastPathComponent, in: folder)
        if summary.messageTextFiles.contains(url.path) {
            try writeReason(for: target, reason: "ingested; the raw file held message text and was deleted",
                            lines: summary.rejected, summary: summary, suffix: ".ingested.json")
            try SpoolFiles.destroy(url)
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

    func reject(_ url: URL, reason: String, lines: [IngestReject] = [], carriesMessageText: Bool = false) throws {
        let folder = archive.layout.rejected
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let target = Self.freeName(url.lastPathComponent, in: folder)
        try writeReason(for: target, reason: reason, lines: lines, summary: nil)
        if carriesMessageText {
            // Nothing of it could be used, and its text must not be kept either: a Kannel log or an
            // SMS CSV stays for the operator to fix with every message body overwritten (lengths
            // kept); a file whose text cannot be told from the rest is deleted.
            if (try? KannelLogParser.looksLikeLog(archive.readHead(url))) == true {
                try SpoolFiles.writeRedactedCopy(of: url, to: target)
            } else {
                _ = try SpoolFiles.writeRedactedCSVCopy(of: url, to: target)
            }
            try SpoolFiles.destroy(url)
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
            var filed_at: String
            struct Line: Encodable { var line: Int?; var reason: String }
            struct Kept: Encodable { var calls: Int; var sms: Int; var recordings: Int; var duplicates: Int }
        }
        let value = Reason(
            file: target.lastPathComponent, reason: reason,
            rejected: lines.map { Reason.Line(line: $0.line, reason: $0.reason) },
            kept: summary.map { Reason.Kept(calls: $0.calls, sms: $0.sms, recordings: $0.recordings, duplicates: $0.duplicates) },
            filed_at: archive.clock().formatted(.iso8601))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let url = target.deletingLastPathComponent().appendingPathComponent(Self.noteName(for: target.lastPathComponent, suffix: suffix))
        try encoder.encode(value).write(to: url, options: .atomic)
    }

    /// The name of the note about file `name`: the name's first bytes (at most 32, cut at a
    /// character), `~`, and the first 16 hex digits of the name's SHA-256, then `suffix`
    /// (`.reason.json`, `.ingested.json`). Stable, distinct per name, and always short enough
    /// for the file system, whatever the file's own name; the note's `file` field holds the name.
    public static func noteName(for name: String, suffix: String = ".reason.json") -> String {
        let digest = SHA256.hash(data: Data(name.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return "\(prefix(of: name, bytes: 32))~\(digest)\(suffix)"
    }

    /// The longest leading part of `name` of at most `bytes` UTF-8 bytes, cut between characters.
    static func prefix(of name: String, bytes: Int) -> String {
        var out = ""
        var used = 0
        for character in name {
            let size = character.utf8.count
            if used + size > bytes { break }
            out.append(character)
            used += size
        }
        return out
    }

    /// `name`, or `name.1`, `name.2`, … if taken; a name too long for its `.N` is shortened first,
    /// so every name the file system takes can be filed.
    static func freeName(_ name: String, in folder: URL) -> URL {
        var candidate = folder.appendingPathComponent(name)
        var n = 1
        var info = stat()
        while lstat(candidate.path, &info) == 0 {
            let suffix = ".\(n)"
            candidate = folder.appendingPathComponent(prefix(of: name, bytes: SpoolFiles.maxNameBytes - suffix.utf8.count) + suffix)
            n += 1
        }
        return candidate
    }
}
