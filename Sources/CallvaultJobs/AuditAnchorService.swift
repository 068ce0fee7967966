public import ServiceLifecycle
public import CallvaultArchive
public import Logging
import Foundation

/// Anchors the audit log's head outside the archive at least every `interval` while serving
/// (the archive itself anchors every `AuditKeyOptions.anchorEvery` entries), and once more on
/// graceful shutdown, after the server stopped taking requests (it is first in the group, so it
/// stops last).
public struct AuditAnchorService: Service {
    let archive: Archive
    let interval: Duration
    let logger: Logger
    let pool = ArchiveThreadPool.shared

    public init(archive: Archive, interval: Duration, logger: Logger) {
        self.archive = archive
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while true {
            let stopping: Bool
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
                stopping = Task.isShuttingDownGracefully || Task.isCancelled
            } catch {
                stopping = true
            }
            do {
                if let anchor = try await pool.run({ [archive] in try archive.anchorAuditHead() }) {
                    logger.info("audit head anchored", metadata: ["sequence": "\(anchor.sequence)"])
                }
            } catch {
                logger.error("anchoring the audit head failed; retrying", metadata: ["error": "\(String(describing: error).prefix(300))"])
            }
            if stopping { break }
        }
    }
}

extension AuditAnchorService: CustomStringConvertible {
    public var description: String { "AuditAnchorService" }
}
