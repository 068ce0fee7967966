import GRDB

extension IndexWriter {
    /// Adds to `conversation_legs` every leg of each conversation that calls inserted after item
    /// `after` joined and that now has two or more legs (one set-based step per transaction,
    /// like `indexNames`). A new leg alone so far is not added, whatever its linked id says (an
    /// Asterisk transfer leg whose first channel is not in the archive, a FreeSWITCH a-leg whose
    /// b-leg never comes): alone it would change no count, yet each row of the table fires the
    /// triggers that keep the hour counts and the leg-name index; its other legs find it in
    /// `items` when they arrive, and then both are added. Legs are looked for on the new leg's
    /// start day and the days either side of it (`Schema.conversationDays`). Each leg gets its conversation's number: that of
    /// a leg already in the table, else the lowest id among its legs (`Schema.v12LegConversationKeys`).
    public func indexConversations(insertedAfter after: Int64) throws {
        // `found`: for each new leg `n`, every leg `c` of its conversation (itself included) and
        // the number `c` has if already in the table; the window takes the conversation's number
        // from the rows SQLite reads anyway.
        try db.execute(sql: Self.indexConversationsSQL, arguments: [after])
    }

    static let indexConversationsSQL = """
        INSERT OR IGNORE INTO conversation_legs (id, linked_id, number)
        SELECT id, linked_id, coalesce(min(number) OVER conversation, min(id) OVER conversation) FROM (
            SELECT n.id AS leg, c.id AS id, c.linked_id AS linked_id,
                   (SELECT l.number FROM conversation_legs l WHERE l.id = c.id) AS number
            FROM items n NOT INDEXED CROSS JOIN items c INDEXED BY items_conversation_day
                ON c.kind = 'call' AND c.\(Schema.callDay) IN \(Schema.conversationDays(ofStart: "n.start_utc")) AND c.linked_id = n.linked_id
            WHERE n.id > ?1 AND n.kind = 'call' AND n.linked_id IS NOT NULL
              AND (\(Self.otherLegs(day: "n.\(Schema.callDay)", of: "n")) OR \(Self.otherLegs(day: "n.\(Schema.callDay) - 1", of: "n"))
                   OR \(Self.otherLegs(day: "n.\(Schema.callDay) + 1", of: "n")))
        ) AS found
        WINDOW conversation AS (PARTITION BY leg)
        """

    /// SQL: whether a call other than `leg` has its linked id and started on `day`, in one seek.
    /// Three such tests joined by OR cost less than one `IN` of the three days, for which SQLite
    /// fills a temporary table at every evaluation (measured: the statement 0.89 → 0.75 s for
    /// 500,000 Asterisk rows; it was 0.38 s on the uuid-first index before v7).
    private static func otherLegs(day: String, of leg: String) -> String {
        """
        EXISTS (SELECT 1 FROM items o INDEXED BY items_conversation_day
                WHERE o.kind = 'call' AND o.\(Schema.callDay) = \(day) AND o.linked_id = \(leg).linked_id AND o.id <> \(leg).id)
        """
    }
}

extension IndexReader {
    /// How many items match full-text query `match`, and in how many conversations: each match
    /// is a call of its own except that legs of one conversation count once. Reads the two
    /// full-text indexes alone (`names_fts`, and `leg_names_fts` for the matched legs and their
    /// conversations), never the matched `items` or `conversation_legs` rows.
    /// - Precondition: nothing but the name narrows the search (only calls have names indexed).
    func nameConversationCount(_ match: String) throws -> (matches: Int, conversations: Int) {
        let matches = try fullTextMatchCount(match)
        // A leg's key holds its conversation's number (`Schema.v12LegConversationKeys`).
        let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT count(*), count(DISTINCT rowid >> 31) FROM leg_names_fts WHERE leg_names_fts MATCH ?
            """), arguments: [match])
        let legs: Int = row?[0] ?? 0, conversations: Int = row?[1] ?? 0
        return (matches, matches - legs + conversations)
    }

    /// Whether every `names_fts` key is a time key (no item's start or id fell outside what
    /// `Schema.nameKey` holds), so that the index's rowid order is newest-first order.
    func nameKeysAreTimes() throws -> Bool {
        try !(Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM names_fts_docsize WHERE id < 0)")) ?? false)
    }

    /// How many items' names match full-text query `match` (FTS5 counts them from its index alone).
    func fullTextMatchCount(_ match: String) throws -> Int {
        try Int.fetchOne(db.cachedStatement(sql: "SELECT count(*) FROM names_fts WHERE names_fts MATCH ?"), arguments: [match]) ?? 0
    }
}
