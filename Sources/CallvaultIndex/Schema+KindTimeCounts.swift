import GRDB

extension Schema {
    /// Searches narrowed by nothing but kind and time are served from indexes (issue 22: a
    /// search by kind alone read every item, 0.65–1.1 s at 440k items):
    ///
    /// - `items_kind_start (kind, start_utc)`: the page of such a search is the newest entries
    ///   of one kind, read newest first and stopped at the page (a kind with few items, such as
    ///   SMS in a CDR archive, no longer walks the whole time index).
    /// - `item_hour_counts`: per UTC hour (`start_utc / 3600`) and kind, the items, and for calls
    ///   the legs of multi-leg conversations and the (conversation, hour) pairs, for recordings
    ///   those that belong to a call. A search's total over whole hours is summed from it (a
    ///   year is 8,760 rows a kind); the partial hours at a window's ends are counted from the
    ///   items (`IndexReader.kindTimeTotal`). Hours rather than days: a date in the archive's
    ///   zone starts mid-way through a UTC day, and a partial day is thousands of items to read.
    /// - `conversation_hours`: the hours each multi-leg conversation (`conversation_legs`, by
    ///   linked id) has legs in, with its first hour; a conversation with legs in several hours
    ///   of a window is counted once (`conversation_hours_later` indexes the few rows after a
    ///   conversation's first hour).
    ///
    /// Kept by triggers on `items`, `conversation_legs` and `recordings`, so every path that
    /// inserts or deletes (ingest, expiry, erasure) keeps them exact. Deletion removes a
    /// conversation leg and a recording row before its `items` row (`deleteItems`), so the
    /// triggers still find the item's hour.
    static func v16KindTimeCounts(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX items_kind_start ON items(kind, start_utc);
            CREATE INDEX conversation_legs_linked ON conversation_legs(linked_id);
            CREATE TABLE item_hour_counts (
                kind TEXT NOT NULL,
                hour INTEGER NOT NULL,
                items INTEGER NOT NULL DEFAULT 0,
                legs INTEGER NOT NULL DEFAULT 0,
                pairs INTEGER NOT NULL DEFAULT 0,
                attached INTEGER NOT NULL DEFAULT 0,
                PRIMARY KEY (kind, hour)
            ) WITHOUT ROWID;
            CREATE TABLE conversation_hours (
                linked_id TEXT NOT NULL,
                hour INTEGER NOT NULL,
                legs INTEGER NOT NULL,
                first_hour INTEGER NOT NULL,
                PRIMARY KEY (linked_id, hour)
            ) WITHOUT ROWID;
            CREATE INDEX conversation_hours_later ON conversation_hours(hour) WHERE hour > first_hour;

            INSERT INTO item_hour_counts (kind, hour, items)
                SELECT kind, start_utc / 3600, count(*) FROM items GROUP BY 1, 2;
            INSERT INTO conversation_hours (linked_id, hour, legs, first_hour)
                SELECT l.linked_id, i.start_utc / 3600, count(*), 0 FROM conversation_legs l CROSS JOIN items i ON i.id = l.id GROUP BY 1, 2;
            CREATE TEMP TABLE first_hours (linked_id TEXT PRIMARY KEY, hour INTEGER NOT NULL) WITHOUT ROWID;
            INSERT INTO first_hours SELECT linked_id, min(hour) FROM conversation_hours GROUP BY linked_id;
            UPDATE conversation_hours SET first_hour = (SELECT f.hour FROM first_hours f WHERE f.linked_id = conversation_hours.linked_id);
            DROP TABLE first_hours;
            INSERT INTO item_hour_counts (kind, hour, legs, pairs)
                SELECT 'call', hour, sum(legs), count(*) FROM conversation_hours WHERE true GROUP BY hour
                ON CONFLICT (kind, hour) DO UPDATE SET legs = excluded.legs, pairs = excluded.pairs;
            INSERT INTO item_hour_counts (kind, hour, attached)
                SELECT 'recording', i.start_utc / 3600, count(*) FROM recordings r CROSS JOIN items i ON i.id = r.item_id
                WHERE r.call_item_id IS NOT NULL GROUP BY 2
                ON CONFLICT (kind, hour) DO UPDATE SET attached = excluded.attached;

            CREATE TRIGGER items_counted AFTER INSERT ON items BEGIN
                INSERT INTO item_hour_counts (kind, hour, items) VALUES (NEW.kind, NEW.start_utc / 3600, 1)
                    ON CONFLICT (kind, hour) DO UPDATE SET items = items + 1;
            END;
            CREATE TRIGGER items_uncounted AFTER DELETE ON items BEGIN
                UPDATE item_hour_counts SET items = items - 1 WHERE kind = OLD.kind AND hour = OLD.start_utc / 3600;
            END;
            CREATE TRIGGER items_recounted AFTER UPDATE OF kind, start_utc ON items
            WHEN OLD.kind IS NOT NEW.kind OR OLD.start_utc / 3600 IS NOT NEW.start_utc / 3600 BEGIN
                UPDATE item_hour_counts SET items = items - 1 WHERE kind = OLD.kind AND hour = OLD.start_utc / 3600;
                INSERT INTO item_hour_counts (kind, hour, items) VALUES (NEW.kind, NEW.start_utc / 3600, 1)
                    ON CONFLICT (kind, hour) DO UPDATE SET items = items + 1;
            END;

            CREATE TRIGGER conversation_legs_counted AFTER INSERT ON conversation_legs BEGIN
                UPDATE item_hour_counts SET legs = legs + 1,
                    pairs = pairs + NOT EXISTS (SELECT 1 FROM conversation_hours c WHERE c.linked_id = NEW.linked_id AND c.hour = item_hour_counts.hour)
                WHERE kind = 'call' AND hour = (SELECT start_utc / 3600 FROM items WHERE id = NEW.id);
                INSERT INTO conversation_hours (linked_id, hour, legs, first_hour)
                    SELECT NEW.linked_id, d, 1, min(d, coalesce((SELECT min(c.first_hour) FROM conversation_hours c WHERE c.linked_id = NEW.linked_id), d))
                    FROM (SELECT start_utc / 3600 AS d FROM items WHERE id = NEW.id) WHERE true
                    ON CONFLICT (linked_id, hour) DO UPDATE SET legs = legs + 1;
                UPDATE conversation_hours SET first_hour = (SELECT start_utc / 3600 FROM items WHERE id = NEW.id)
                    WHERE linked_id = NEW.linked_id AND first_hour > (SELECT start_utc / 3600 FROM items WHERE id = NEW.id);
            END;
            CREATE TRIGGER conversation_legs_uncounted AFTER DELETE ON conversation_legs BEGIN
                UPDATE conversation_hours SET legs = legs - 1
                    WHERE linked_id = OLD.linked_id AND hour = (SELECT start_utc / 3600 FROM items WHERE id = OLD.id);
                UPDATE item_hour_counts SET legs = legs - 1,
                    pairs = pairs - EXISTS (SELECT 1 FROM conversation_hours c WHERE c.linked_id = OLD.linked_id AND c.hour = item_hour_counts.hour AND c.legs = 0)
                WHERE kind = 'call' AND hour = (SELECT start_utc / 3600 FROM items WHERE id = OLD.id);
                DELETE FROM conversation_hours WHERE linked_id = OLD.linked_id AND legs = 0;
                UPDATE conversation_hours SET first_hour = (SELECT min(c.hour) FROM conversation_hours c WHERE c.linked_id = OLD.linked_id)
                    WHERE linked_id = OLD.linked_id;
            END;

            CREATE TRIGGER recordings_attached AFTER INSERT ON recordings WHEN NEW.call_item_id IS NOT NULL BEGIN
                UPDATE item_hour_counts SET attached = attached + 1
                WHERE kind = 'recording' AND hour = (SELECT start_utc / 3600 FROM items WHERE id = NEW.item_id);
            END;
            CREATE TRIGGER recordings_reattached AFTER UPDATE OF call_item_id ON recordings
            WHEN (OLD.call_item_id IS NULL) <> (NEW.call_item_id IS NULL) BEGIN
                UPDATE item_hour_counts SET attached = attached + (CASE WHEN NEW.call_item_id IS NULL THEN -1 ELSE 1 END)
                WHERE kind = 'recording' AND hour = (SELECT start_utc / 3600 FROM items WHERE id = NEW.item_id);
            END;
            CREATE TRIGGER recordings_detached AFTER DELETE ON recordings WHEN OLD.call_item_id IS NOT NULL BEGIN
                UPDATE item_hour_counts SET attached = attached - 1
                WHERE kind = 'recording' AND hour = (SELECT start_utc / 3600 FROM items WHERE id = OLD.item_id);
            END;
            """)
    }
}
