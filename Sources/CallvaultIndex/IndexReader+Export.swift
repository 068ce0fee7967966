public import Foundation
public import CallvaultModel
public import CallvaultAudit
import GRDB

/// A customer as an access export shows them.
public struct ExportCustomer: Sendable, Equatable {
    public var id: String
    public var name: String
    /// (as written, E.164) for every number on file.
    public var numbers: [(raw: String, e164: String)]
    public var relationshipEnded: Date?
    /// Active restrictions: reason, since when, and the request that placed it, if any.
    public var restrictions: [(reason: String, since: Date, request: Int64?)]

    public static func == (lhs: ExportCustomer, rhs: ExportCustomer) -> Bool {
        lhs.id == rhs.id && lhs.name == rhs.name && lhs.numbers.map(\.e164) == rhs.numbers.map(\.e164)
            && lhs.relationshipEnded == rhs.relationshipEnded && lhs.restrictions.map(\.reason) == rhs.restrictions.map(\.reason)
    }
}

/// Every stored field of one item linked to a customer, for the access export.
public struct ExportRow: Sendable {
    public var id: ItemID
    public var sourceFormat: String
    public var start: Date
    public var answer: Date?
    public var end: Date?
    public var direction: String?
    public var fromRaw: String?
    public var fromE164: String?
    public var toRaw: String?
    public var toE164: String?
    public var durationSeconds: Double
    public var billableSeconds: Int64?
    public var disposition: String?
    public var agent: String?
    public var callerName: String?
    public var context: String?
    public var uniqueID: String?
    public var linkedID: String?
    /// The stored `details` JSON object (source fields, SMS parts and status time, sidecar tags).
    public var details: String
    public var ingestedAt: Date
    public var retentionClass: String?
    /// nil while a linked customer relationship lasts.
    public var retainUntil: Date?
    /// For a call: its recording.
    public var recording: ItemID?
    /// For a recording: its stored form and the call it belongs to.
    public var blob: BlobDetail?
    public var call: ItemID?
    public var recordingType: String?
    public var queue: String?
}

extension IndexReader {
    /// The customer with their numbers and active restrictions, or nil.
    public func exportCustomer(_ id: String) throws -> ExportCustomer? {
        guard let row = try Row.fetchOne(db, sql: "SELECT id, name, relationship_ended FROM customers WHERE id = ?", arguments: [id]) else {
            return nil
        }
        let numbers = try Row.fetchAll(db, sql: "SELECT raw, e164 FROM customer_numbers WHERE customer_id = ? ORDER BY e164", arguments: [id])
            .map { (raw: $0[0] as String, e164: $0[1] as String) }
        let restrictions = try Row.fetchAll(db, sql: """
            SELECT reason, placed_at, request_id FROM restrictions WHERE customer_id = ? AND lifted_at IS NULL ORDER BY id
            """, arguments: [id]).map { (reason: $0[0] as String, since: Date(unixSeconds: $0[1]), request: $0[2] as Int64?) }
        return ExportCustomer(id: row["id"], name: row["name"],
                              numbers: numbers, relationshipEnded: (row["relationship_ended"] as Int64?).map(Date.init(unixSeconds:)),
                              restrictions: restrictions)
    }

    /// How many of the customer's items are restricted (by their own or another linked customer's restriction).
    public func restrictedItemCount(ofCustomer id: String) throws -> Int {
        try Int.fetchOne(db, sql: """
            SELECT count(*) FROM item_customers c JOIN items i ON i.id = c.item_id WHERE c.customer_id = ? AND \(PolicyConditions.restricted)
            """, arguments: [id]) ?? 0
    }

    /// The rowids of the customer's items by kind, ascending.
    public func itemNumbers(ofCustomer id: String) throws -> [ItemKind: [Int64]] {
        var numbers: [ItemKind: [Int64]] = [:]
        for row in try Row.fetchAll(db, sql: """
            SELECT i.kind, i.id FROM item_customers c JOIN items i ON i.id = c.item_id WHERE c.customer_id = ? ORDER BY i.id
            """, arguments: [id]) {
            if let kind = ItemKind(rawValue: row[0]) { numbers[kind, default: []].append(row[1]) }
        }
        return numbers
    }

