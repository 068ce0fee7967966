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

/// What `verify` found (and, with repair, removed).
public struct VerifyReport: Sendable, Equatable {
    public var blobs = 0
    public var corrupt: [String] = []
    public var missing: [String] = []
    public var orphans = 0
    public var removedOrphans = 0
    public var staleTemporaries = 0

    public init() {}
    public var isClean: Bool { corrupt.isEmpty && missing.isEmpty && orphans == 0 }
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
