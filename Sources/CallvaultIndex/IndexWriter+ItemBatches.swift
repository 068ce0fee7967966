public import Foundation
public import CallvaultModel
import GRDB
import GRDBSQLite

/// Calls and SMS go into `items` a batch at a time: each row is staged in a temporary table
/// (no index, no trigger), then the whole batch is inserted by one statement, and its customer
/// links by one more.
///
/// The triggers on `items` and `item_customers` (hour counts, hold coverage) stay the only
/// keepers of what they keep, on every path. But a statement that fires triggers keeps a
/// statement journal of each page it changes for the first time: one statement per row wrote
/// every index page it touched (about fourteen per call) to that journal again for every row.
/// One statement per batch journals each page once.
extension IndexWriter {
    /// What became of a batch: the ids of the new items, in the order of the batch, and how many
    /// rows met a source key already stored (in the archive or earlier in the batch).
    public struct BatchOutcome: Sendable, Equatable {
        public var inserted: [Int64]
        public var duplicates: Int
    }

    /// A call turned into the values of its row: built off the writer's thread, so the
    /// single SQLite writer only binds and steps.
    public struct PreparedCall: Sendable {
        let texts: [String?]      // bound in the order of `callTextColumns`
        let integers: [Int64?]    // bound in the order of `callIntegerColumns`
        let duration: Double
        let customers: [String]
    }

    /// Prepares `call` for `insert(_:)`; pure, safe on any thread.
    public static func prepare(_ call: Call, retention: RetentionTag, customers: [String], now: Date) -> PreparedCall {
        PreparedCall(
            texts: [call.sourceKey, call.format, call.direction.rawValue, call.from.raw, call.from.e164, call.from.reversedDigits,
                    call.to.raw, call.to.e164, call.to.reversedDigits, call.disposition, call.agent, call.callerName,
                    call.context, call.uniqueID, call.linkedID, json(call.details), call.details["record_file_name"],
                    retention.className],
            integers: [call.start.unixSeconds, call.answer?.unixSeconds, call.end?.unixSeconds, Int64(call.billableSeconds),
                       Schema.storedRetainUntil(retention.until), now.unixSeconds],
            duration: Double(call.durationSeconds), customers: customers)
    }

    /// An SMS turned into the values of its row (identification data only).
    public struct PreparedSMS: Sendable {
        let arguments: StatementArguments   // bound in the order of `smsColumns`
        let customers: [String]
    }

    /// Prepares `sms` for `insert(_:)`; pure, safe on any thread.
    public static func prepare(_ sms: SMSRecord, retention: RetentionTag, customers: [String], now: Date) -> PreparedSMS {
        var details = ["parts": String(sms.parts)]
        if let length = sms.length { details["length"] = String(length) }
        if let smsc = sms.smsc { details["smsc"] = smsc }
        return PreparedSMS(arguments: [
            sms.sourceKey, sms.format, sms.time.unixSeconds, sms.direction.rawValue,
            sms.from.raw, sms.from.e164, sms.from.reversedDigits, sms.to.raw, sms.to.e164, sms.to.reversedDigits,
            sms.status, sms.messageID, json(details), Schema.storedRetainUntil(retention.until), retention.className, now.unixSeconds,
        ], customers: customers)
    }

    static let callTextColumns = ["source_key", "format", "direction", "from_raw", "from_e164", "from_rev", "to_raw", "to_e164",
                                  "to_rev", "disposition", "agent", "caller_name", "context", "pbx_unique_id", "linked_id",
                                  "details", "recording_file", "retention_class"]
    static let callIntegerColumns = ["start_utc", "answer_utc", "end_utc", "billsec", "retain_until", "ingested_at"]
    static let callColumns = callTextColumns + callIntegerColumns + ["duration_s"]
    static let smsColumns = ["source_key", "format", "start_utc", "direction", "from_raw", "from_e164", "from_rev", "to_raw",
                             "to_e164", "to_rev", "disposition", "pbx_unique_id", "details", "retain_until", "retention_class",
                             "ingested_at"]

