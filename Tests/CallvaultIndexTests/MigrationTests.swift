import Foundation
import Testing
@testable import CallvaultIndex
import CallvaultTesting

@Suite struct MigrationTests {
    @Test func newIndexIsInWALModeWithTheCurrentSchema() throws {
        let folder = TemporaryFolder()
        let path = folder.path("index.sqlite")
        let index = try ArchiveIndex(path: path)
        #expect(try index.appliedMigrations() == ["v1-core", "v2-sms-and-recording-names", "v3-conversations", "v4-policy", "v5-conversation-legs", "v6-users", "v7-time-local-call-keys", "v8-number-time-indexes", "v9-leg-names", "v10-time-keyed-names", "v11-names-vocabulary", "v12-leg-conversation-keys", "v13-hold-coverage", "v14-os-logins", "v15-keyed-audit", "v16-kind-time-counts", "v17-item-id-floor", "v18-pending-report-parties", "v19-number-validity", "v20-pending-report-parties-index"])
        #expect(try Shell.run("/usr/bin/sqlite3", [path.path, "PRAGMA journal_mode"]) == "wal")
    }

    @Test func reopeningAnUpToDateIndexChangesNothing() throws {
        let folder = TemporaryFolder()
        let path = folder.path("index.sqlite")
        _ = try ArchiveIndex(path: path)
        let index = try ArchiveIndex(path: path)
        #expect(try index.appliedMigrations() == ["v1-core", "v2-sms-and-recording-names", "v3-conversations", "v4-policy", "v5-conversation-legs", "v6-users", "v7-time-local-call-keys", "v8-number-time-indexes", "v9-leg-names", "v10-time-keyed-names", "v11-names-vocabulary", "v12-leg-conversation-keys", "v13-hold-coverage", "v14-os-logins", "v15-keyed-audit", "v16-kind-time-counts", "v17-item-id-floor", "v18-pending-report-parties", "v19-number-validity", "v20-pending-report-parties-index"])
    }

    @Test func anOlderBinaryRefusesANewerArchiveWithoutTouchingIt() throws {
        let folder = TemporaryFolder()
        let path = folder.path("index.sqlite")
        _ = try ArchiveIndex(path: path)
        // A newer callvault would have recorded a schema step this binary does not know.
        try Shell.run("/usr/bin/sqlite3", [path.path, "INSERT INTO grdb_migrations (identifier) VALUES ('v9-future'); PRAGMA wal_checkpoint(TRUNCATE);"])
        let before = try Shell.run("/usr/bin/sqlite3", [path.path, ".dump"])
        #expect {
            _ = try ArchiveIndex(path: path)
        } throws: { error in
            guard let error = error as? IndexError, case .newerArchive(_, let unknown) = error else { return false }
            return unknown == ["v9-future"] && error.message.contains("newer callvault")
        }
        #expect(try Shell.run("/usr/bin/sqlite3", [path.path, ".dump"]) == before)
    }

    @Test func theAuditLogIsAppendOnlyInTheSchema() throws {
        let folder = TemporaryFolder()
        let path = folder.path("index.sqlite")
        let index = try ArchiveIndex(path: path)
        try index.write { writer in
            try writer.appendAudit(.init(actor: "t", action: "test", origin: "test"), at: Date())
        }
        #expect(throws: (any Error).self) {
            try Shell.run("/usr/bin/sqlite3", [path.path, "UPDATE audit_log SET actor = 'x'"])
        }
        #expect(throws: (any Error).self) {
            try Shell.run("/usr/bin/sqlite3", [path.path, "DELETE FROM audit_log"])
        }
    }

    /// Shipped migrations carry their own SQL; the queries of today must still spell the
    /// expressions those migrations froze into indexes and keys, or SQLite stops using the
    /// indexes (and name keys stop matching) without any error.
    @Test func todaysQueriesSpellTheExpressionsTheFrozenMigrationsIndexed() throws {
        let folder = TemporaryFolder()
        let path = folder.path("index.sqlite")
        _ = try ArchiveIndex(path: path)
        let indexSQL = try Shell.run("/usr/bin/sqlite3", [path.path, "SELECT group_concat(sql, ';') FROM sqlite_master WHERE name IN ('items_call_unique_id', 'items_conversation_day')"])
        #expect(indexSQL.contains("items(\(Schema.callDay), pbx_unique_id)") && indexSQL.contains("items(\(Schema.callDay), linked_id)"), "\(indexSQL)")
        // A name key as v10 wrote it for every stored name equals what ingest and deletion compute now.
        let frozen = "CASE WHEN start_utc >= 0 AND start_utc < 4294967296 AND id < 2147483648 THEN (start_utc << 31) | id ELSE -id END"
        let samples = "(SELECT 1700000000 AS start_utc, 7 AS id UNION ALL SELECT -5, 9 UNION ALL SELECT 1700000000, 3000000000)"
        let differing = try Shell.run("/usr/bin/sqlite3", [path.path, "SELECT count(*) FROM \(samples) WHERE (\(frozen)) IS NOT (\(Schema.nameKey(start: "start_utc", id: "id")))"])
        #expect(differing == "0")
    }
}
