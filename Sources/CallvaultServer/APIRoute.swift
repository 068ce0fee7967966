public import Hummingbird
public import CallvaultAccess

/// Who may call a route.
public enum RouteAccess: Sendable, Equatable {
    /// Anyone, without credentials (the health check only: it reveals nothing).
    case open
    /// An authenticated principal whose role the permission table allows this action.
    case action(Action)
    /// A metrics scraper: a client whose address `[server] metrics_addresses` lists, or that sends
    /// the token of `[server] metrics_token_file`; anyone else as `action`. Loopback is not
    /// special: behind a reverse proxy on the same machine every client comes from 127.0.0.1.
    case scraperOr(Action)

    /// The action the route maps to, if any.
    public var action: Action? {
        switch self {
        case .open: return nil
        case .action(let action), .scraperOr(let action): return action
        }
    }
}

/// Every route of the HTTP API, with its method, path and the one action it is authorised by.
/// The router is built from this table, so a route cannot exist without its authorisation;
/// tests enumerate it for every role.
public enum APIRoute: String, CaseIterable, Sendable {
    case health
    case search
    case item
    case recordingAudio
    case listHolds
    case placeHold
    case releaseHold
    case erase
    case restrict
    case unrestrict
    case export
    case auditVerify
    case ingest
    case metrics

    /// The HTTP method.
    public var method: HTTPRequest.Method {
        switch self {
        case .health, .search, .item, .recordingAudio, .listHolds, .auditVerify, .metrics: return .get
        case .placeHold, .releaseHold, .erase, .restrict, .unrestrict, .export, .ingest: return .post
        }
    }

    /// The path pattern; `{id}` is a path parameter.
    public var path: String {
        switch self {
        case .health: return "/healthz"
        case .search: return "/api/v1/search"
        case .item: return "/api/v1/items/{id}"
        case .recordingAudio: return "/api/v1/recordings/{id}/audio"
        case .listHolds, .placeHold: return "/api/v1/holds"
        case .releaseHold: return "/api/v1/holds/{id}/release"
        case .erase: return "/api/v1/erase"
        case .restrict: return "/api/v1/restrict"
        case .unrestrict: return "/api/v1/unrestrict"
        case .export: return "/api/v1/export"
        case .auditVerify: return "/api/v1/audit/verify"
        case .ingest: return "/api/v1/ingest"
        case .metrics: return "/metrics"
        }
    }

    /// The query parameters it takes; any other is refused (400), so a typo never widens a search.
    public var queryParameters: [String] {
        switch self {
        case .search: return ["number", "customer", "from", "to", "kind", "direction", "agent", "text", "limit", "purpose"]
        case .item, .recordingAudio: return ["purpose"]
        case .listHolds: return ["all"]
        case .health, .placeHold, .releaseHold, .erase, .restrict, .unrestrict, .export, .auditVerify, .ingest, .metrics: return []
        }
    }

    /// Who may call it.
    public var access: RouteAccess {
        switch self {
        case .health: return .open
        case .search: return .action(.search)
        case .item: return .action(.viewItem)
        case .recordingAudio: return .action(.playRecording)
        case .listHolds: return .action(.listHolds)
        case .placeHold: return .action(.placeHold)
        case .releaseHold: return .action(.releaseHold)
        case .erase: return .action(.erase)
        // Lifting a restriction is the same right as placing one.
        case .restrict, .unrestrict: return .action(.restrict)
        case .export: return .action(.export)
        case .auditVerify: return .action(.verifyAudit)
        case .ingest: return .action(.ingest)
        case .metrics: return .scraperOr(.readMetrics)
        }
    }
}
