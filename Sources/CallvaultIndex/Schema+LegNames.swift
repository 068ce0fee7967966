import GRDB

extension Schema {
    /// `leg_names_fts`: the caller names of the calls in `conversation_legs` (legs of
    /// conversations with more than one leg), beside `items_fts` (`names_fts` since v10) which holds every name. A name
    /// search counts conversations as matches − matched legs + their distinct linked ids
    /// (`IndexReader.nameConversationCount`); the matched legs come from this index, so the
    /// count probes `conversation_legs` for them alone instead of for every match.
    ///
    /// Kept by triggers on `conversation_legs`, so it holds exactly that table's named legs
    /// whichever code adds or removes one. Caller names never change once stored, and a leg
    /// leaves `conversation_legs` before its `items` row goes (`deleteItems`), so the delete
    /// trigger still finds the name FTS5 needs to remove the entry.
    static func v9LegNames(_ db: Database) throws {
        try db.execute(sql: """
            CREATE VIRTUAL TABLE leg_names_fts USING fts5(
                caller_name, content='items', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
            );
            INSERT INTO leg_names_fts (rowid, caller_name)
                SELECT i.id, i.caller_name FROM conversation_legs l CROSS JOIN items i ON i.id = l.id
                WHERE i.caller_name IS NOT NULL ORDER BY i.id;
            CREATE TRIGGER conversation_legs_named AFTER INSERT ON conversation_legs BEGIN
                INSERT INTO leg_names_fts (rowid, caller_name)
                    SELECT id, caller_name FROM items WHERE id = NEW.id AND caller_name IS NOT NULL;
            END;
            CREATE TRIGGER conversation_legs_unnamed AFTER DELETE ON conversation_legs BEGIN
                INSERT INTO leg_names_fts (leg_names_fts, rowid, caller_name)
                    SELECT 'delete', id, caller_name FROM items WHERE id = OLD.id AND caller_name IS NOT NULL;
            END;
            """)
    }
}
