import GRDB

extension Schema {
    /// `leg_names_fts` becomes contentless and keyed by conversation: `rowid = number << 31 |
    /// (id & 0x7FFFFFFF)`, where `number` is the leg's conversation's in `conversation_numbers`. A
    /// name search's distinct conversations among matched legs is then `count(DISTINCT rowid >> 31)`
    /// read from the index alone, where it was a `conversation_legs` look-up per matched leg
    /// (for 'Sanna' in 1M calls, 2,616 of them: 40% of the search's CPU in the service).
    ///
    /// `conversation_numbers` gives each conversation in `conversation_legs` a number, under the
    /// UTC day its first leg started and its linked id, with its count of legs. A leg belongs to
    /// the oldest (lowest-numbered) conversation with its linked id on its own day or the days
    /// either side (as `Schema.conversationDays` finds legs), else starts one; the number goes
    /// with its last leg. New numbers are higher than every existing one, so the conversation a
    /// leg finds is the same when it is added and when it is deleted. Indexed by day first, like
    /// the other call indexes, so that FreeSWITCH's random uuids do not make each insert touch a
    /// random page. Numbers are given in the order conversations arrive (FTS5 writes entries out
    /// whenever a rowid is lower than the one before, and legs come and go roughly in id order).
    /// Two legs of one conversation would share a key only if their ids differed by a multiple
    /// of 2^31.
    static func v12LegConversationKeys(_ db: Database) throws {
        func number(of leg: String) -> String {
            """
            (SELECT c.number FROM items i, conversation_numbers c WHERE i.id = \(leg).id AND c.linked_id = \(leg).linked_id
               AND c.day IN \(conversationDays(ofStart: "i.start_utc")) ORDER BY c.number LIMIT 1)
            """
        }
        try db.execute(sql: """
            DROP TRIGGER conversation_legs_named;
            DROP TRIGGER conversation_legs_unnamed;
            DROP TABLE leg_names_fts;
            CREATE TEMP TABLE legs_before AS SELECT id, linked_id FROM conversation_legs;
            DELETE FROM conversation_legs;
            CREATE TABLE conversation_numbers (
                number INTEGER PRIMARY KEY,
                day INTEGER NOT NULL,
                linked_id TEXT NOT NULL,
                legs INTEGER NOT NULL
            );
            CREATE INDEX conversation_numbers_day ON conversation_numbers(day, linked_id);
            CREATE VIRTUAL TABLE leg_names_fts USING fts5(
                caller_name, content='', tokenize='unicode61 remove_diacritics 0'
            );
            CREATE TRIGGER conversation_legs_named AFTER INSERT ON conversation_legs BEGIN
                INSERT INTO conversation_numbers (day, linked_id, legs)
                    SELECT i.\(callDay), NEW.linked_id, 0 FROM items i WHERE i.id = NEW.id
                      AND NOT EXISTS (SELECT 1 FROM conversation_numbers c
                                      WHERE c.linked_id = NEW.linked_id AND c.day IN \(conversationDays(ofStart: "i.start_utc")));
                UPDATE conversation_numbers SET legs = legs + 1 WHERE number = \(number(of: "NEW"));
                INSERT INTO leg_names_fts (rowid, caller_name)
                    SELECT (\(number(of: "NEW")) << 31) | (i.id & 2147483647), i.caller_name FROM items i
                    WHERE i.id = NEW.id AND i.caller_name IS NOT NULL;
            END;
            CREATE TRIGGER conversation_legs_unnamed AFTER DELETE ON conversation_legs BEGIN
                INSERT INTO leg_names_fts (leg_names_fts, rowid, caller_name)
                    SELECT 'delete', (\(number(of: "OLD")) << 31) | (i.id & 2147483647), i.caller_name FROM items i
                    WHERE i.id = OLD.id AND i.caller_name IS NOT NULL;
                UPDATE conversation_numbers SET legs = legs - 1 WHERE number = \(number(of: "OLD"));
                DELETE FROM conversation_numbers WHERE number = \(number(of: "OLD")) AND legs <= 0;
            END;
            -- Number the conversations already there (and index their legs' names), in the order
            -- their first legs arrived.
            INSERT INTO conversation_legs (id, linked_id) SELECT id, linked_id FROM legs_before ORDER BY id;
            DROP TABLE legs_before;
            """)
    }
}
