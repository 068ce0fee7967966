import GRDB

extension Schema {
    /// `leg_names_fts` becomes contentless and keyed by conversation: `rowid = number << 31 |
    /// (id & 0x7FFFFFFF)`, where `number` is the conversation's, stored with each leg in
    /// `conversation_legs.number`. A name search's distinct conversations among its matched legs
    /// is then `count(DISTINCT rowid >> 31)` read from the index alone, where it was a
    /// `conversation_legs` look-up per matched leg (for 'Sanna' in 1M calls, 2,616 of them: 40%
    /// of the search's CPU in the service).
    ///
    /// A conversation's number is the id of its first leg (the lowest id when its legs are
    /// numbered together); a leg joining a numbered conversation takes its number
    /// (`IndexWriter.indexConversations`). Ids are never reused while a higher one exists, so two
    /// conversations never share a number. Two legs of one conversation would share a key only if
    /// their ids differed by a multiple of 2^31.
    static func v12LegConversationKeys(_ db: Database) throws {
        try db.execute(sql: """
            DROP TRIGGER conversation_legs_named;
            DROP TRIGGER conversation_legs_unnamed;
            DROP TABLE leg_names_fts;
            ALTER TABLE conversation_legs ADD COLUMN number INTEGER;
            CREATE TEMP TABLE first_legs (linked_id TEXT PRIMARY KEY, number INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO first_legs SELECT linked_id, min(id) FROM conversation_legs GROUP BY linked_id;
            UPDATE conversation_legs SET number = (SELECT f.number FROM first_legs f WHERE f.linked_id = conversation_legs.linked_id);
            DROP TABLE first_legs;
            CREATE VIRTUAL TABLE leg_names_fts USING fts5(
                caller_name, content='', tokenize='unicode61 remove_diacritics 0'
            );
            INSERT INTO leg_names_fts (rowid, caller_name)
                SELECT (l.number << 31) | (l.id & 2147483647), i.caller_name FROM conversation_legs l CROSS JOIN items i ON i.id = l.id
                WHERE i.caller_name IS NOT NULL ORDER BY 1;
            CREATE TRIGGER conversation_legs_named AFTER INSERT ON conversation_legs BEGIN
                INSERT INTO leg_names_fts (rowid, caller_name)
                    SELECT (NEW.number << 31) | (NEW.id & 2147483647), caller_name FROM items WHERE id = NEW.id AND caller_name IS NOT NULL;
            END;
            CREATE TRIGGER conversation_legs_unnamed AFTER DELETE ON conversation_legs BEGIN
                INSERT INTO leg_names_fts (leg_names_fts, rowid, caller_name)
                    SELECT 'delete', (OLD.number << 31) | (OLD.id & 2147483647), caller_name FROM items WHERE id = OLD.id AND caller_name IS NOT NULL;
            END;
            """)
    }
}
