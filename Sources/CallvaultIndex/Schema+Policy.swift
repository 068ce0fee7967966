import Foundation
import CallvaultModel
import GRDB

extension Schema {
    /// `retain_until` of an item kept while a linked customer relationship lasts.
    static let retainWhileRelationshipLasts: Int64 = 253_402_300_799 // 9999-12-31T23:59:59Z

    /// The stored form of a retain-until date (nil: while a relationship lasts).
    static func storedRetainUntil(_ date: Date?) -> Int64 {
        date.map { min($0.unixSeconds, retainWhileRelationshipLasts - 1) } ?? retainWhileRelationshipLasts
    }

    /// A stored retain-until value as a date (nil: while a relationship lasts).
    static func retainUntil(stored value: Int64) -> Date? {
        value >= retainWhileRelationshipLasts ? nil : Date(unixSeconds: value)
    }

    /// Retention classes per item, legal holds, restrictions, the request register, erasure
    /// jobs, manual link corrections, the blob deletion queue and audit log pruning.
    static func v4Policy(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE items ADD COLUMN retention_class TEXT;
            CREATE INDEX items_retain_until ON items(retain_until);

            CREATE TABLE holds (
                id INTEGER PRIMARY KEY,
                case_name TEXT NOT NULL,
                reason TEXT NOT NULL,
                from_utc INTEGER,
                to_utc INTEGER,
                placed_by TEXT NOT NULL,
                placed_at INTEGER NOT NULL,
                released_by TEXT,
                released_at INTEGER,
                release_reason TEXT
            );
            CREATE TABLE hold_scopes (
                hold_id INTEGER NOT NULL REFERENCES holds(id),
                kind TEXT NOT NULL CHECK (kind IN ('customer', 'number', 'item')),
                value TEXT NOT NULL,
                PRIMARY KEY (hold_id, kind, value)
            ) WITHOUT ROWID;
            CREATE INDEX hold_scopes_value ON hold_scopes(kind, value);

            CREATE TABLE restrictions (
                id INTEGER PRIMARY KEY,
                customer_id TEXT NOT NULL,
                reason TEXT NOT NULL,
                request_id INTEGER REFERENCES requests(id),
                placed_by TEXT NOT NULL,
                placed_at INTEGER NOT NULL,
                lifted_by TEXT,
                lifted_at INTEGER
            );
            CREATE INDEX restrictions_customer ON restrictions(customer_id) WHERE lifted_at IS NULL;

            CREATE TABLE requests (
                id INTEGER PRIMARY KEY,
                customer_id TEXT NOT NULL,
                type TEXT NOT NULL CHECK (type IN ('access', 'erasure', 'rectification', 'restriction', 'portability')),
                received_at INTEGER NOT NULL,
                due_at INTEGER NOT NULL,
                opened_by TEXT NOT NULL,
                note TEXT,
                closed_at INTEGER,
                closed_by TEXT,
                outcome TEXT,
                freeze_until INTEGER
            );
            CREATE INDEX requests_customer ON requests(customer_id);

            CREATE TABLE erasures (
                id INTEGER PRIMARY KEY,
                customer_id TEXT NOT NULL,
                reason TEXT NOT NULL,
                requested_by TEXT NOT NULL,
                requested_at INTEGER NOT NULL,
                completed_at INTEGER,
                report TEXT NOT NULL DEFAULT '{}'
            );
            CREATE INDEX erasures_pending ON erasures(customer_id) WHERE completed_at IS NULL;

            CREATE TABLE link_overrides (
                item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
                customer_id TEXT NOT NULL,
                linked INTEGER NOT NULL CHECK (linked IN (0, 1)),
                set_by TEXT NOT NULL,
                set_at INTEGER NOT NULL,
                reason TEXT NOT NULL,
                PRIMARY KEY (item_id, customer_id)
            ) WITHOUT ROWID;

            CREATE TABLE blob_deletions (
                sha256 TEXT PRIMARY KEY NOT NULL,
                queued_at INTEGER NOT NULL
            ) WITHOUT ROWID;

            CREATE TABLE policy_state (
                name TEXT PRIMARY KEY NOT NULL,
                value TEXT NOT NULL
            ) WITHOUT ROWID;
            INSERT INTO policy_state (name, value) VALUES ('retention-apply-needed', 'v4-policy');

            ALTER TABLE audit_head ADD COLUMN pruned_upto INTEGER NOT NULL DEFAULT 0;
            ALTER TABLE audit_head ADD COLUMN pruned_hash TEXT;
            DROP TRIGGER audit_log_append_only_delete;
            CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
                WHEN OLD.seq > (SELECT pruned_upto FROM audit_head WHERE id = 1)
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only; only entries past their retention are pruned'); END;
            """)
    }
}
