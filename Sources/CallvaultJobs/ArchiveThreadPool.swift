import NIOPosix

/// Runs the archive's blocking work (SQLite, file I/O, decompression) on NIO's thread pool,
/// so it never stalls the event loops or Swift's cooperative threads.
public struct ArchiveThreadPool: Sendable {
    let pool: NIOThreadPool

    /// The process-wide pool (NIO's singleton).
    public static let shared = ArchiveThreadPool(pool: .singleton)

    /// Runs `work` on a pool thread and returns its result.
    @discardableResult
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.runIfActive(work)
    }
}
