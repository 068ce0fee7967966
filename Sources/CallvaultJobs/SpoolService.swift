public import ServiceLifecycle
public import CallvaultArchive
public import Logging
import Foundation
import NIOConcurrencyHelpers
import CallvaultSpool

/// The spool watcher as a service (of `callvault serve` and `callvault watch`): looks at
/// `spool/incoming/` every `interval`; on graceful shutdown finishes the file in hand and
/// starts no other.
public struct SpoolService: Service {
    let watcher: SpoolWatcher
    let interval: Duration
    let observer: any JobObserver
    let logger: Logger
    let pool = ArchiveThreadPool.shared

    public init(watcher: SpoolWatcher, interval: Duration, observer: any JobObserver, logger: Logger) {
        self.watcher = watcher
        self.interval = interval
        self.observer = observer
        self.logger = logger
    }

    public func run() async throws {
        let stopping = NIOLockedValueBox(false)
        let removed = watcher.removeStaleUploads()
        if removed > 0 { logger.notice("removed half-received uploads", metadata: ["files": "\(removed)"]) }
        logger.info("spool watcher started")
        await withGracefulShutdownHandler {
            // Whole looks that fail (the spool folder unreadable, say) back off too: up to a minute.
            var failedLooks = 0
            while !stopping.withLockedValue({ $0 }) && !Task.isCancelled {
                var pause = interval
                do {
                    let (summary, _, failed) = try await pool.run { [watcher] in
                        try watcher.look(stopRequested: { stopping.withLockedValue { $0 } })
                    }
                    failedLooks = 0
                    if summary.files > 0 {
                        observer.spoolIngested(summary)
                        logger.info("spool ingested", metadata: [
                            "files": "\(summary.files)", "calls": "\(summary.calls)", "sms": "\(summary.sms)",
                            "recordings": "\(summary.recordings)", "duplicates": "\(summary.duplicates)", "rejected": "\(summary.rejected.count)",
                        ])
                    }
                    // Each failure is logged once per attempt; the file waits a doubling pause.
                    for failure in failed {
                        logger.error("spool file failed; it stays in the spool and is tried again later", metadata: [
                            "file": "\(SpoolFiles.masked(String(failure.name.prefix(80))))", "attempts": "\(failure.attempts)",
                            "retry_in_s": "\(Int(failure.nextAttempt.timeIntervalSinceNow.rounded(.up)))",
                            "error": "\(SpoolFiles.masked(String(failure.error.prefix(200))))",
                        ])
                    }
                    observer.spoolFilesFailed(failed, failing: watcher.failures().count)
                } catch {
                    failedLooks += 1
                    pause = min(.seconds(60), interval * (1 << min(failedLooks, 10)))
                    logger.error("spool look failed; retrying", metadata: [
                        "error": "\(String(describing: error).prefix(200))", "retry_in_s": "\(pause.components.seconds)",
                    ])
                    observer.spoolLookFailed(error, retryIn: pause)
                }
                let wait = pause
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: wait) }
            }
        } onGracefulShutdown: {
            stopping.withLockedValue { $0 = true }
        }
        logger.info("spool watcher stopped")
    }
}

/// Scheduled expiry as a service: runs `Archive.expire()` every `interval` (the first run one
/// interval after start). On graceful shutdown a run in progress finishes; no new one starts.
public struct ExpiryService: Service {
    let archive: Archive
    let interval: Duration
    let observer: any JobObserver
    let logger: Logger
    let pool = ArchiveThreadPool.shared

    public init(archive: Archive, interval: Duration, observer: any JobObserver, logger: Logger) {
        self.archive = archive
        self.interval = interval
        self.observer = observer
        self.logger = logger
    }

    public func run() async throws {
        logger.info("scheduled expiry started", metadata: ["interval_s": "\(interval.components.seconds)"])
        while true {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            do {
                let report = try await pool.run { [archive] in try archive.expire() }
                observer.expiryRan(report)
                logger.info("expiry run", metadata: [
                    "calls": "\(report.deleted.calls)", "sms": "\(report.deleted.sms)", "recordings": "\(report.deleted.recordings)",
                    "held": "\(report.held)", "ms": "\(report.durationMs)",
                ])
            } catch {
                observer.expiryFailed(error)
                logger.error("expiry run failed; retrying at the next interval", metadata: ["error": "\(String(describing: error).prefix(200))"])
            }
        }
        logger.info("scheduled expiry stopped")
    }
}

extension SpoolService: CustomStringConvertible {
    public var description: String { "SpoolService" }
}

extension ExpiryService: CustomStringConvertible {
    public var description: String { "ExpiryService" }
}
