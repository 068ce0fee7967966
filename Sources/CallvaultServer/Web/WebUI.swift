import Hummingbird
import CallvaultJobs
import HTTPTypes
import Foundation
import CallvaultAccess
import CallvaultArchive
import CallvaultModel

/// The server-rendered web UI (issue 5): login with a session cookie, search, items with their
/// recordings, customers, holds, the audit trail and the spool. Every page and form is a
/// `WebRoute` authorised by its action in the permission table, and calls the same Archive
/// methods as the JSON API. Works without JavaScript; every interpolated value is escaped (`HTML`).
struct WebUI: Sendable {
    let api: CallvaultAPI
    let pool = ArchiveThreadPool.shared

    var archive: Archive { api.archive }

    /// The login form's own CSRF cookie (double submit: before login there is no session).
    static let loginCookie = "cv_login"

    func addRoutes(to router: Router<APIRequestContext>) {
        for route in WebRoute.allCases {
            router.on(RouterPath(route.path), method: route.method) { request, context -> Response in
                await self.serve(route, request: request, context: context)
            }
        }
    }

    /// Authorises `route` (session, CSRF, permission table) and answers it; every failure is a page.
    func serve(_ route: WebRoute, request: Request, context: APIRequestContext) async -> Response {
        do {
            var form = WebForm()
            if route.method == .post { form = try await WebForm.read(request, limit: api.settings.maxJSONBytes) }
            if let action = route.access.action {
                guard let principal = context.principal, context.webSession != nil else {
                    return Self.redirect(to: "/login" + HTML.query([("next", Self.localTarget(request))]))
                }
                if route.checksCSRF { try checkCSRF(form, context) }
                guard principal.may(action) else {
                    let denial = AccessError.denied(role: principal.role, action: action)
                    let actor = Actor(principal, origin: context.origin)
                    let items = context.parameters.get("id").map { [String($0.prefix(40))] } ?? []
                    try await pool.run { [archive] in
                        try archive.recordDenial(action: action.rawValue, items: items, reason: denial.description, actor: actor)
                    }
                    return errorPage(.forbidden, "Not allowed", denial.description, context)
                }
            } else if route == .logout, context.webSession != nil {
                try checkCSRF(form, context)
            }
            return try await respond(route, request: request, context: context, form: form)
        } catch {
            return errorPage(for: error, context)
        }
    }

