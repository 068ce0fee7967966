import Hummingbird
import CallvaultJobs
import CallvaultAccess
import CallvaultArchive

/// Turns the web UI's session cookie into the request's principal, before any route runs.
///
/// A request with an `Authorization` header is left to the bearer-token check. On the JSON API
/// the cookie counts for reads only (GET, HEAD: a page's `<audio>` element plays a recording):
/// a state-changing API call needs a token, so no form on another site can ride the session.
/// The web UI's own forms are checked against the session's CSRF token.
struct SessionMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    static let cookieName = "cv_session"

    let archive: Archive
    let pool: ArchiveThreadPool
    let idleTimeout: Double

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.headers[.authorization] == nil, context.principal == nil,
              let id = request.cookies[Self.cookieName]?.value, !id.isEmpty, id.utf8.count < 200 else {
            return try await next(request, context)
        }
        let path = request.uri.path
        if path.hasPrefix("/static/") || path == "/healthz" || path == "/metrics" { return try await next(request, context) }
        if path.hasPrefix("/api/") && request.method != .get && request.method != .head { return try await next(request, context) }
        let archive = self.archive, idleTimeout = self.idleTimeout
        let found = try await pool.run { () throws -> (Principal, String)? in
            guard let principal = try archive.session(id: id, idleTimeout: idleTimeout),
                  let csrf = try archive.csrfToken(session: id) else { return nil }
            return (principal, csrf)
        }
        var context = context
        if let (principal, csrf) = found {
            context.principal = principal
            context.webSession = WebSession(id: id, csrf: csrf)
        }
        return try await next(request, context)
    }
}
