import GRDB

extension Schema {
    /// `conversation_legs`: every call leg whose conversation (calls sharing `linked_id`) has two
    /// or more legs, as (leg id, linked id). A name search counts conversations from it without
    /// reading the wide `items` rows of its matches: total = matches − legs among them + their
    /// distinct linked ids. Exact while the table holds at least every leg of every multi-leg
    /// conversation; a leg left alone (its other legs deleted, or never ingested) is harmless.
    /// Kept by `IndexWriter.indexConversations(insertedAfter:)` and `deleteItems`.
    ///
    /// A migration of its own (not part of `v3-conversations`): archives opened by a build since
    /// v3 already recorded that step, and would never get the table.
    static func v5ConversationLegs(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE conversation_legs (
                id INTEGER PRIMARY KEY,
                linked_id TEXT NOT NULL
            );
            INSERT INTO conversation_legs (id, linked_id)
                SELECT i.id, i.linked_id FROM items i INDEXED BY items_conversation
                WHERE i.kind = 'call' AND i.linked_id IS NOT NULL AND i.linked_id IN (
                    SELECT linked_id FROM items INDEXED BY items_conversation
                    WHERE kind = 'call' AND linked_id IS NOT NULL GROUP BY linked_id HAVING count(*) >= 2)
                ORDER BY i.id;
            """)
    }
}
