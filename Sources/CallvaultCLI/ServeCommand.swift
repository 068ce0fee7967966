import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultAccess
import CallvaultServer
import Logging

/// `serve [--host H] [--port P]`: the HTTP API, the spool watcher and scheduled expiry.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP API, the spool watcher and scheduled expiry until SIGTERM or SIGINT.",
        discussion: """
            Settings come from [server] in callvault.toml (host, port, expiry_interval, spool_interval, \
            max_ingest_bytes, max_json_bytes); --host and --port override them. Machines authenticate with \
            Authorization: Bearer <token>. On SIGTERM or SIGINT the server stops taking requests, finishes \
            those in flight, the watcher finishes its file and a running expiry completes; then it exits 0. \
            Logs go to stderr (LOG_LEVEL=debug|info|notice|warning|error, default info).
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Address to listen on (default: [server] host, else 127.0.0.1).") var host: String?
    @Option(help: "TCP port (default: [server] port, else 8080; 0 picks a free one).") var port: Int?

    func run() async throws {
        // The service's jobs act as svc:spool and svc:expiry; people authenticate per request.
        guard global.pick == nil else {
            throw ValidationError("serve runs the service; its jobs act as svc:spool and svc:expiry, and people log in per request: drop --as")
        }
        let archive = try global.openArchive()
        var settings = archive.configuration.server
        if let host { settings.host = host }
        if let port {
            guard (0...65535).contains(port) else { throw ValidationError("--port must be 0–65535") }
            settings.port = port
        }
        // No admin, nobody to manage the accounts people log in with: refuse to start.
        try archive.requireEnabledAdmin()
        let principals = ArchiveAccounts(archive: archive)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        let logger = Logger(label: "callvault")
        if archive.leftoversRemovedAtOpen > 0 {
            logger.notice("removed leftovers of killed writes", metadata: ["files": "\(archive.leftoversRemovedAtOpen)"])
        }
        let service = CallvaultService(archive: archive, principals: principals, settings: settings, logger: logger)
        let host = settings.host.contains(":") ? "[\(settings.host)]" : settings.host
        let group = service.makeServiceGroup { port in
            // For the person who started it: where to point the browser.
            FileHandle.standardOutput.write(Data("callvault serves http://\(host):\(port)/ (log in at /login; SIGTERM or Ctrl-C stops it)\n".utf8))
        }
        try await group.run()
    }
}
