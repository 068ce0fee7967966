import GRDB

extension Schema {
    /// Hold coverage belongs to items (DESIGN.md invariant 4): `hold_items` records every item an
    /// active hold has covered, and a row stays until the hold is released, whatever happens
    /// later to the item's links, numbers or customers. Triggers add coverage whenever an item
    /// comes to match an active hold's scope (a new item, a new customer link, numbers filled in
    /// from a call, a recording joined to its call, which also takes every hold of its call);
    /// nothing removes it but a release. The schema refuses to delete a covered item, a covered
    /// item's coverage or a hold, whatever path (or hand-written SQL) tries.
    ///
    /// Frozen: the coverage condition is spelled here as it was when this migration shipped.
    static func v13HoldCoverage(_ db: Database) throws {
        // Hold `h` covers item `i` (the scope rules of v4-policy: no scopes = every item in the
        // time range; else the item itself or the call it records, a number it is from or to,
        // or a customer it links to).
        let covers = """
            h.released_at IS NULL
            AND (h.from_utc IS NULL OR i.start_utc >= h.from_utc) AND (h.to_utc IS NULL OR i.start_utc < h.to_utc)
            AND (NOT EXISTS (SELECT 1 FROM hold_scopes s WHERE s.hold_id = h.id)
                 OR EXISTS (SELECT 1 FROM hold_scopes s WHERE s.hold_id = h.id AND (
                       (s.kind = 'item' AND (s.value = CAST(i.id AS TEXT)
                           OR s.value = (SELECT CAST(r.call_item_id AS TEXT) FROM recordings r WHERE r.item_id = i.id)))
                    OR (s.kind = 'number' AND (s.value = i.from_e164 OR s.value = i.to_e164))
                    OR (s.kind = 'customer' AND s.value IN (SELECT ic.customer_id FROM item_customers ic WHERE ic.item_id = i.id)))))
            """
        let anyActive = "EXISTS (SELECT 1 FROM holds WHERE released_at IS NULL)"
        func cover(_ item: String) -> String {
            "INSERT OR IGNORE INTO hold_items (hold_id, item_id) SELECT h.id, i.id FROM holds h JOIN items i ON i.id = \(item) WHERE \(covers);"
        }
        try db.execute(sql: """
            CREATE TABLE hold_items (
                hold_id INTEGER NOT NULL REFERENCES holds(id),
                item_id INTEGER NOT NULL,
                PRIMARY KEY (item_id, hold_id)
            ) WITHOUT ROWID;
            CREATE INDEX hold_items_hold ON hold_items(hold_id);
            CREATE INDEX holds_active ON holds(id) WHERE released_at IS NULL;

            INSERT OR IGNORE INTO hold_items (hold_id, item_id) SELECT h.id, i.id FROM holds h JOIN items i WHERE \(covers);

            CREATE TRIGGER hold_cover_new_item AFTER INSERT ON items WHEN \(anyActive)
                BEGIN \(cover("NEW.id")) END;
            CREATE TRIGGER hold_cover_changed_item AFTER UPDATE OF from_e164, to_e164, start_utc ON items WHEN \(anyActive)
                BEGIN \(cover("NEW.id")) END;
            CREATE TRIGGER hold_cover_new_link AFTER INSERT ON item_customers WHEN \(anyActive)
                BEGIN \(cover("NEW.item_id")) END;
            CREATE TRIGGER hold_cover_new_recording AFTER INSERT ON recordings WHEN NEW.call_item_id IS NOT NULL AND \(anyActive)
                BEGIN
                    \(cover("NEW.item_id"))
                    INSERT OR IGNORE INTO hold_items (hold_id, item_id) SELECT hold_id, NEW.item_id FROM hold_items WHERE item_id = NEW.call_item_id;
                END;
            CREATE TRIGGER hold_cover_joined_recording AFTER UPDATE OF call_item_id ON recordings
                WHEN NEW.call_item_id IS NOT NULL AND \(anyActive)
                BEGIN
                    \(cover("NEW.item_id"))
                    INSERT OR IGNORE INTO hold_items (hold_id, item_id) SELECT hold_id, NEW.item_id FROM hold_items WHERE item_id = NEW.call_item_id;
                END;

            CREATE TRIGGER hold_items_keep BEFORE DELETE ON hold_items
                WHEN (SELECT released_at FROM holds WHERE id = OLD.hold_id) IS NULL
                BEGIN SELECT RAISE(ABORT, 'a legal hold''s coverage ends only when the hold is released'); END;
            CREATE TRIGGER hold_items_unchanged BEFORE UPDATE ON hold_items
                BEGIN SELECT RAISE(ABORT, 'a legal hold''s coverage is not changed, only released'); END;
            CREATE TRIGGER holds_kept BEFORE DELETE ON holds
                BEGIN SELECT RAISE(ABORT, 'legal holds are kept: release a hold instead of deleting it'); END;
            CREATE TRIGGER holds_release_only BEFORE UPDATE ON holds
                WHEN OLD.released_at IS NOT NULL
                  OR NEW.id IS NOT OLD.id OR NEW.case_name IS NOT OLD.case_name OR NEW.from_utc IS NOT OLD.from_utc
                  OR NEW.to_utc IS NOT OLD.to_utc OR NEW.placed_by IS NOT OLD.placed_by OR NEW.placed_at IS NOT OLD.placed_at
                BEGIN SELECT RAISE(ABORT, 'a legal hold is changed only by its release'); END;
            CREATE TRIGGER held_items_kept BEFORE DELETE ON items
                WHEN EXISTS (SELECT 1 FROM hold_items WHERE item_id = OLD.id)
                BEGIN SELECT RAISE(ABORT, 'an item covered by a legal hold is not deleted until the hold is released'); END;
            """)
    }
}
