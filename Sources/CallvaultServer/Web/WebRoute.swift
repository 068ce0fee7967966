public import Hummingbird
public import CallvaultAccess

/// Every route of the web UI, with its method, path and the one action it is authorised by —
/// the sibling of `APIRoute`, enumerated by the same route × role tests. Pages (GET) of a
/// visitor without a session redirect to `/login`; forms (POST) carry the session's CSRF token.
public enum WebRoute: String, CaseIterable, Sendable {
    case stylesheet
    case loginForm
    case login
    case logout
    case search
    case item
    case customer
    case customerExport
    case customerErase
    case customerRestrict
    case customerUnrestrict
    case holds
    case placeHold
    case releaseHold
    case audit
    case ingestStatus

    /// The HTTP method.
    public var method: HTTPRequest.Method {
        switch self {
        case .stylesheet, .loginForm, .search, .item, .customer, .holds, .audit, .ingestStatus: return .get
        case .login, .logout, .customerExport, .customerErase, .customerRestrict, .customerUnrestrict, .placeHold, .releaseHold: return .post
        }
    }

    /// The path pattern; `{id}` is a path parameter.
    public var path: String {
        switch self {
        case .stylesheet: return "/static/app.css"
        case .loginForm, .login: return "/login"
        case .logout: return "/logout"
        case .search: return "/"
        case .item: return "/items/{id}"
        case .customer: return "/customers/{id}"
        case .customerExport: return "/customers/{id}/export"
        case .customerErase: return "/customers/{id}/erase"
        case .customerRestrict: return "/customers/{id}/restrict"
        case .customerUnrestrict: return "/customers/{id}/unrestrict"
        case .holds, .placeHold: return "/holds"
        case .releaseHold: return "/holds/{id}/release"
        case .audit: return "/audit"
        case .ingestStatus: return "/ingest"
        }
    }

    /// Who may call it. The stylesheet and the login form are open; logging in checks the
    /// password; logging out ends whatever session the request carries.
    public var access: RouteAccess {
        switch self {
        case .stylesheet, .loginForm, .login, .logout: return .open
        case .search: return .action(.search)
        case .item: return .action(.viewItem)
        case .customer: return .action(.viewCustomer)
        case .customerExport: return .action(.export)
        case .customerErase: return .action(.erase)
        // Lifting a restriction is the same right as placing one (as in the API).
        case .customerRestrict, .customerUnrestrict: return .action(.restrict)
        case .holds: return .action(.listHolds)
        case .placeHold: return .action(.placeHold)
        case .releaseHold: return .action(.releaseHold)
        case .audit: return .action(.readAudit)
        case .ingestStatus: return .action(.viewIngestStatus)
        }
    }

    /// Whether the route changes something and so checks the form's CSRF token (logging in
    /// checks the login form's own token instead).
    public var checksCSRF: Bool { method == .post && self != .login }

    /// The pages of the navigation bar, in order, with their labels.
    static let navigation: [(WebRoute, String)] = [
        (.search, "Search"), (.holds, "Holds"), (.audit, "Audit trail"), (.ingestStatus, "Ingest"),
    ]

    /// Where a role lands after logging in: the first page of the navigation it may see.
    public static func landing(for role: Role) -> String {
        navigation.first { route, _ in route.access.action.map { PermissionTable.allows(role, $0) } ?? true }?.0.path ?? "/login"
    }
}
