import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals
import CallvaultArchive
import CallvaultJobs
import CallvaultModel
import CallvaultSpool
#if canImport(Glibc)
import Glibc
#endif

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Ingest whatever arrives in spool/incoming/, then file it under spool/processed/ or spool/rejected/.",
        discussion: """
            Hooks write a dot-file and rename it when complete; a file still growing is left alone.
            Runs until interrupted (the current file is finished first). --once drains the spool and exits
            (1 when a file failed: it stays in spool/incoming/, the other files are processed).
            A file that fails is tried again after a pause that doubles with each failure (up to 5 minutes).
            Ingests as the service identity svc:spool (who may start it is who may write the archive's files).
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Drain the spool once and exit.") var once = false
    @Option(help: "Seconds between looks at the spool.") var interval = 0.5

    func run() async throws {
        // The spool watcher is a job: it ingests as svc:spool, never as a person (R3).
        guard global.pick == nil else {
            throw ValidationError("watch ingests as the service identity svc:spool, not as an account: drop --as")
        }
        let archive = try global.openArchive()
        if archive.leftoversRemovedAtOpen > 0 {
            Output.error("removed \(archive.leftoversRemovedAtOpen) leftover temp file(s) of killed writes")
        }
        let watcher = SpoolWatcher(archive: archive, actor: Archive.spoolActor)
        if once {
            let summary = try watcher.drain()
            IngestCommand.report(summary, json: global.json)
            // The other files were processed; a file that failed stays in the spool for the next run.
            let failures = watcher.failures()
            for failure in failures { Self.reportFailure(failure) }
            if !failures.isEmpty { throw CommandExit(code: 1) }
            return
        }
        // A parent may have started us with SIGINT and SIGTERM blocked (the mask is inherited): take them.
        var wanted = sigset_t()
        sigemptyset(&wanted)
        sigaddset(&wanted, SIGINT)
        sigaddset(&wanted, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
        if !global.json { Output.error("watching \(archive.layout.incoming.path) (Ctrl-C to stop)") }
        // The same job `serve` runs, in a group of its own: SIGINT or SIGTERM finishes the file
        // in hand and stops. What it does is printed (the report below), not logged.
        var logger = Logger(label: "callvault-watch")
        logger.logLevel = .critical
        let service = SpoolService(watcher: watcher, interval: .milliseconds(Int64(max(0.05, interval) * 1000)),
                                   observer: WatchReport(json: global.json), logger: logger)
        var configuration = ServiceGroupConfiguration(services: [.init(service: service)], logger: logger)
        configuration.gracefulShutdownSignals = [.sigterm, .sigint]
        try await ServiceGroup(configuration: configuration).run()
    }

    /// One line per failed file: which, how often, the error, and when it is tried again.
    static func reportFailure(_ failure: SpoolFailure) {
        let wait = max(0, Int(failure.nextAttempt.timeIntervalSinceNow.rounded(.up)))
        Output.error("failed \(SpoolFiles.masked(failure.name)) (attempt \(failure.attempts)): \(SpoolFiles.masked(failure.error)); it stays in spool/incoming/ and is tried again in \(wait) s (the other files go on)")
    }
}

/// What `watch` prints of its job: each look's ingest report, each failed file, each failed look.
struct WatchReport: JobObserver {
    let json: Bool

    func spoolIngested(_ summary: IngestSummary) { IngestCommand.report(summary, json: json) }

    func spoolFilesFailed(_ failed: [SpoolFailure], failing: Int) { failed.forEach(WatchCommand.reportFailure) }

    func spoolLookFailed(_ error: any Error, retryIn: Duration) {
        Output.error("error: \((error as? any CallvaultError)?.message ?? "\(error)") (will retry in \(retryIn.components.seconds) s)")
    }
}
