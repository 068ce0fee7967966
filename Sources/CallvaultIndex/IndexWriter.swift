public import Foundation
public import CallvaultModel
public import CallvaultAudit
import GRDB
import GRDBSQLite

/// Writes within one transaction of `ArchiveIndex.write`.
public struct IndexWriter {
    let db: Database
    /// The chain key new audit entries are sealed with (nil: plain SHA-256, for archives that
    /// have not adopted a key store yet and for writers that never append).
    var auditKey: AuditKey? = nil
    /// Collects the newest entry appended in this transaction, for `ArchiveIndex`'s commit hook.
    var appended: AppendedAudit? = nil

    /// Whether an insert created a new item or met an existing source key.
    public enum InsertOutcome: Sendable, Equatable {
        case inserted(ItemID)
        case duplicate(ItemID)
    }

    /// The id of the newest item (0 when empty); items after it are new in this transaction.
    public func lastItemNumber() throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT coalesce(max(id), 0) FROM items") ?? 0
    }

    /// Records blob `sha256`'s new size in the store on every recording that names it.
    /// - Returns: how many recordings name it (0: none does any more; the blob is not wanted).
    public func setStoredBytes(of sha256: String, to storedBytes: Int64) throws -> Int {
        try db.execute(sql: "UPDATE recordings SET stored_bytes = ? WHERE sha256 = ?", arguments: [storedBytes, sha256])
        return db.changesCount
    }

    /// What became of a delivery report.
    public enum ReportOutcome: Equatable, Sendable {
        /// It set (or confirmed) the status of this SMS.
        case applied(ItemID)
        /// Its message id names no SMS yet: it is kept and applied when one arrives.
        case kept
        /// It has no message id and no SMS of its SMSC, sender and recipient was sent in the
        /// week before it.
        case unmatched
    }

    /// The sent SMS with message id `?`.
    static let sentMessageSQL = """
        SELECT id FROM items INDEXED BY items_sms_message_id WHERE kind = 'sms' AND pbx_unique_id = ? AND direction = 'outbound'
        """

    /// How far before a report without a message id its message is looked for.
    public static let reportMatchWindow: Int64 = 7 * 86_400

    /// Applies a delivery report to the SMS with its message id. When no SMS has that id (the
    /// gateway logged the message without one) or the report has none, the report goes to the
    /// oldest outbound SMS of the same SMSC, sender and recipient sent in the week before it that
    /// no report with an id has claimed yet (a report without an id: that no report has
    /// reached yet); a report with an id then gives the SMS that id. A report with an id that
    /// matches nothing is kept and applied when its SMS arrives.
    ///
    /// A report is one line in two of a Kannel log: its statements are prepared once per
    /// connection (cached), not once per report.
    @discardableResult
    public func apply(_ update: SMSStatusUpdate) throws -> ReportOutcome {
        if let messageID = update.messageID {
            // INDEXED BY: left to itself, SQLite reads every SMS through `items_kind_start`.
            let select = try db.cachedStatement(sql: Self.sentMessageSQL)
            let ids = try Int64.fetchAll(select, arguments: [messageID])
            if !ids.isEmpty {
                for id in ids { try setStatus(item: id, status: update.status, time: update.time) }
                return .applied(ItemID(kind: .sms, number: ids[0]))
            }
        }
        if let from = update.from, let to = update.to {
            // Sought by recipient and time (`items_to_rev_start`): the sender is mostly the
            // company's own number, the recipient a customer's.
            let candidates = try db.cachedStatement(sql: """
                SELECT id FROM items INDEXED BY items_to_rev_start
                WHERE to_rev = ?7 AND kind = 'sms' AND direction = 'outbound' AND from_e164 = ?1 AND to_e164 = ?2
                  AND coalesce(json_extract(details, '$.smsc'), '') = ?3 AND pbx_unique_id IS NULL
                  AND start_utc BETWEEN ?4 - ?5 AND ?4 + 1
                  AND (?6 OR json_extract(details, '$.status_time') IS NULL)
                ORDER BY start_utc, id LIMIT 1
                """)
            let claiming = update.messageID != nil
            if let id = try Int64.fetchOne(candidates, arguments: [from, to, update.smsc ?? "", update.time.unixSeconds,
                                                                    Self.reportMatchWindow, claiming, PhoneNumber.reversedDigits(of: to)]) {
                if let messageID = update.messageID {
                    try db.cachedStatement(sql: "UPDATE items SET pbx_unique_id = ? WHERE id = ?").execute(arguments: [messageID, id])
                }
                try setStatus(item: id, status: update.status, time: update.time)
                return .applied(ItemID(kind: .sms, number: id))
            }
        }
        guard let messageID = update.messageID else {
            // Re-ingested: its message exists and has been reported on already.
            let reported = try db.cachedStatement(sql: """
                SELECT id FROM items INDEXED BY items_to_rev_start
                WHERE to_rev = ?6 AND kind = 'sms' AND direction = 'outbound' AND from_e164 = ?1 AND to_e164 = ?2
                  AND coalesce(json_extract(details, '$.smsc'), '') = ?3 AND start_utc BETWEEN ?4 - ?5 AND ?4 + 1 LIMIT 1
                """)
            if let from = update.from, let to = update.to,
               let id = try Int64.fetchOne(reported, arguments: [from, to, update.smsc ?? "", update.time.unixSeconds, Self.reportMatchWindow,
                                                                 PhoneNumber.reversedDigits(of: to)]) {
                return .applied(ItemID(kind: .sms, number: id))
            }
            return .unmatched
        }
        let keep = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO sms_pending_status (source_key, message_id, status, time_utc, smsc, from_e164, to_e164)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        try keep.execute(arguments: [update.sourceKey, messageID, update.status, update.time.unixSeconds, update.smsc ?? "", update.from, update.to])
        return .kept
    }

    /// Applies kept delivery reports to SMS inserted after item `after`: to the SMS with the
    /// report's message id, or else (the gateway logged the message without an id) to the oldest
    /// such outbound SMS without an id of the report's SMSC, sender and recipient sent in the week
    /// before the report, which then takes the id.
    public func applyPendingStatuses(insertedAfter after: Int64) throws {
        let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM sms_pending_status") ?? 0
        guard pending > 0 else { return }
        // Driven by the new messages (a batch), not by every kept report: reports wait for
        // messages that may never come, and a log of a million lines holds hundreds of batches.
        let rows = try Row.fetchAll(db, sql: Self.reportsOfNewMessagesSQL, arguments: [after])
        for row in rows {
            try setStatus(item: row[0], status: row[1], time: Date(unixSeconds: row[2]))
            try db.execute(sql: "DELETE FROM sms_pending_status WHERE source_key = ?", arguments: [row[3] as String])
        }
        // Reports of messages logged without an id, oldest report first, each claiming one SMS:
        // only reports whose sender and recipient are those of a new message logged without one.
        let unclaimed = try Row.fetchAll(db, sql: """
            SELECT p.source_key, p.message_id, p.status, p.time_utc, p.smsc, p.from_e164, p.to_e164
            FROM (SELECT DISTINCT from_e164, to_e164 FROM items NOT INDEXED
                  WHERE id > ? AND kind = 'sms' AND direction = 'outbound' AND pbx_unique_id IS NULL
                    AND from_e164 IS NOT NULL AND to_e164 IS NOT NULL) AS n
            CROSS JOIN sms_pending_status p INDEXED BY sms_pending_status_parties ON p.from_e164 = n.from_e164 AND p.to_e164 = n.to_e164
            ORDER BY p.time_utc, p.source_key
            """, arguments: [after])
        for row in unclaimed {
            let time: Int64 = row[3]
            let messageID: String = row[1]
            // An earlier report of the same message may have given it the id already.
            let claimed = try Int64.fetchOne(db, sql: """
                SELECT id FROM items INDEXED BY items_sms_message_id WHERE kind = 'sms' AND direction = 'outbound' AND pbx_unique_id = ?
                """,
                                             arguments: [messageID])
                ?? Int64.fetchOne(db, sql: """
                SELECT id FROM items INDEXED BY items_to_rev_start
                WHERE to_rev = ?7 AND kind = 'sms' AND direction = 'outbound' AND from_e164 = ?1 AND to_e164 = ?2
                  AND coalesce(json_extract(details, '$.smsc'), '') = ?3 AND pbx_unique_id IS NULL
                  AND start_utc BETWEEN ?4 - ?5 AND ?4 + 1 AND id > ?6
                ORDER BY start_utc, id LIMIT 1
                """, arguments: [row[5] as String, row[6] as String, row[4] as String? ?? "", time, Self.reportMatchWindow, after,
                                 PhoneNumber.reversedDigits(of: row[6] as String)])
            guard let id = claimed else { continue }
            try db.execute(sql: "UPDATE items SET pbx_unique_id = ? WHERE id = ? AND pbx_unique_id IS NULL", arguments: [messageID, id])
            try setStatus(item: id, status: row[2], time: Date(unixSeconds: time))
            try db.execute(sql: "DELETE FROM sms_pending_status WHERE source_key = ?", arguments: [row[0] as String])
        }
    }

    /// Kept reports whose message id a message inserted after `?` has.
    static let reportsOfNewMessagesSQL = """
        SELECT i.id, p.status, p.time_utc, p.source_key FROM items i NOT INDEXED
        CROSS JOIN sms_pending_status p ON p.message_id = i.pbx_unique_id
        WHERE i.id > ? AND i.kind = 'sms' AND i.direction = 'outbound' ORDER BY p.time_utc
        """

    /// The statuses after which a message's fate is settled: a report of one of these wins over
    /// any report that is not, whatever their order in the log or their times.
    public static let finalSMSStatuses = ["delivered", "failed", "rejected", "expired", "deleted", "discarded"]

    /// Sets an SMS's status: a final status over a non-final one always, a non-final one never
    /// over a final one, and otherwise only when no later report set it already.
    func setStatus(item: Int64, status: String, time: Date) throws {
        let finals = Self.finalSMSStatuses.map { "'\($0)'" }.joined(separator: ", ")
        let statement = try db.cachedStatement(sql: """
            UPDATE items SET disposition = ?1, details = json_set(details, '$.status_time', CAST(?2 AS TEXT))
            WHERE id = ?3 AND (
                (?4 AND coalesce(disposition, '') NOT IN (\(finals)))
                OR ((coalesce(disposition, '') IN (\(finals))) = ?4
                    AND coalesce(CAST(json_extract(details, '$.status_time') AS INTEGER), 0) <= ?2))
            """)
        try statement.execute(arguments: [status, time.unixSeconds, item, Self.finalSMSStatuses.contains(status)])
    }

    /// Inserts a recording row pointing at a blob that is already durable.
    public func insertRecording(_ meta: RecordingMetadata, blob: BlobDetail, fileName: String, details: [String: String] = [:],
                                retention: RetentionTag, customers: [String], now: Date) throws -> InsertOutcome {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM items WHERE source_key = ?", arguments: [meta.sourceKey]) {
            return .duplicate(ItemID(kind: .recording, number: id))
        }
        let start = meta.start ?? now
        try db.execute(sql: """
            INSERT INTO items (id, kind, source_key, format, start_utc, direction, from_raw, from_e164, from_rev,
                to_raw, to_e164, to_rev, duration_s, agent, context, pbx_unique_id, retain_until, ingested_at, details,
                retention_class)
            VALUES (\(Schema.nextItemID), 'recording', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                meta.sourceKey, meta.sourceKey.prefix { $0 != ":" }.description, start.unixSeconds, meta.direction?.rawValue,
                meta.from?.raw, meta.from?.e164, meta.from?.reversedDigits, meta.to?.raw, meta.to?.e164, meta.to?.reversedDigits,
                blob.audio.durationSeconds, meta.agent, meta.queue, meta.callUniqueID, Schema.storedRetainUntil(retention.until), now.unixSeconds,
                Self.json(details), retention.className,
            ])
        let id = db.lastInsertedRowID
        try db.execute(sql: """
            INSERT INTO recordings (item_id, sha256, bytes, stored_bytes, codec, sample_rate, channels, bits,
                audio_duration_s, warning, file_name, recording_type, queue, call_unique_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                id, blob.sha256, blob.bytes, blob.storedBytes, blob.audio.codec, blob.audio.sampleRate,
                blob.audio.channels, blob.audio.bitsPerSample, blob.audio.durationSeconds, blob.audio.warning,
                fileName, meta.type, meta.queue, meta.callUniqueID,
            ])
        try link(item: id, customers: customers)
        try linkRecording(id, callUniqueID: meta.callUniqueID, fileName: fileName, near: start)
        return .inserted(ItemID(kind: .recording, number: id))
    }

    /// Links recordings still waiting for their call to calls inserted after item `after`
    /// (a recording that arrived before its CDR); returns the recordings linked.
    @discardableResult
    public func linkWaitingRecordings(insertedAfter after: Int64) throws -> [ItemID] {
        let waiting = try Int.fetchOne(db, sql: "SELECT count(*) FROM recordings WHERE call_item_id IS NULL") ?? 0
        guard waiting > 0 else { return [] }
        // Each waiting recording joined to the new calls that name it, best first: by unique id,
        // by linked id, by the file a CDR names; the answered leg, then the first.
        let candidates = try Row.fetchAll(db, sql: Self.waitingRecordingsSQL, arguments: [after])
        var calls: [(recording: Int64, call: Int64)] = []
        for row in candidates where calls.last?.recording != row[0] as Int64 {
            calls.append((row[0], row[1]))
        }
        return try calls.map { try link(recording: $0.recording, to: $0.call) }
    }

    /// The calls inserted after `?1` that recordings waiting for their call belong to.
    static let waitingRecordingsSQL = """
        SELECT r.item_id, c.id, 1 AS rank, c.disposition = 'answered' AS answered
            FROM items c NOT INDEXED CROSS JOIN recordings r ON r.call_unique_id = c.pbx_unique_id AND r.call_item_id IS NULL
            WHERE c.id > ?1 AND c.kind = 'call'
        UNION ALL
        SELECT r.item_id, c.id, 2, c.disposition = 'answered'
            FROM items c NOT INDEXED CROSS JOIN recordings r ON r.call_unique_id = c.linked_id AND r.call_item_id IS NULL
            WHERE c.id > ?1 AND c.kind = 'call' AND c.linked_id IS NOT c.pbx_unique_id
        UNION ALL
        SELECT r.item_id, c.id, 3, c.disposition = 'answered'
            FROM items c NOT INDEXED CROSS JOIN recordings r ON r.file_name = c.recording_file AND r.call_item_id IS NULL
            WHERE c.id > ?1 AND c.kind = 'call' AND c.recording_file IS NOT NULL
        ORDER BY 1, 3, 4 DESC, 2
        """

    /// Links recording `id` to the call it names, if that call is stored: the answered leg with
    /// the recording's call unique id, else a leg with it as linked id, else a call whose CDR
    /// names the file. Calls are looked for on the days around `start` first (a recording is
    /// usually ingested with its call), then on every day (a FreeSWITCH name holds no time).
    @discardableResult
    func linkRecording(_ id: Int64, callUniqueID: String?, fileName: String, near start: Date) throws -> ItemID? {
        var call: Int64?
        if let callUniqueID {
            call = try callLeg("pbx_unique_id", index: "items_call_unique_id", is: callUniqueID, near: start)
                ?? callLeg("linked_id", index: "items_conversation_day", is: callUniqueID, near: start)
        }
        if call == nil {
            call = try Int64.fetchOne(db.cachedStatement(sql: """
                SELECT id FROM items WHERE recording_file = ? AND kind = 'call' ORDER BY (disposition = 'answered') DESC, id LIMIT 1
                """), arguments: [fileName])
        }
        guard let call else { return nil }
        return try link(recording: id, to: call)
    }

    /// The best call leg whose `column` (unique or linked id) is `value`: looked for on the days
    /// around `near`, then on every day with a call, through the day-keyed `index`.
    private func callLeg(_ column: String, index: String, is value: String, near: Date) throws -> Int64? {
        let nearby = try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT id FROM items INDEXED BY \(index)
            WHERE kind = 'call' AND \(Schema.callDay) IN \(Schema.conversationDays(ofStart: "?1")) AND \(column) = ?2
            ORDER BY (disposition = 'answered') DESC, id LIMIT 1
            """), arguments: [near.unixSeconds, value])
        if let nearby { return nearby }
        // Every day that has a call, by skipping from one to the next in the index (a few µs a day).
        return try Int64.fetchOne(db.cachedStatement(sql: """
            WITH RECURSIVE days(day) AS (
                SELECT (SELECT \(Schema.callDay) FROM items INDEXED BY items_call_unique_id WHERE kind = 'call'
                        ORDER BY \(Schema.callDay) DESC LIMIT 1)
                UNION ALL
                SELECT (SELECT \(Schema.callDay) FROM items INDEXED BY items_call_unique_id WHERE kind = 'call' AND \(Schema.callDay) < days.day
                        ORDER BY \(Schema.callDay) DESC LIMIT 1)
                FROM days WHERE days.day IS NOT NULL)
            SELECT c.id FROM days CROSS JOIN items c INDEXED BY \(index)
                ON c.kind = 'call' AND c.\(Schema.callDay) = days.day AND c.\(column) = ?1
            ORDER BY (c.disposition = 'answered') DESC, c.id LIMIT 1
            """), arguments: [value])
    }

    /// Sets recording `id`'s call: the call's details complete the recording, and its customers
    /// are the recording's customers too.
    private func link(recording id: Int64, to call: Int64) throws -> ItemID {
        try db.execute(sql: "UPDATE recordings SET call_item_id = ? WHERE item_id = ?", arguments: [call, id])
        // What the file name did not say (FreeSWITCH names say nothing but the uuid) comes from the call.
        try db.execute(sql: """
            UPDATE items SET
                agent = coalesce(items.agent, c.agent),
                direction = coalesce(items.direction, c.direction),
                from_raw = coalesce(items.from_raw, c.from_raw), from_e164 = coalesce(items.from_e164, c.from_e164),
                from_rev = coalesce(items.from_rev, c.from_rev),
                to_raw = coalesce(items.to_raw, c.to_raw), to_e164 = coalesce(items.to_e164, c.to_e164),
                to_rev = coalesce(items.to_rev, c.to_rev),
                start_utc = CASE WHEN items.format = 'freeswitch-recording' THEN c.start_utc ELSE items.start_utc END
            FROM (SELECT * FROM items WHERE id = ?) AS c
            WHERE items.id = ?
            """, arguments: [call, id])
        try db.execute(sql: """
            INSERT OR IGNORE INTO item_customers (customer_id, item_id) SELECT customer_id, ? FROM item_customers WHERE item_id = ?
            """, arguments: [id, call])
        return ItemID(kind: .recording, number: id)
    }

    /// Adds new caller names to the full-text index (one batch per transaction: far faster than a
    /// trigger), in key order: FTS5 writes its pending entries out whenever a rowid is lower than
    /// the one before, so time keys written in id order made a small segment per name.
    public func indexNames(insertedAfter after: Int64) throws {
        try db.execute(sql: """
            INSERT INTO names_fts (rowid, caller_name)
            SELECT \(Schema.nameKey(start: "start_utc", id: "id")), caller_name FROM items WHERE id > ? AND caller_name IS NOT NULL
            ORDER BY 1
            """, arguments: [after])
    }

    func link(item: Int64, customers: [String]) throws {
        guard !customers.isEmpty else { return }
        let statement = try db.cachedStatement(sql: "INSERT OR IGNORE INTO item_customers (customer_id, item_id) VALUES (?, ?)")
        for customer in customers {
            try statement.execute(arguments: [customer, item])
        }
    }

    /// Sets an item's retention class and retain-until date.
    public func setRetention(_ item: ItemID, _ tag: RetentionTag) throws {
        try db.execute(sql: "UPDATE items SET retention_class = ?, retain_until = ? WHERE id = ?",
                       arguments: [tag.className, Schema.storedRetainUntil(tag.until), item.number])
    }

    /// Forgets a one-time policy task once done (such as computing retention after an upgrade).
    public func clearPolicyState(_ name: String) throws {
        try db.execute(sql: "DELETE FROM policy_state WHERE name = ?", arguments: [name])
    }

    // MARK: customers

    /// Creates or updates a customer and replaces their numbers.
    /// - Returns: true when the customer or their numbers changed.
    public func upsertCustomer(_ customer: Customer, now: Date) throws -> Bool {
        let before = try Row.fetchOne(db, sql: "SELECT name, relationship_ended FROM customers WHERE id = ?", arguments: [customer.id])
        // Numbers a numbers file set are its own: this file neither removes them nor changes their days.
        let managed = Set(try String.fetchAll(db, sql: "SELECT e164 FROM customer_numbers WHERE customer_id = ? AND from_numbers_file", arguments: [customer.id]))
        let oldNumbers = Set(try String.fetchAll(db, sql: "SELECT e164 FROM customer_numbers WHERE customer_id = ? AND NOT from_numbers_file", arguments: [customer.id]))
        let newNumbers = Set(customer.phones.compactMap(\.e164)).subtracting(managed)
        let ended = customer.relationshipEnded?.unixSeconds
        let changed = before == nil || before!["name"] as String? != customer.name
            || before!["relationship_ended"] as Int64? != ended || oldNumbers != newNumbers
        guard changed else { return false }
        try db.execute(sql: """
            INSERT INTO customers (id, name, relationship_ended, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET name = excluded.name, relationship_ended = excluded.relationship_ended,
                updated_at = excluded.updated_at
            """, arguments: [customer.id, customer.name, ended, now.unixSeconds])
        try db.execute(sql: "DELETE FROM customer_numbers WHERE customer_id = ? AND NOT from_numbers_file", arguments: [customer.id])
        for phone in customer.phones {
            guard let e164 = phone.e164 else { continue }
            try db.execute(sql: "INSERT OR IGNORE INTO customer_numbers (customer_id, e164, raw) VALUES (?, ?, ?)",
                           arguments: [customer.id, e164, phone.raw])
        }
        return true
    }

    /// Sets when `customer`'s number `e164` is valid (`from`: its first instant, `to`: the first
    /// instant after it; nil open-ended), adding the number when the customer lacks it.
    /// - Returns: whether anything changed.
    public func setNumberValidity(customer: String, e164: String, raw: String, from: Date?, to: Date?) throws -> Bool {
        let before = try Row.fetchOne(db, sql: "SELECT valid_from, valid_to, from_numbers_file FROM customer_numbers WHERE customer_id = ? AND e164 = ?",
                                      arguments: [customer, e164])
        if let before, before[0] as Int64? == from?.unixSeconds, before[1] as Int64? == to?.unixSeconds, before[2] as Bool { return false }
        try db.execute(sql: """
            INSERT INTO customer_numbers (customer_id, e164, raw, valid_from, valid_to, from_numbers_file) VALUES (?, ?, ?, ?, ?, 1)
            ON CONFLICT (customer_id, e164) DO UPDATE SET valid_from = excluded.valid_from, valid_to = excluded.valid_to, from_numbers_file = 1
            """, arguments: [customer, e164, raw, from?.unixSeconds, to?.unixSeconds])
        return before == nil || before![0] as Int64? != from?.unixSeconds || before![1] as Int64? != to?.unixSeconds
    }

    /// Recomputes the links of `customerIDs` from their current numbers.
    /// - Returns: the number of links added or removed.
    public func relink(customerIDs: [String]) throws -> Int {
        var changes = 0
        for id in customerIDs {
            try db.execute(sql: """
                CREATE TEMP TABLE IF NOT EXISTS wanted_links (item_id INTEGER PRIMARY KEY);
                DELETE FROM wanted_links;
                INSERT OR IGNORE INTO wanted_links (item_id)
                    SELECT i.id FROM customer_numbers n JOIN items i ON i.from_e164 = n.e164 WHERE n.customer_id = ?1 AND \(Schema.numberValidForItem)
                    UNION SELECT i.id FROM customer_numbers n JOIN items i ON i.to_e164 = n.e164 WHERE n.customer_id = ?1 AND \(Schema.numberValidForItem);
                INSERT OR IGNORE INTO wanted_links (item_id)
                    SELECT r.item_id FROM recordings r JOIN wanted_links w ON w.item_id = r.call_item_id;
                """, arguments: [id])
            // Links corrected by hand (`link` / `unlink`) win over the numbers.
            try db.execute(sql: """
                DELETE FROM wanted_links WHERE item_id IN (SELECT item_id FROM link_overrides WHERE customer_id = :customer AND linked = 0);
                INSERT OR IGNORE INTO wanted_links (item_id) SELECT item_id FROM link_overrides WHERE customer_id = :customer AND linked = 1;
                """, arguments: ["customer": id])
            try db.execute(sql: "DELETE FROM item_customers WHERE customer_id = ? AND item_id NOT IN (SELECT item_id FROM wanted_links)", arguments: [id])
            changes += db.changesCount
            try db.execute(sql: "INSERT OR IGNORE INTO item_customers (customer_id, item_id) SELECT ?, item_id FROM wanted_links", arguments: [id])
            changes += db.changesCount
        }
        return changes
    }

    // MARK: audit and secrets

    /// Appends an event to the hash-chained log, in this transaction.
    @discardableResult
    public func appendAudit(_ event: AuditEvent, at time: Date) throws -> AuditEntry {
        let head = try Row.fetchOne(db.cachedStatement(sql: "SELECT count, last_hash FROM audit_head WHERE id = 1"))!
        // After tampering the stored rows may run past the head; logging goes on after them
        // (verification still reports the tampering).
        let highest = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(seq), 0) FROM audit_log")) ?? 0
        let entry = AuditChain.seal(event, sequence: max(head["count"] as Int64, highest) + 1, time: time,
                                    previousHash: head["last_hash"], key: auditKey)
        try db.cachedStatement(sql: """
            INSERT INTO audit_log (seq, time_ms, actor, role, action, items, purpose, details, outcome, reason,
                duration_ms, origin, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                entry.sequence, Int64(AuditChain.timestamp(entry.time)), entry.actor, entry.role, entry.action,
                Self.jsonArray(entry.items), entry.purpose, entry.details, entry.outcome.rawValue, entry.reason,
                entry.durationMs, entry.origin, entry.previousHash, entry.hash,
            ])
        try db.cachedStatement(sql: "UPDATE audit_head SET count = ?, last_hash = ? WHERE id = 1").execute(arguments: [entry.sequence, entry.hash])
        appended?.newest = entry
        return entry
    }

    /// The secret named `name` still stored in the index (archives from before the key store).
    public func storedSecret(named name: String) throws -> Data? {
        try Data.fetchOne(db, sql: "SELECT value FROM archive_secrets WHERE name = ?", arguments: [name])
    }

    /// Removes the secret named `name` from the index (`secure_delete` overwrites it in the file).
    /// - Warning: call only once the secret is durably in the key store.
    public func deleteSecret(named name: String) throws {
        try db.execute(sql: "DELETE FROM archive_secrets WHERE name = ?", arguments: [name])
    }

    /// The next entry's sequence number, the head's count and hash, and from which entry the
    /// chain is keyed (nil: not yet).
    public func auditChainState() throws -> (next: Int64, headHash: String, keyedFrom: Int64?) {
        let head = try Row.fetchOne(db, sql: "SELECT count, last_hash, keyed_from FROM audit_head WHERE id = 1")!
        let highest = try Int64.fetchOne(db, sql: "SELECT coalesce(max(seq), 0) FROM audit_log") ?? 0
        return (max(head["count"] as Int64, highest) + 1, head["last_hash"], head["keyed_from"])
    }

    /// Records that entries from `sequence` on are sealed with the chain key.
    public func setAuditKeyedFrom(_ sequence: Int64) throws {
        try db.execute(sql: "UPDATE audit_head SET keyed_from = ? WHERE id = 1", arguments: [sequence])
    }

    /// A JSON object with sorted keys (`JSONText`: JSONEncoder costs more than the rest of a CDR insert together).
    static func json(_ dictionary: [String: String]) -> String {
        if dictionary.isEmpty { return "{}" }
        var out = JSONText()
        out.raw("{")
        for (i, key) in dictionary.keys.sorted().enumerated() {
            if i > 0 { out.raw(",") }
            out.string(key)
            out.raw(":")
            out.string(dictionary[key]!)
        }
        out.raw("}")
        return String(decoding: out.bytes, as: UTF8.self)
    }

    static func jsonArray(_ array: [String]) -> String {
        var out = JSONText()
        out.strings(array)
        return String(decoding: out.bytes, as: UTF8.self)
    }
}

/// The newest audit entry a write transaction appended (one transaction, one thread).
final class AppendedAudit {
    var newest: AuditEntry?
}
