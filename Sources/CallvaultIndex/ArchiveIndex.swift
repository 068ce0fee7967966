public import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The SQLite index of an archive (`index.sqlite`, WAL mode, `synchronous=FULL`,
/// `secure_delete` on). The only module that knows SQL.
public final class ArchiveIndex: Sendable {
    let pool: DatabasePool
    public let path: URL

    /// Opens (creating if needed) the index at `path` and brings its schema up to date.
    /// - Throws: `IndexError.newerArchive` before changing anything when the file was written
    ///   by a newer callvault.
    public init(path: URL) throws(IndexError) {
        self.path = path
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
        try pool.write { db in try body(IndexWriter(db: db)) }
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
