import GRDB

extension Schema {
    /// Searches narrowed by nothing but kind and time are served from indexes (issue 22: a
    /// search by kind alone read every item, 0.65–1.1 s at 440k items):
    ///
    /// - `items_kind_start (kind, start_utc)`: the page of such a search is the newest entries
    ///   of one kind, read newest first and stopped at the page (a kind with few items, such as
    ///   SMS in a CDR archive, no longer walks the whole time index).
    /// - `item_day_counts`: per UTC day (`start_utc / 86400`) and kind, the items, and for calls
    ///   the legs of multi-leg conversations and the (conversation, day) pairs, for recordings
    ///   those that belong to a call. A search's total over whole days is summed from it; the
    ///   partial days at a window's ends are counted from the items (`IndexReader.kindTimeTotal`).
    /// - `conversation_days`: the days each multi-leg conversation (`conversation_legs`, by
    ///   linked id) has legs on, with its first day; a conversation with legs on several days of
    ///   a window is counted once (the rows after a first day are few: calls across midnight).
    ///
    /// Kept by triggers on `items`, `conversation_legs` and `recordings`, so every path that
    /// inserts or deletes (ingest, expiry, erasure) keeps them exact. Deletion removes a
    /// conversation leg and a recording row before its `items` row (`deleteItems`), so the
    /// triggers still find the item's day.
    static func v16KindTimeCounts(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX items_kind_start ON items(kind, start_utc);
            CREATE INDEX conversation_legs_linked ON conversation_legs(linked_id);
            CREATE TABLE item_day_counts (
                kind TEXT NOT NULL,
                day INTEGER NOT NULL,
                items INTEGER NOT NULL DEFAULT 0,
                legs INTEGER NOT NULL DEFAULT 0,
                pairs INTEGER NOT NULL DEFAULT 0,
                attached INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (kind, day)
            ) WITHOUT ROWID;
            CREATE TABLE conversation_days (
                linked_id TEXT NOT NULL,
                day INTEGER NOT NULL,
                legs INTEGER NOT NULL,
                first_day INTEGER NOT NULL,
                PRIMARY KEY (linked_id, day)
            ) WITHOUT ROWID;
            CREATE INDEX conversation_days_later ON conversation_days(day) WHERE day > first_day;

            INSERT INTO item_day_counts (kind, day, items)
                SELECT kind, start_utc / 86400, count(*) FROM items GROUP BY 1, 2;
            INSERT INTO conversation_days (linked_id, day, legs, first_day)
                SELECT l.linked_id, i.start_utc / 86400, count(*), 0 FROM conversation_legs l CROSS JOIN items i ON i.id = l.id GROUP BY 1, 2;
            CREATE TEMP TABLE first_days (linked_id TEXT PRIMARY KEY, day INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO first_days SELECT linked_id, min(day) FROM conversation_days GROUP BY linked_id;
            UPDATE conversation_days SET first_day = (SELECT f.day FROM first_days f WHERE f.linked_id = conversation_days.linked_id);
            DROP TABLE first_days;
            INSERT INTO item_day_counts (kind, day, legs, pairs)
                SELECT 'call', day, sum(legs), count(*) FROM conversation_days WHERE true GROUP BY day
                ON CONFLICT (kind, day) DO UPDATE SET legs = excluded.legs, pairs = excluded.pairs;
            INSERT INTO item_day_counts (kind, day, attached)
                SELECT 'recording', i.start_utc / 86400, count(*) FROM recordings r CROSS JOIN items i ON i.id = r.item_id
                WHERE r.call_item_id IS NOT NULL GROUP BY 2
                ON CONFLICT (kind, day) DO UPDATE SET attached = excluded.attached;

            CREATE TRIGGER items_counted AFTER INSERT ON items BEGIN
                INSERT INTO item_day_counts (kind, day, items) VALUES (NEW.kind, NEW.start_utc / 86400, 1)
                    ON CONFLICT (kind, day) DO UPDATE SET items = items + 1;
            END;
            CREATE TRIGGER items_uncounted AFTER DELETE ON items BEGIN
                UPDATE item_day_counts SET items = items - 1 WHERE kind = OLD.kind AND day = OLD.start_utc / 86400;
            END;
            CREATE TRIGGER items_recounted AFTER UPDATE OF kind, start_utc ON items
            WHEN OLD.kind IS NOT NEW.kind OR OLD.start_utc / 86400 IS NOT NEW.start_utc / 86400 BEGIN
                UPDATE item_day_counts SET items = items - 1 WHERE kind = OLD.kind AND day = OLD.start_utc / 86400;
                INSERT INTO item_day_counts (kind, day, items) VALUES (NEW.kind, NEW.start_utc / 86400, 1)
                    ON CONFLICT (kind, day) DO UPDATE SET items = items + 1;
            END;

            CREATE TRIGGER conversation_legs_counted AFTER INSERT ON conversation_legs BEGIN
                UPDATE item_day_counts SET legs = legs + 1,
                    pairs = pairs + NOT EXISTS (SELECT 1 FROM conversation_days c WHERE c.linked_id = NEW.linked_id AND c.day = item_day_counts.day)
                WHERE kind = 'call' AND day = (SELECT start_utc / 86400 FROM items WHERE id = NEW.id);
                INSERT INTO conversation_days (linked_id, day, legs, first_day)
                    SELECT NEW.linked_id, d, 1, min(d, coalesce((SELECT min(c.first_day) FROM conversation_days c WHERE c.linked_id = NEW.linked_id), d))
                    FROM (SELECT start_utc / 86400 AS d FROM items WHERE id = NEW.id) WHERE true
                    ON CONFLICT (linked_id, day) DO UPDATE SET legs = legs + 1;
                UPDATE conversation_days SET first_day = (SELECT start_utc / 86400 FROM items WHERE id = NEW.id)
                    WHERE linked_id = NEW.linked_id AND first_day > (SELECT start_utc / 86400 FROM items WHERE id = NEW.id);
            END;
            CREATE TRIGGER conversation_legs_uncounted AFTER DELETE ON conversation_legs BEGIN
                UPDATE conversation_days SET legs = legs - 1
                    WHERE linked_id = OLD.linked_id AND day = (SELECT start_utc / 86400 FROM items WHERE id = OLD.id);
                UPDATE item_day_counts SET legs = legs - 1,
                    pairs = pairs - EXISTS (SELECT 1 FROM conversation_days c WHERE c.linked_id = OLD.linked_id AND c.day = item_day_counts.day AND c.legs = 0)
                WHERE kind = 'call' AND day = (SELECT start_utc / 86400 FROM items WHERE id = OLD.id);
                DELETE FROM conversation_days WHERE linked_id = OLD.linked_id AND legs = 0;
                UPDATE conversation_days SET first_day = (SELECT min(c.day) FROM conversation_days c WHERE c.linked_id = OLD.linked_id)
                    WHERE linked_id = OLD.linked_id;
            END;

            CREATE TRIGGER recordings_attached AFTER INSERT ON recordings WHEN NEW.call_item_id IS NOT NULL BEGIN
                UPDATE item_day_counts SET attached = attached + 1
                WHERE kind = 'recording' AND day = (SELECT start_utc / 86400 FROM items WHERE id = NEW.item_id);
            END;
            CREATE TRIGGER recordings_reattached AFTER UPDATE OF call_item_id ON recordings
            WHEN (OLD.call_item_id IS NULL) <> (NEW.call_item_id IS NULL) BEGIN
                UPDATE item_day_counts SET attached = attached + (CASE WHEN NEW.call_item_id IS NULL THEN -1 ELSE 1 END)
                WHERE kind = 'recording' AND day = (SELECT start_utc / 86400 FROM items WHERE id = NEW.item_id);
            END;
            CREATE TRIGGER recordings_detached AFTER DELETE ON recordings WHEN OLD.call_item_id IS NOT NULL BEGIN
                UPDATE item_day_counts SET attached = attached - 1
                WHERE kind = 'recording' AND day = (SELECT start_utc / 86400 FROM items WHERE id = OLD.item_id);
            END;
            """)
    }
}