    func respond(_ route: WebRoute, request: Request, context: APIRequestContext, form: WebForm) async throws -> Response {
        switch route {
        case .stylesheet:
            return Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                            body: .init(byteBuffer: ByteBuffer(string: WebAssets.stylesheet)))
        case .loginForm: return loginForm(request, context)
        case .login: return try await login(request, context, form)
        case .logout: return try await logout(request, context)
        case .search: return try await searchPage(request, context)
        case .item: return try await itemPage(request, context)
        case .customer: return try await customerPage(request, context)
        case .customerExport: return try await customerExport(context, form)
        case .customerErase: return try await customerErase(context, form)
        case .customerRestrict: return try await customerRestrict(context, form, lift: false)
        case .customerUnrestrict: return try await customerRestrict(context, form, lift: true)
        case .holds: return try await holdsPage(request, context)
        case .placeHold: return try await placeHold(context, form)
        case .releaseHold: return try await releaseHold(context, form)
        case .audit: return try await auditPage(request, context)
        case .ingestStatus: return try await ingestPage(context)
        }
    }

    // MARK: sessions

    /// Refuses a form whose `csrf` field is not the session's token (403).
    func checkCSRF(_ form: WebForm, _ context: APIRequestContext) throws {
        guard let session = context.webSession, let token = form["csrf"], Secrets.constantTimeEquals(token, session.csrf) else {
            throw APIError(.forbidden, "the form's security token is missing or out of date: reload the page and submit it again")
        }
    }

    /// Whether the session cookie gets `Secure` for this request (`[server] secure_cookies`).
    func isSecure(_ request: Request) -> Bool {
        switch api.settings.secureCookies {
        case .always: return true
        case .never: return false
        case .auto:
            return request.uri.scheme == .https
                || request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased().split(separator: ",").first?.trimmingCharacters(in: .whitespaces) == "https"
        }
    }

    /// A `Set-Cookie` value: HttpOnly, SameSite=Strict, and Secure when the request came over TLS.
    func cookie(_ name: String, _ value: String, path: String = "/", remove: Bool = false, request: Request) -> String {
        var parts = ["\(name)=\(value)", "Path=\(path)", "HttpOnly", "SameSite=Strict"]
        if remove { parts.append("Max-Age=0") }
        if isSecure(request) { parts.append("Secure") }
        return parts.joined(separator: "; ")
    }

    func loginForm(_ request: Request, _ context: APIRequestContext, message: String? = nil, name: String? = nil,
                   status: HTTPResponse.Status = .ok) -> Response {
        if let principal = context.principal, context.webSession != nil, message == nil {
            return Self.redirect(to: WebRoute.landing(for: principal.role))
        }
        let nonce = Secrets.newCSRFToken()
        let next = WebQuery(request)["next"].flatMap(Self.safeTarget)
        let body: HTML = """
        <div class="login">
        <h1>Log in to callvault</h1>
        \(message.map { HTML("<p class=\"message error\" role=\"alert\">\($0)</p>") } ?? .empty)
        <form class="panel" method="post" action="/login">
        <input type="hidden" name="csrf" value="\(nonce)">
        \(next.map { HTML("<input type=\"hidden\" name=\"next\" value=\"\($0)\">") } ?? .empty)
        <p><label for="name">User name</label>
        <input type="text" id="name" name="name" autocomplete="username" autocapitalize="none" spellcheck="false" required value="\(name ?? "")"\(name == nil ? HTML(" autofocus") : .empty)></p>
        <p><label for="password">Password</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required\(name != nil ? HTML(" autofocus") : .empty)></p>
        <button type="submit">Log in</button>
        </form>
        <p class="muted">Accounts are personal. After \(LoginPolicy.maximumFailedLogins) wrong passwords in a row an account is locked for \(Int(LoginPolicy.lockoutDuration / 60)) minutes.</p>
        </div>
        """
        var response = page(title: "Log in", body: body, context: context, showNavigation: false, status: status)
        response.headers.append(HTTPField(name: .setCookie, value: cookie(Self.loginCookie, nonce, path: "/login", request: request)))
        return response
    }

    func login(_ request: Request, _ context: APIRequestContext, _ form: WebForm) async throws -> Response {
        guard let nonce = request.cookies[Self.loginCookie]?.value, let token = form["csrf"],
              Secrets.constantTimeEquals(nonce, token) else {
            throw APIError(.forbidden, "the login form expired or came from elsewhere: open /login and log in again")
        }
        let name = form["name"] ?? ""
        let password = form.fields["password"]?.first ?? ""
        let origin = context.origin
        let archive = self.archive
        let session: Session
        do {
            // bcrypt takes a quarter of a second: never on the event loop.
            session = try await pool.run { try archive.login(name: name, password: password, origin: origin) }
        } catch let failure as ArchiveFailure where failure.kind == .refused {
            return loginForm(request, context, message: failure.message, name: String(name.prefix(64)), status: .unauthorized)
        }
        if let old = context.webSession {
            // The previous session of this browser ends: one login, one session.
            try await pool.run { try archive.logout(sessionID: old.id) }
        }
        let target = form["next"].flatMap(Self.safeTarget) ?? WebRoute.landing(for: session.principal.role)
        var response = Self.redirect(to: target)
        response.headers.append(HTTPField(name: .setCookie, value: cookie(SessionMiddleware.cookieName, session.id, request: request)))
        response.headers.append(HTTPField(name: .setCookie, value: cookie(Self.loginCookie, "", path: "/login", remove: true, request: request)))
        return response
    }

    func logout(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        if let session = context.webSession {
            let archive = self.archive
            try await pool.run { try archive.logout(sessionID: session.id) }
        }
        var response = Self.redirect(to: "/login")
        response.headers.append(HTTPField(name: .setCookie, value: cookie(SessionMiddleware.cookieName, "", remove: true, request: request)))
        return response
    }

    // MARK: answers

    /// 303 See Other to a local path.
    static func redirect(to target: String) -> Response {
        Response(status: .seeOther, headers: [.location: target])
    }

    /// The request's own path and query, to come back to after logging in.
    static func localTarget(_ request: Request) -> String? {
        request.method == .get ? safeTarget(request.uri.description) : nil
    }

    /// `target` if it is a path on this site (not `//host`, not a scheme), else nil.
    static func safeTarget(_ target: String) -> String? {
        guard target.hasPrefix("/"), !target.hasPrefix("//"), !target.hasPrefix("/\\"), target.utf8.count <= 1000,
              !target.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\\" }) else { return nil }
        return target
    }

    func errorPage(for error: any Error, _ context: APIRequestContext) -> Response {
        switch error {
        case let error as APIError:
            return errorPage(error.status, error.status.reasonPhrase, error.message, context)
        case let error as any CallvaultError:
            let status = APIError.status(for: error.kind)
            if error.kind == .corrupt || error.kind == .internal {
                context.logger.error("page failed", metadata: ["kind": "\(error.kind.rawValue)", "route": "\(context.endpointPath ?? "-")"])
                return errorPage(status, "Something went wrong", "The archive could not answer; the server log has the details.", context)
            }
            return errorPage(status, status == .notFound ? "Not found" : status == .forbidden ? "Not allowed" : "Cannot do that", error.message, context)
        default:
            context.logger.error("page failed", metadata: ["error": "\(type(of: error))", "route": "\(context.endpointPath ?? "-")"])
            return errorPage(.internalServerError, "Something went wrong", "Internal error; the server log has the details.", context)
        }
    }

    func errorPage(_ status: HTTPResponse.Status, _ title: String, _ message: String, _ context: APIRequestContext) -> Response {
        let body: HTML = """
        <h1>\(title)</h1>
        <p class="message error" role="alert">\(message)</p>
        <p><a href="\(context.principal.map { WebRoute.landing(for: $0.role) } ?? "/login")">Back to the start page</a></p>
        """
        return page(title: title, body: body, context: context, status: status)
    }
}