    /// Inserts the calls whose source keys are not stored yet, and links each new one to its customers.
    ///
    /// The hot path of CDR ingest: values are bound straight to SQLite (no boxing into
    /// `StatementArguments`), text without copying.
    public func insert(_ calls: [PreparedCall]) throws -> BatchOutcome {
        guard !calls.isEmpty else { return BatchOutcome(inserted: [], duplicates: 0) }
        let first = try stageBatch()
        let statement = try db.cachedStatement(sql: Self.stagingSQL(kind: .call, columns: Self.callColumns))
        let raw = statement.sqliteStatement
        for (offset, call) in calls.enumerated() {
            sqlite3_reset(raw)
            sqlite3_bind_int64(raw, 1, first + Int64(offset))
            var index: Int32 = 2
            for text in call.texts {
                if var text {
                    text.withUTF8 { bytes in
                        _ = sqlite3_bind_text(raw, index, UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self),
                                              Int32(bytes.count), Self.transient)
                    }
                } else {
                    sqlite3_bind_null(raw, index)
                }
                index += 1
            }
            for integer in call.integers {
                if let integer { sqlite3_bind_int64(raw, index, integer) } else { sqlite3_bind_null(raw, index) }
                index += 1
            }
            sqlite3_bind_double(raw, index, call.duration)
            let status = sqlite3_step(raw)
            guard status == SQLITE_DONE else {
                sqlite3_reset(raw)
                throw IndexError.database("staging a call failed: \(String(cString: sqlite3_errstr(status)))")
            }
            try stageLinks(of: first + Int64(offset), customers: call.customers)
        }
        sqlite3_reset(raw)
        return try insertStaged(from: first, count: calls.count, columns: Self.callColumns)
    }

    /// Inserts the SMS whose source keys are not stored yet, and links each new one to its customers.
    public func insert(_ messages: [PreparedSMS]) throws -> BatchOutcome {
        guard !messages.isEmpty else { return BatchOutcome(inserted: [], duplicates: 0) }
        let first = try stageBatch()
        let statement = try db.cachedStatement(sql: Self.stagingSQL(kind: .sms, columns: Self.smsColumns))
        for (offset, message) in messages.enumerated() {
            statement.setUncheckedArguments([first + Int64(offset)] + message.arguments)
            try statement.execute()
            try stageLinks(of: first + Int64(offset), customers: message.customers)
        }
        return try insertStaged(from: first, count: messages.count, columns: Self.smsColumns)
    }

    /// SQLite's SQLITE_TRANSIENT: it copies bound text before the call returns.
    static let transient = unsafeBitCast(Int(-1), to: sqlite3_destructor_type.self)

    /// Makes sure the staging tables exist (temporary: this connection's; `insertStaged` empties
    /// them, and a failed batch's rows roll back with its transaction); returns the id the
    /// batch's first row takes.
    private func stageBatch() throws -> Int64 {
        try db.execute(sql: """
            CREATE TEMP TABLE IF NOT EXISTS staged_items (id INTEGER PRIMARY KEY, kind, \(Self.callColumns.joined(separator: ", ")));
            CREATE TEMP TABLE IF NOT EXISTS staged_links (item_id INTEGER NOT NULL, customer_id NOT NULL);
            """)
        return try Int64.fetchOne(db.cachedStatement(sql: "SELECT \(Schema.nextItemID)")) ?? 1
    }

    static func stagingSQL(kind: ItemKind, columns: [String]) -> String {
        "INSERT INTO temp.staged_items (id, kind, \(columns.joined(separator: ", "))) VALUES (?, '\(kind.rawValue)'\(String(repeating: ", ?", count: columns.count)))"
    }

    private func stageLinks(of item: Int64, customers: [String]) throws {
        guard !customers.isEmpty else { return }
        let statement = try db.cachedStatement(sql: "INSERT INTO temp.staged_links (item_id, customer_id) VALUES (?, ?)")
        for customer in customers {
            try statement.execute(arguments: [item, customer])
        }
    }

    /// Moves the staged rows into `items` in id order (a source key already stored, or staged
    /// earlier, is skipped), links the new items to their customers, and empties the staging
    /// tables: no copy of a number stays behind on the connection (an erasure could not reach it).
    private func insertStaged(from first: Int64, count: Int, columns: [String]) throws -> BatchOutcome {
        let list = columns.joined(separator: ", ")
        try db.cachedStatement(sql: """
            INSERT INTO main.items (id, kind, \(list)) SELECT id, kind, \(list) FROM temp.staged_items WHERE true ORDER BY id
            ON CONFLICT (source_key) DO NOTHING
            """).execute()
        // A staged id is in `items` only if its row went in: every staged id is above all ids before.
        try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO main.item_customers (customer_id, item_id)
            SELECT l.customer_id, l.item_id FROM temp.staged_links l CROSS JOIN main.items i ON i.id = l.item_id ORDER BY l.item_id
            """).execute()
        let inserted = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM main.items WHERE id >= ? ORDER BY id"), arguments: [first])
        try db.execute(sql: "DELETE FROM temp.staged_items; DELETE FROM temp.staged_links;")
        return BatchOutcome(inserted: inserted, duplicates: count - inserted.count)
    }
}
