public import Foundation
public import CallvaultAudit
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The SQLite index of an archive (`index.sqlite`, WAL mode, `synchronous=FULL`,
/// `secure_delete` on). The only module that knows SQL.
public final class ArchiveIndex: Sendable {
    let pool: DatabasePool
    public let path: URL
    /// The chain key new audit entries are sealed with (nil: plain SHA-256).
    let auditKey: AuditKey?
    /// Told, after each write transaction that appended to the log commits, its newest entry.
    let auditCommitted: (@Sendable (AuditEntry) -> Void)?

    /// Opens (creating if needed) the index at `path` and brings its schema up to date.
    /// - Parameters:
    ///   - auditKey: the chain key new audit entries are sealed with.
    ///   - auditCommitted: called after each write transaction that appended audit entries has
    ///     committed, with the newest of them (anchoring counts them; never inside a transaction,
    ///     so it never anchors a head that could still roll back).
    /// - Throws: `IndexError.newerArchive` before changing anything when the file was written
    ///   by a newer callvault.
    public init(path: URL, auditKey: AuditKey? = nil,
                auditCommitted: (@Sendable (AuditEntry) -> Void)? = nil) throws(IndexError) {
        self.path = path
        self.auditKey = auditKey
        self.auditCommitted = auditCommitted
        var config = Configuration()
        config.foreignKeysEnabled = true
        // Another process (expiry, ingest, the service) may hold the write lock for a short
        // transaction: poll every half millisecond instead of SQLite's back-off (which sleeps
        // up to 100 ms at a time, so a 40 ms batch could cost a waiting search 100 ms more);
        // give up after about 10 s.
        config.busyMode = .callback { retries in
            guard retries < 20_000 else { return false }
            usleep(500)
            return true
        }
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON; PRAGMA synchronous = FULL; PRAGMA cache_size = -16384; PRAGMA journal_size_limit = 67108864;")
        }
        do {
            pool = try DatabasePool(path: path.path, configuration: config)
        } catch {
            throw .cannotOpen(path: path.path, reason: "\(error)")
        }
        let migrator = Schema.migrator
        do {
            let applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
            let unknown = applied.subtracting(Schema.knownMigrations)
            if !unknown.isEmpty { throw IndexError.newerArchive(path: path.path, unknownMigrations: unknown.sorted()) }
            try migrator.migrate(pool)
        } catch let error as IndexError {
            throw error
        } catch {
            throw .database("\(error)")
        }
    }

    /// Names of the schema steps applied to this index.
    public func appliedMigrations() throws(IndexError) -> [String] {
        try wrap { try pool.read { db in try Schema.migrator.appliedMigrations(db) } }
    }

    /// Runs `body` in one write transaction; everything it does commits together or not at all.
    @discardableResult
    public func write<T>(_ body: (IndexWriter) throws -> T) throws -> T {
        let appended = AppendedAudit()
        let result = try pool.write { db in try body(IndexWriter(db: db, auditKey: auditKey, appended: appended)) }
        if let newest = appended.newest { auditCommitted?(newest) }
        return result
    }

    /// What the key store must know of an index before opening it, read without changing the
    /// file (no migration): from which entry its log is keyed (nil: not keyed, or no index yet)
    /// and the number-hashing secret it still holds (archives from before the key store).
    public static func keyState(at path: URL, secretName: String) throws(IndexError) -> (keyedFrom: Int64?, secret: Data?) {
        guard FileManager.default.fileExists(atPath: path.path) else { return (nil, nil) }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)  // a checkpoint of another process may hold the file briefly
        do {
            let queue = try DatabaseQueue(path: path.path, configuration: config)
            return try queue.read { db in
                var keyedFrom: Int64?
                if try db.tableExists("audit_head"), try db.columns(in: "audit_head").contains(where: { $0.name == "keyed_from" }) {
                    keyedFrom = try Int64.fetchOne(db, sql: "SELECT keyed_from FROM audit_head WHERE id = 1")
                }
                var secret: Data?
                if try db.tableExists("archive_secrets") {
                    secret = try Data.fetchOne(db, sql: "SELECT value FROM archive_secrets WHERE name = ?", arguments: [secretName])
                }
                return (keyedFrom, secret)
            }
        } catch {
            throw .cannotOpen(path: path.path, reason: "\(error)")
        }
    }

    /// Runs `body` on a consistent read snapshot.
    public func read<T>(_ body: (IndexReader) throws -> T) throws -> T {
        try pool.read { db in try body(IndexReader(db: db)) }
    }

    /// Checkpoints the whole write-ahead log so that the next write starts it over from the
    /// beginning (SQLite's RESTART); the file is then cut back to `journal_size_limit`. Under a
    /// steady stream of writes and reads SQLite's own checkpoints never find the log idle enough
    /// to start it over, and it grows: to 1–4 GB while the expiry benchmark deleted 1M items
    /// beside a search loop.
    ///
    /// Throws when readers of older snapshots kept it busy for longer than `wait`
    /// (`checkpointWholeLog`).
    public func restartWAL(waitingAtMost wait: TimeInterval) throws(IndexError) {
        try checkpointWholeLog(.restart, waitingAtMost: wait)
    }

    /// Checkpoints the whole write-ahead log into the main file and empties the log file, so what
    /// was deleted (with `secure_delete`) is left in neither; throws when readers of older
    /// snapshots kept it busy for longer than `wait`.
    public func truncateWAL(waitingAtMost wait: TimeInterval) throws(IndexError) {
        try checkpointWholeLog(.truncate, waitingAtMost: wait)
    }

    /// Checkpoints the whole write-ahead log into the main file (`mode` RESTART or TRUNCATE, which
    /// also empties the file). Such a checkpoint waits for readers of older snapshots and holds off
    /// every writer meanwhile (and while it copies the log, which a PASSIVE checkpoint before it
    /// does without), so it runs on a connection of its own that waits at most `wait`: a long
    /// reader (an export streaming from one snapshot) makes it throw instead of stalling searches
    /// and ingest for the index's 10 s busy limit.
    func checkpointWholeLog(_ mode: Database.CheckpointMode, waitingAtMost wait: TimeInterval) throws(IndexError) {
        try wrap {
            var config = Configuration()
            config.busyMode = .timeout(wait)
            let connection = try DatabaseQueue(path: path.path, configuration: config)
            try connection.writeWithoutTransaction { db in
                // Copying the log into the file first, while writers go on, leaves the whole-log
                // checkpoint (which holds them off until it is done) only what they wrote meanwhile.
                _ = try db.checkpoint(.passive)
                _ = try db.checkpoint(mode)
            }
        }
    }

    /// Bytes in the write-ahead log file (0 when there is none).
    public var walBytes: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path.path + "-wal"))?[.size] as? NSNumber)?.intValue ?? 0
    }

    func wrap<T>(_ body: () throws -> T) throws(IndexError) -> T {
        do { return try body() } catch let error as IndexError { throw error } catch { throw .database("\(error)") }
    }
}

extension Date {
    var unixSeconds: Int64 { Int64(timeIntervalSince1970.rounded(.down)) }
    init(unixSeconds: Int64) { self.init(timeIntervalSince1970: TimeInterval(unixSeconds)) }
}
