public import ServiceLifecycle
public import CallvaultArchive
public import CallvaultConfiguration
public import Logging
public import UnixSignals
import CallvaultJobs
import Hummingbird

/// `callvault serve`: the HTTP API, the spool watcher, scheduled expiry and hourly anchoring of
/// the audit log in one ServiceGroup. SIGTERM or SIGINT shuts down gracefully: the server stops
/// accepting and finishes the requests in flight (an upload being ingested completes), the
/// watcher finishes its file, an expiry run in progress completes, the head is anchored.
public struct CallvaultService: Sendable {
    public let api: CallvaultAPI
    public let logger: Logger

    /// Creates the service of `archive`, authenticating tokens with `principals`.
    public init(archive: Archive, principals: any PrincipalResolver, settings: ServerSettings? = nil, logger: Logger) {
        let settings = settings ?? archive.configuration.server
        api = CallvaultAPI(archive: archive, principals: principals,
                           spool: SpoolWatcher(archive: archive, actor: Archive.spoolActor),
                           settings: settings)
        self.logger = logger
    }

    /// The service group; `gracefulShutdownSignals` empty lets a test trigger the shutdown itself.
    /// - Parameter onServerRunning: called with the bound port once the server listens.
    /// - Parameter anchorInterval: how often the audit head is anchored at the latest (an hour).
    public func makeServiceGroup(gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint], anchorInterval: Duration = .seconds(3600),
                                 onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> ServiceGroup {
        let settings = api.settings
        let logger = self.logger
        let app = api.makeApplication(logger: logger) { port in
            logger.info("listening", metadata: ["host": "\(settings.host)", "port": "\(port)"])
            await onServerRunning(port)
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: AuditAnchorService(archive: api.archive, interval: anchorInterval, logger: logger)),
            .init(service: SpoolService(watcher: api.spool, interval: .milliseconds(Int64(settings.spoolInterval * 1000)),
                                        observer: api.metrics, logger: logger)),
        ]
        if settings.expiryInterval > 0 {
            services.append(.init(service: ExpiryService(archive: api.archive, interval: .milliseconds(Int64(settings.expiryInterval * 1000)),
                                                         observer: api.metrics, logger: logger)))
        }
        // Shut down in reverse order: the server stops taking requests first.
        services.append(.init(service: app))
        var configuration = ServiceGroupConfiguration(services: services, logger: logger)
        configuration.gracefulShutdownSignals = gracefulShutdownSignals
        return ServiceGroup(configuration: configuration)
    }
}
