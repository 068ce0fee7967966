import Foundation
import CallvaultAudit
import CallvaultModel

/// Anchors the processing log's head outside the archive: appends a signed line (sequence,
/// keyed hash, switch point, time) to the anchor file once `every` entries were committed since
/// the last anchor, on the first commit after `interval` with entries waiting, and whenever
/// asked (`anchorPending`: the end of a CLI command, the service's hourly tick, shutdown).
/// Anchoring happens only after the entries' transaction committed, so no anchor names a head
/// that rolled back.
final class AuditAnchoring: @unchecked Sendable {
    let key: AuditKey
    let file: URL
    let every: Int64
    let interval: TimeInterval
    let clock: @Sendable () -> Date
    private let lock = NSLock()
    /// The newest committed entry this process saw, and the newest one anchored.
    private var newest: (sequence: Int64, hash: String)?
    private var anchoredSequence: Int64 = 0
    private var lastAnchorTime: Date
    /// From which entry the chain is keyed: written into every anchor.
    private var keyedFrom: Int64 = 1

    init(key: AuditKey, file: URL, every: Int64, interval: TimeInterval, clock: @escaping @Sendable () -> Date) {
        self.key = key
        self.file = file
        self.every = max(1, every)
        self.interval = interval
        self.clock = clock
        lastAnchorTime = Date()
    }

    /// Sets the switch point written into anchors (once the archive adopted its key store).
    func start(keyedFrom: Int64, anchoredUpTo sequence: Int64) {
        lock.withLock {
            self.keyedFrom = keyedFrom
            anchoredSequence = max(anchoredSequence, sequence)
        }
    }

    /// Called after a transaction that appended `entry` (its newest) committed.
    func committed(_ entry: AuditEntry) {
        lock.withLock {
            if entry.sequence > newest?.sequence ?? 0 { newest = (entry.sequence, entry.hash) }
            let waiting = (newest?.sequence ?? 0) - anchoredSequence
            guard waiting >= every || (waiting > 0 && Date().timeIntervalSince(lastAnchorTime) >= interval) else { return }
            // A failure here (a full disk) leaves the entries waiting: the next commit, the end of
            // the command or the service's tick tries again and reports it.
            _ = try? anchorLocked()
        }
    }

    /// Anchors the newest committed entry if it is not anchored yet.
    /// - Returns: the anchor written, or nil when nothing was waiting.
    @discardableResult
    func anchorPending() throws -> AuditAnchor? {
        try lock.withLock { try anchorLocked() }
    }

    /// Appends an anchor of `sequence` and `hash` now (the head when keying starts).
    func anchor(sequence: Int64, hash: String, keyedFrom: Int64) throws {
        try write(AuditAnchor(sequence: sequence, hash: hash, keyedFrom: keyedFrom, time: clock()))
    }

    private func anchorLocked() throws -> AuditAnchor? {
        guard let newest, newest.sequence > anchoredSequence else { return nil }
        let anchor = AuditAnchor(sequence: newest.sequence, hash: newest.hash, keyedFrom: keyedFrom, time: clock())
        try write(anchor)
        anchoredSequence = newest.sequence
        lastAnchorTime = Date()
        return anchor
    }

    private func write(_ anchor: AuditAnchor) throws {
        do {
            try DurableFile.append(Data((anchor.line(signedWith: key) + "\n").utf8), to: file, mode: 0o600)
        } catch let error as ArchiveFailure {
            throw ArchiveFailure(.internal, "cannot anchor the audit log in \(file.path) (\(error.message)); check the anchor file (--anchor-file or $CALLVAULT_ANCHOR_FILE)")
        }
    }

    /// This archive's anchors in the file, and the lines naming it whose signature fails.
    func read() throws -> (anchors: [AuditAnchor], alteredLines: [Int]) {
        guard FileManager.default.fileExists(atPath: file.path) else { return ([], []) }
        let text: String
        do { text = try String(contentsOf: file, encoding: .utf8) } catch {
            throw ArchiveFailure(.internal, "cannot read the anchor file \(file.path): \(error.localizedDescription)")
        }
        var anchors: [AuditAnchor] = [], altered: [Int] = []
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            switch AuditAnchor.read(line, key: key) {
            case .anchor(let anchor): anchors.append(anchor)
            case .altered: altered.append(number + 1)
            case .otherArchive: break
            }
        }
        return (anchors, altered)
    }
}
