import GRDB

extension Schema {
    /// `names_fts` replaces `items_fts`: the same caller names and tokenizer, but contentless and
    /// keyed by time, `rowid = start_utc << 31 | id` (`nameKey`). FTS5 returns matches in rowid
    /// order, so newest first is its own order: a name search reads its page straight from the
    /// index (`ORDER BY rowid DESC`) instead of collecting every match into a temporary index and
    /// walking `items_start` against it. An item the key cannot hold (a start before 1970 or
    /// after 2106, an id from 2^31) is keyed `-id`; while one is indexed, name searches take the
    /// general path (`IndexReader.nameKeysAreTimes`).
    ///
    /// Only calls carry caller names, and a call's start never changes once stored (only a
    /// FreeSWITCH recording's start is moved, to its call's), so a key never goes stale. Being
    /// contentless, an entry is removed with the name it was indexed with (`deleteItems` reads
    /// it from `items` before the row goes).
    static func v10TimeKeyedNames(_ db: Database) throws {
        try db.execute(sql: """
            CREATE VIRTUAL TABLE names_fts USING fts5(
                caller_name, content='', tokenize='unicode61 remove_diacritics 0'
            );
            INSERT INTO names_fts (rowid, caller_name)
                SELECT CASE WHEN start_utc >= 0 AND start_utc < 4294967296 AND id < 2147483648 THEN (start_utc << 31) | id ELSE -id END,
                       caller_name FROM items WHERE caller_name IS NOT NULL ORDER BY 1;
            DROP TABLE items_fts;
            """)
    }

    /// `names_vocabulary`: the words of `names_fts`, one row per occurrence in word order
    /// (FTS5's `fts5vocab`, type `instance`, which reads them lazily: the first word from a
    /// given one on costs a seek). A name search asks it whether a typed word is the start of a
    /// longer indexed word (`IndexReader.fullTextQuery`).
    static func v11NamesVocabulary(_ db: Database) throws {
        try db.execute(sql: "CREATE VIRTUAL TABLE names_vocabulary USING fts5vocab(names_fts, 'instance')")
    }

    /// SQL for the `names_fts` rowid of an item with start (unix seconds) `start` and id `id`.
    static func nameKey(start: String, id: String) -> String {
        "CASE WHEN \(start) >= 0 AND \(start) < 4294967296 AND \(id) < 2147483648 THEN (\(start) << 31) | \(id) ELSE -\(id) END"
    }

    /// SQL for the item id of `names_fts` rowid `key`.
    static func nameKeyID(_ key: String) -> String {
        "CASE WHEN \(key) >= 0 THEN \(key) & 2147483647 ELSE -\(key) END"
    }
}
