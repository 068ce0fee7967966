public import Foundation

/// The log's head as it was at one moment, written outside the archive (an append-only anchor
/// file): a later rewrite or cut of the log cannot match it. Each anchor line is signed with
/// the chain key, so it cannot be forged or edited without the key.
public struct AuditAnchor: Sendable, Equatable {
    /// The sequence number of the newest entry (0 for an empty log).
    public var sequence: Int64
    /// That entry's hash (the genesis hash for an empty log).
    public var hash: String
    /// The first entry sealed with the chain key; entries before it were plain SHA-256 (archives
    /// from before keyed chains).
    public var keyedFrom: Int64
    /// When the anchor was written (to the second).
    public var time: Date

    /// An anchor of entry `sequence` with hash `hash`, in a chain keyed from `keyedFrom`.
    public init(sequence: Int64, hash: String, keyedFrom: Int64, time: Date) {
        self.sequence = sequence
        self.hash = hash
        self.keyedFrom = keyedFrom
        self.time = time
    }

    static let marker = "callvault-anchor"
    static let version = "v1"

    /// `callvault-anchor v1 <archive tag> <sequence> <hash> <keyed from> <time> <mac>`: one line,
    /// the MAC under `key` covering everything before it.
    public func line(signedWith key: AuditKey) -> String {
        let body = [Self.marker, Self.version, key.archiveTag, String(sequence), hash, String(keyedFrom),
                    time.formatted(.iso8601)].joined(separator: " ")
        return body + " " + key.mac(body)
    }

    /// What one line of an anchor file says to the archive holding `key`.
    public enum Reading: Sendable, Equatable {
        /// A valid anchor of this archive.
        case anchor(AuditAnchor)
        /// A line of another archive sharing the file (or an empty line): not ours to check.
        case otherArchive
        /// A line naming this archive whose signature does not match: it was edited or forged.
        case altered
    }

    /// Reads one line of an anchor file.
    public static func read(_ line: Substring, key: AuditKey) -> Reading {
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard fields.count >= 3, fields[0] == marker, fields[2] == key.archiveTag else { return .otherArchive }
        guard fields.count == 8, fields[1] == version,
              key.mac(fields[0..<7].joined(separator: " ")) == fields[7],
              let sequence = Int64(fields[3]), let keyedFrom = Int64(fields[5]),
              let time = try? Date(String(fields[6]), strategy: .iso8601) else { return .altered }
        return .anchor(AuditAnchor(sequence: sequence, hash: String(fields[4]), keyedFrom: keyedFrom, time: time))
    }
}

/// What `audit verify` checks a keyed log against: the chain key and the anchors read from the
/// anchor file (outside the archive).
public struct AuditKeying: Sendable {
    public var key: AuditKey
    /// From which entry the index says the chain is keyed (nil: it records none).
    public var storedKeyedFrom: Int64?
    /// This archive's anchors, in file order.
    public var anchors: [AuditAnchor]
    /// Line numbers (1-based) of anchor lines naming this archive whose signature fails.
    public var alteredLines: [Int]
    /// The anchor file, for messages.
    public var anchorFile: String

    /// What to check a keyed log against (`storedKeyedFrom` is filled in from the index).
    public init(key: AuditKey, storedKeyedFrom: Int64?, anchors: [AuditAnchor], alteredLines: [Int], anchorFile: String) {
        self.key = key
        self.storedKeyedFrom = storedKeyedFrom
        self.anchors = anchors
        self.alteredLines = alteredLines
        self.anchorFile = anchorFile
    }
}
