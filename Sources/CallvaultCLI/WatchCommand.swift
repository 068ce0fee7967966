import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultModel
#if canImport(Glibc)
import Glibc
#endif

/// Set by SIGINT/SIGTERM: the watcher finishes the current file, then stops.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Ingest whatever arrives in spool/incoming/, then file it under spool/processed/ or spool/rejected/.",
        discussion: """
            Hooks write a dot-file and rename it when complete; a file still growing is left alone.
            Runs until interrupted (the current file is finished first). --once drains the spool and exits.
            Ingests as the service identity svc:spool (who may start it is who may write the archive's files).
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Drain the spool once and exit.") var once = false
    @Option(help: "Seconds between looks at the spool.") var interval = 0.5

    func run() throws {
        // The spool watcher is a job: it ingests as svc:spool, never as a person (R3).
        guard global.pick == nil else {
            throw ValidationError("watch ingests as the service identity svc:spool, not as an account: drop --as")
        }
        let archive = try global.openArchive()
        let watcher = SpoolWatcher(archive: archive, actor: Archive.spoolActor)
        if once {
            let summary = try watcher.drain()
            IngestCommand.report(summary, json: global.json)
            return
        }
        signal(SIGINT) { _ in stopRequested = 1 }
        signal(SIGTERM) { _ in stopRequested = 1 }
        // A parent may have started us with these blocked (the mask is inherited): take them.
        var wanted = sigset_t()
        sigemptyset(&wanted)
        sigaddset(&wanted, SIGINT)
        sigaddset(&wanted, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &wanted, nil)
        if !global.json { Output.error("watching \(archive.layout.incoming.path) (Ctrl-C to stop)") }
        watcher.run(interval: max(0.05, interval), shouldStop: { stopRequested != 0 },
                    onBatch: { IngestCommand.report($0, json: global.json) },
                    onError: { Output.error("error: \(($0 as? any CallvaultError)?.message ?? "\($0)") (will retry)") })
    }
}
