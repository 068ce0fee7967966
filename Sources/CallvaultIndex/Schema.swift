import GRDB

/// The index's migrations. Each is named and frozen once shipped: a change is a new migration.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-core", migrate: v1Core)
        migrator.registerMigration("v2-sms-and-recording-names", migrate: v2SMSAndRecordingNames)
        migrator.registerMigration("v3-conversations", migrate: v3Conversations)
        migrator.registerMigration("v4-policy", migrate: v4Policy)
        migrator.registerMigration("v5-conversation-legs", migrate: v5ConversationLegs)
        migrator.registerMigration("v6-users", migrate: v6Users)
        migrator.registerMigration("v7-time-local-call-keys", migrate: v7TimeLocalCallKeys)
        migrator.registerMigration("v8-number-time-indexes", migrate: v8NumberTimeIndexes)
        migrator.registerMigration("v9-leg-names", migrate: v9LegNames)
        migrator.registerMigration("v10-time-keyed-names", migrate: v10TimeKeyedNames)
        migrator.registerMigration("v11-names-vocabulary", migrate: v11NamesVocabulary)
        migrator.registerMigration("v12-leg-conversation-keys", migrate: v12LegConversationKeys)
        migrator.registerMigration("v13-hold-coverage", migrate: v13HoldCoverage)
        migrator.registerMigration("v14-os-logins", migrate: v14OSLogins)
        migrator.registerMigration("v15-keyed-audit", migrate: v15KeyedAudit)
        migrator.registerMigration("v16-kind-time-counts", migrate: v16KindTimeCounts)
        migrator.registerMigration("v17-item-id-floor", migrate: v17ItemIDFloor)
        migrator.registerMigration("v18-pending-report-parties", migrate: v18PendingReportParties)
        migrator.registerMigration("v19-number-validity", migrate: v19NumberValidity)
        migrator.registerMigration("v20-pending-report-parties-index", migrate: v20PendingReportPartiesIndex)
        return migrator
    }

    /// Names of the migrations this binary knows, oldest first.
    static var knownMigrations: [String] { migrator.migrations }

    /// The legs of one call (one conversation) share `linked_id`: this index finds a
    /// conversation's legs, its earliest start and its primary leg in one seek.
    static func v3Conversations(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX items_conversation ON items(linked_id, start_utc) WHERE kind = 'call' AND linked_id IS NOT NULL;
            """)
    }

    /// Delivery reports that arrived before their SMS, and the recording file a CDR names
    /// (FreeSWITCH `record_file_name`), so such recordings link to their call.
    static func v2SMSAndRecordingNames(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE sms_pending_status (
                source_key TEXT PRIMARY KEY NOT NULL,
                message_id TEXT NOT NULL,
                status TEXT NOT NULL,
                time_utc INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE INDEX sms_pending_status_message ON sms_pending_status(message_id);
            ALTER TABLE items ADD COLUMN recording_file TEXT;
            CREATE INDEX items_recording_file ON items(recording_file) WHERE recording_file IS NOT NULL;
            CREATE INDEX recordings_file_name ON recordings(file_name);
            """)
    }

    static func v1Core(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE items (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL CHECK (kind IN ('call', 'sms', 'recording')),
                source_key TEXT NOT NULL UNIQUE,
                format TEXT NOT NULL,
                start_utc INTEGER NOT NULL,
                direction TEXT CHECK (direction IN ('inbound', 'outbound', 'internal')),
                from_raw TEXT,
                from_e164 TEXT,
                from_rev TEXT,
                to_raw TEXT,
                to_e164 TEXT,
                to_rev TEXT,
                duration_s REAL NOT NULL DEFAULT 0 CHECK (duration_s >= 0),
                disposition TEXT,
                agent TEXT,
                caller_name TEXT,
                context TEXT,
                pbx_unique_id TEXT,
                linked_id TEXT,
                answer_utc INTEGER,
                end_utc INTEGER,
                billsec INTEGER,
                details TEXT NOT NULL DEFAULT '{}',
                retain_until INTEGER NOT NULL,
                ingested_at INTEGER NOT NULL
            );
            CREATE INDEX items_start ON items(start_utc);
            CREATE INDEX items_from_rev ON items(from_rev);
            CREATE INDEX items_to_rev ON items(to_rev);
            CREATE INDEX items_unique_id ON items(pbx_unique_id);
            CREATE INDEX items_agent ON items(agent, start_utc);

            CREATE TABLE recordings (
                item_id INTEGER PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
                sha256 TEXT NOT NULL CHECK (length(sha256) = 64),
                bytes INTEGER NOT NULL CHECK (bytes >= 0),
                stored_bytes INTEGER NOT NULL,
                codec TEXT NOT NULL,
                sample_rate INTEGER NOT NULL,
                channels INTEGER NOT NULL,
                bits INTEGER NOT NULL,
                audio_duration_s REAL NOT NULL,
                warning TEXT,
                file_name TEXT NOT NULL,
                recording_type TEXT NOT NULL,
                queue TEXT,
                call_unique_id TEXT,
                call_item_id INTEGER REFERENCES items(id) ON DELETE SET NULL
            );
            CREATE INDEX recordings_call_unique_id ON recordings(call_unique_id);
            CREATE INDEX recordings_call_item_id ON recordings(call_item_id);
            CREATE INDEX recordings_sha256 ON recordings(sha256);

            CREATE TABLE customers (
                id TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                relationship_ended INTEGER,
                updated_at INTEGER NOT NULL
            );
            CREATE TABLE customer_numbers (
                customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
                e164 TEXT NOT NULL CHECK (e164 GLOB '+[1-9]*'),
                raw TEXT NOT NULL,
                PRIMARY KEY (customer_id, e164)
            ) WITHOUT ROWID;
            CREATE INDEX customer_numbers_e164 ON customer_numbers(e164);
            CREATE TABLE item_customers (
                customer_id TEXT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
                item_id INTEGER NOT NULL REFERENCES items(id) ON DELETE CASCADE,
                PRIMARY KEY (customer_id, item_id)
            ) WITHOUT ROWID;
            CREATE INDEX item_customers_item ON item_customers(item_id);

            CREATE VIRTUAL TABLE items_fts USING fts5(
                caller_name, content='items', content_rowid='id', tokenize='unicode61 remove_diacritics 0'
            );

            CREATE TABLE audit_log (
                seq INTEGER PRIMARY KEY,
                time_ms INTEGER NOT NULL,
                actor TEXT NOT NULL,
                role TEXT NOT NULL,
                action TEXT NOT NULL,
                items TEXT NOT NULL,
                purpose TEXT,
                details TEXT NOT NULL,
                outcome TEXT NOT NULL CHECK (outcome IN ('allowed', 'denied', 'failed')),
                reason TEXT,
                duration_ms INTEGER,
                origin TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            );
            CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TABLE audit_head (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                count INTEGER NOT NULL,
                last_hash TEXT NOT NULL
            );
            INSERT INTO audit_head (id, count, last_hash) VALUES (1, 0, '\(String(repeating: "0", count: 64))');

            CREATE TABLE archive_secrets (
                name TEXT PRIMARY KEY NOT NULL,
                value BLOB NOT NULL
            );
            """)
    }
}
