public import Foundation

/// A blob `verify --repair` moved aside instead of deleting it: the stored file, as it was, at
/// `quarantine/<id>.blob`, and this report at `quarantine/<id>.json` saying why, when, by whom,
/// and what the archive knew of it then.
public struct QuarantineEntry: Sendable, Equatable, Codable {
    /// Why a blob was quarantined.
    public enum Reason: String, Sendable, Codable {
        /// No index row refers to it (a crash cut the index, say); its bytes are intact.
        case orphan
        /// Its bytes no longer match their SHA-256 (or cannot be read).
        case corrupt
    }

    /// `q-<UTC time>-<first 12 hex digits of the SHA-256>`: names the two files.
    public var id: String
    /// The blob's name: SHA-256 of the original recording.
    public var sha256: String
    public var reason: Reason
    /// What the check found, in words.
    public var detail: String
    public var quarantinedAt: Date
    /// Who ran the repair.
    public var by: String
    /// Size of the stored file.
    public var storedBytes: Int64
    /// Size of the original recording, when the store or the index knew it.
    public var originalBytes: Int64?
    /// The recordings whose index rows named this blob (none for an orphan).
    public var items: [String]
    /// The latest retain-until of those items: once every one of them is gone (expired or
    /// erased), expiry removes the entry.
    public var retainUntil: Date?
    /// Holds that covered those items when the blob was quarantined.
    public var holds: [String]

    /// The quarantined blob file's name in `quarantine/`.
    public var fileName: String { "\(id).blob" }
    /// The report's name in `quarantine/`.
    public var reportName: String { "\(id).json" }

    enum CodingKeys: String, CodingKey {
        case id, sha256, reason, detail
        case quarantinedAt = "quarantined_at"
        case by
        case storedBytes = "stored_bytes"
        case originalBytes = "original_bytes"
        case items
        case retainUntil = "retain_until"
        case holds
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}

/// What the quarantine holds: its entries and files it cannot account for.
public struct QuarantineListing: Sendable, Equatable {
    /// Entries with a readable report, oldest first.
    public var entries: [QuarantineEntry] = []
    /// Ids of entries whose report exists but whose blob file does not (a repair stopped between
    /// writing the report and moving the blob: the next `verify --repair` completes the move).
    public var withoutFile: Set<String> = []
    /// Files in `quarantine/` with no readable report (left alone; shown so someone looks).
    public var unexplained: [String] = []

    public init() {}

    /// Whether the quarantine holds anything at all.
    public var isEmpty: Bool { entries.isEmpty && unexplained.isEmpty }
}

/// What `quarantine purge` did: entries removed and entries kept, with why.
public struct QuarantinePurge: Sendable, Equatable {
    public var purged: [QuarantineEntry] = []
    public var kept: [(entry: QuarantineEntry, reason: String)] = []
    public var dryRun = false

    public init() {}

    public static func == (a: QuarantinePurge, b: QuarantinePurge) -> Bool {
        a.purged == b.purged && a.dryRun == b.dryRun && a.kept.map { $0.entry } == b.kept.map { $0.entry } && a.kept.map { $0.reason } == b.kept.map { $0.reason }
    }
}
