public import Foundation
public import CallvaultModel
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

    /// Creates a watcher for `archive`'s spool, ingesting as `actor` (a service identity).
    public init(archive: Archive, actor: Actor, settleInterval: TimeInterval = 0.2) {
        self.archive = archive
        self.actor = actor
        self.settleInterval = settleInterval
    }

    /// Processes every complete file now in the spool; waits briefly for files still settling.
    public func drain() throws -> IngestSummary {
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
    public func look() throws -> (summary: IngestSummary, pending: Int) {
        var summary = IngestSummary()
        let pending = try scan(&summary)
        return (summary, pending)
    }

    /// One look at the spool. Returns how many files are not yet complete.
    @discardableResult
    func scan(_ total: inout IngestSummary) throws -> Int {
        let incoming = archive.layout.incoming
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: incoming.path)) ?? []).sorted()
        var pending = 0
        var seen = Set<String>()
        for name in names where !name.hasPrefix(".") {
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

    func process(_ url: URL, into total: inout IngestSummary) throws {
        let summary = try archive.ingest([url], actor: actor)
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
