public import CallvaultModel

/// What an ingest did (CLI.md's ingest JSON).
public struct IngestSummary: Sendable, Equatable {
    public var files = 0
    public var calls = 0
    public var sms = 0
    public var recordings = 0
    public var duplicates = 0
    public var rejected: [CallvaultModel.IngestReject] = []
    /// Recordings stored with a warning about their header.
    public var warnings: [CallvaultModel.IngestReject] = []
    /// Files whose raw form holds SMS message text: the spool must not keep them (R8).
    public var messageTextFiles: [String] = []

    public init() {}
}

/// What a customers import did.
public struct CustomerImportSummary: Sendable, Equatable {
    public var customers = 0
    public var numbers = 0
    public var relinked = 0
    /// Items whose retain-until date changed (a relationship ended or resumed, links changed).
    public var retentionChanged = 0
    public var rejected: [CallvaultModel.IngestReject] = []

    public init() {}
}

/// What `recording extract` wrote.
public struct ExtractSummary: Sendable, Equatable {
    public var id: CallvaultModel.ItemID
    public var sha256: String
    public var bytes: Int64
}

/// What `verify` found and, with repair, what it healed or moved to quarantine. Repair never
/// deletes a blob: what it cannot heal from a source goes to `quarantine/`.
public struct VerifyReport: Sendable, Equatable {
    /// Blobs in the store when the check ran.
    public var blobs = 0
    /// Recordings whose blob does not match its SHA-256 (item ids), as found.
    public var corrupt: [String] = []
    /// Recordings whose blob is not in the store (item ids), as found.
    public var missing: [String] = []
    /// Blobs no index row names, as found.
    public var orphans = 0
    /// Their SHA-256s.
    public var orphanBlobs: [String] = []
    /// Recordings whose blob repair stored again from a source that hashes to it (item ids).
    public var restored: [String] = []
    /// Blobs (orphans, quarantined) whose recording repair re-ingested from a source, so that
    /// the item and its links are back (SHA-256s).
    public var relinked: [String] = []
    /// What this run moved to quarantine.
    public var quarantinedNow: [QuarantineEntry] = []
    /// Quarantine entries this run released because the store holds a verified, indexed copy again.
    public var released: [String] = []
    /// What the quarantine holds after the run.
    public var quarantine = QuarantineListing()
    /// Files in `tmp/` (leftovers of killed writes are removed when the archive is opened by
    /// its only user; what is counted here belongs to a write in progress elsewhere, or could not go).
    public var temporaries = 0

    public init() {}

    /// Corrupt recordings repair did not restore.
    public var stillCorrupt: [String] { corrupt.filter { !restored.contains($0) } }
    /// Missing recordings repair did not restore.
    public var stillMissing: [String] { missing.filter { !restored.contains($0) } }
    /// Orphans repair did not re-link (they are in quarantine after a repair).
    public var stillOrphaned: [String] { orphanBlobs.filter { !relinked.contains($0) } }

    /// True only when nothing is corrupt, missing, orphaned or quarantined.
    public var isClean: Bool { stillCorrupt.isEmpty && stillMissing.isEmpty && stillOrphaned.isEmpty && quarantine.isEmpty }
}

/// Receives progress of long operations; the CLI's terminal reporter draws it, others ignore it.
public protocol ProgressReporter: Sendable {
    /// Called now and then with the running totals.
    func update(_ summary: IngestSummary, bytesRead: Int64)
    /// Called once at the end.
    func finish()
}

/// A reporter that shows nothing (for `--json`, pipes and tests).
public struct SilentProgress: ProgressReporter {
    public init() {}
    public func update(_ summary: IngestSummary, bytesRead: Int64) {}
    public func finish() {}
}
