import GRDB

extension Schema {
    /// `leg_names_fts` becomes contentless and keyed by conversation: `rowid = number << 31 |
    /// (id & 0x7FFFFFFF)`, where `number` is the leg's linked id's in `conversation_numbers`. A
    /// name search's distinct conversations among matched legs is then `count(DISTINCT rowid >> 31)`
    /// read from the index alone, where it was a `conversation_legs` look-up per matched leg
    /// (for 'Sanna' in 1M calls, 2,616 of them: 40% of the search's CPU in the service).
    ///
    /// `conversation_numbers` holds one number per linked id in `conversation_legs` with its
    /// count of legs; both are kept by the triggers on `conversation_legs` (the number goes with
    /// its last leg). Two legs of one conversation would share a key only if their ids differed
    /// by a multiple of 2^31.
    static func v12LegConversationKeys(_ db: Database) throws {
        let key = "(n.number << 31) | (i.id & 2147483647)"
        try db.execute(sql: """
            CREATE TABLE conversation_numbers (
                number INTEGER PRIMARY KEY,
                linked_id TEXT NOT NULL UNIQUE,
                legs INTEGER NOT NULL
            );
            INSERT INTO conversation_numbers (linked_id, legs)
                SELECT linked_id, count(*) FROM conversation_legs GROUP BY linked_id ORDER BY linked_id;
            DROP TRIGGER conversation_legs_named;
            DROP TRIGGER conversation_legs_unnamed;
            DROP TABLE leg_names_fts;
            CREATE VIRTUAL TABLE leg_names_fts USING fts5(
                caller_name, content='', tokenize='unicode61 remove_diacritics 0'
            );
            INSERT INTO leg_names_fts (rowid, caller_name)
                SELECT \(key), i.caller_name
                FROM conversation_legs l CROSS JOIN conversation_numbers n ON n.linked_id = l.linked_id CROSS JOIN items i ON i.id = l.id
                WHERE i.caller_name IS NOT NULL ORDER BY 1;
            CREATE TRIGGER conversation_legs_named AFTER INSERT ON conversation_legs BEGIN
                INSERT INTO conversation_numbers (linked_id, legs) VALUES (NEW.linked_id, 1)
                    ON CONFLICT (linked_id) DO UPDATE SET legs = legs + 1;
                INSERT INTO leg_names_fts (rowid, caller_name)
                    SELECT \(key), i.caller_name FROM items i, conversation_numbers n
                    WHERE i.id = NEW.id AND i.caller_name IS NOT NULL AND n.linked_id = NEW.linked_id;
            END;
            CREATE TRIGGER conversation_legs_unnamed AFTER DELETE ON conversation_legs BEGIN
                INSERT INTO leg_names_fts (leg_names_fts, rowid, caller_name)
                    SELECT 'delete', \(key), i.caller_name FROM items i, conversation_numbers n
                    WHERE i.id = OLD.id AND i.caller_name IS NOT NULL AND n.linked_id = OLD.linked_id;
                UPDATE conversation_numbers SET legs = legs - 1 WHERE linked_id = OLD.linked_id;
                DELETE FROM conversation_numbers WHERE linked_id = OLD.linked_id AND legs <= 0;
            END;
            """)
    }
}