    /// Streams the customer's items of `kind`, oldest first, with every stored field; memory
    /// stays flat however many there are (a cursor, one row at a time).
    public func forEachExportRow(ofCustomer id: String, kind: ItemKind, _ body: (ExportRow) throws -> Void) throws {
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT i.*, r.sha256, r.bytes AS blob_bytes, r.stored_bytes, r.codec, r.sample_rate, r.channels, r.bits,
                   r.audio_duration_s, r.warning, r.file_name, r.recording_type, r.queue AS recording_queue, r.call_item_id,
                   (SELECT min(r2.item_id) FROM recordings r2 WHERE r2.call_item_id = i.id) AS call_recording
            FROM item_customers c JOIN items i ON i.id = c.item_id
            LEFT JOIN recordings r ON r.item_id = i.id
            WHERE c.customer_id = ? AND i.kind = ?
            ORDER BY i.start_utc, i.id
            """, arguments: [id, kind.rawValue])
        while let row = try cursor.next() {
            try body(Self.exportRow(row, kind: kind))
        }
    }

    static func exportRow(_ row: Row, kind: ItemKind) -> ExportRow {
        let number: Int64 = row["id"]
        var blob: BlobDetail?
        if let sha: String = row["sha256"] {
            blob = BlobDetail(sha256: sha, bytes: row["blob_bytes"], storedBytes: row["stored_bytes"],
                              audio: AudioInfo(codec: row["codec"], sampleRate: row["sample_rate"], channels: row["channels"],
                                               bitsPerSample: row["bits"], durationSeconds: row["audio_duration_s"], warning: row["warning"]),
                              fileName: row["file_name"])
        }
        return ExportRow(
            id: ItemID(kind: kind, number: number), sourceFormat: row["format"], start: Date(unixSeconds: row["start_utc"]),
            answer: (row["answer_utc"] as Int64?).map(Date.init(unixSeconds:)), end: (row["end_utc"] as Int64?).map(Date.init(unixSeconds:)),
            direction: row["direction"], fromRaw: row["from_raw"], fromE164: row["from_e164"], toRaw: row["to_raw"], toE164: row["to_e164"],
            durationSeconds: row["duration_s"], billableSeconds: row["billsec"], disposition: row["disposition"], agent: row["agent"],
            callerName: row["caller_name"], context: row["context"], uniqueID: row["pbx_unique_id"], linkedID: row["linked_id"],
            details: row["details"] ?? "{}", ingestedAt: Date(unixSeconds: row["ingested_at"]), retentionClass: row["retention_class"],
            retainUntil: Schema.retainUntil(stored: row["retain_until"]),
            recording: (row["call_recording"] as Int64?).map { ItemID(kind: .recording, number: $0) },
            blob: blob, call: (row["call_item_id"] as Int64?).map { ItemID(kind: .call, number: $0) },
            recordingType: row["recording_type"], queue: row["recording_queue"])
    }

    /// Streams the allowed audit entries that may be consultations: the given read actions, or
    /// any entry that declared a purpose; oldest first.
    public func forEachConsultationCandidate(actions: [String], _ body: (AuditEntry) throws -> Void) throws {
        let marks = Array(repeating: "?", count: actions.count).joined(separator: ",")
        let cursor = try Row.fetchCursor(db, sql: """
            SELECT * FROM audit_log WHERE outcome = 'allowed' AND (action IN (\(marks.isEmpty ? "NULL" : marks)) OR purpose IS NOT NULL)
            ORDER BY seq
            """, arguments: StatementArguments(actions))
        while let row = try cursor.next() {
            try body(Self.auditEntry(row))
        }
    }
}
