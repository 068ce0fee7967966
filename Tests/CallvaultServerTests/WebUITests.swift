import Foundation
import Testing
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import CallvaultAccess
import CallvaultArchive
import CallvaultConfiguration
import CallvaultModel
import CallvaultServer
import CallvaultTesting

/// A clock the web tests move by hand (session idle timeout, lockout).
final class WebClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date()
    var now: Date { lock.withLock { current } }
    func advance(seconds: Double) { lock.withLock { current = current.addingTimeInterval(seconds) } }
}

/// The sample archive with one real account per person role (bcrypt cost 4), opened with a
/// clock the test moves, and the server (API + web UI) over it.
final class WebFixture: @unchecked Sendable {
    let test: TestArchive
    let archive: Archive
    let clock = WebClock()
    let api: CallvaultAPI

    static let password = "correct horse battery staple"
    static let accounts: [Role: String] = [.admin: "ada.k", .compliance: "dora.c", .lead: "lena.l", .auditor: "otto.a"]

    init(settings: (inout ServerSettings) -> Void = { _ in }) throws {
        test = try TestArchive.withSamples()
        let clock = self.clock
        archive = try Archive(root: test.root, now: { clock.now }, passwordCost: 4)
        try archive.addFirstAdmin("ada.k", role: .admin, password: Self.password, osLogin: "ada", host: "test")
        let admin = Actor.test("ada.k", .admin)
        for (role, name) in Self.accounts where role != .admin {
            try archive.addUser(name, role: role, password: Self.password, actor: admin)
        }
        var configured = archive.configuration.server
        configured.port = 0
        settings(&configured)
        api = CallvaultAPI(archive: archive, principals: ArchiveAccounts(archive: archive), settings: configured)
    }

    func application() -> Application<RouterResponder<APIRequestContext>> {
        var logger = Logger(label: "callvault-web-test")
        logger.logLevel = .warning
        return api.makeApplication(logger: logger)
    }

    /// The newest audit entries, newest first, as `action|actor|role|outcome|origin`.
    func lastAudit(_ count: Int = 1) throws -> [String] {
        try test.sql("SELECT action || '|' || actor || '|' || role || '|' || outcome || '|' || origin FROM audit_log ORDER BY seq DESC LIMIT \(count)")
            .split(separator: "\n").map(String.init)
    }

    func auditCount() throws -> Int { Int(try test.sql("SELECT COUNT(*) FROM audit_log")) ?? -1 }

    /// A call of customer C001 that has a recording.
    func recordedCall() throws -> ArchivedItem {
        try requireValue(try archive.search(SearchQuery(customer: "C001"), actor: test.actor).items.first { $0.recording != nil }, "recorded call")
    }
}

/// A logged-in browser: its session cookie and the session's CSRF token.
struct Browser {
    var session: String
    var csrf: String
    var cookie: HTTPFields { [.cookie: "cv_session=\(session)"] }

    func form(_ fields: [(String, String)], csrf: String? = nil) -> (HTTPFields, ByteBuffer) {
        var headers = cookie
        headers[.contentType] = "application/x-www-form-urlencoded"
        let all = (csrf.map { [("csrf", $0)] } ?? [("csrf", self.csrf)]) + fields
        return (headers, ByteBuffer(string: all.map { "\($0)=\(formEncode($1))" }.joined(separator: "&")))
    }
}

func formEncode(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}

extension TestResponse {
    /// The `Set-Cookie` header values.
    var setCookies: [String] { headers[values: .setCookie] }

    /// The value of cookie `name` set by this response.
    func cookie(_ name: String) -> String? {
        for line in setCookies where line.hasPrefix("\(name)=") {
            return String(line.dropFirst(name.count + 1).prefix { $0 != ";" })
        }
        return nil
    }
}

/// Opens the login form, then posts it; returns the login answer.
func postLogin<Client: TestClientProtocol>(_ client: Client, name: String, password: String, headers: HTTPFields = [:]) async throws -> TestResponse {
    let form = try await client.execute(uri: "/login", method: .get, headers: headers)
    let nonce = try requireValue(form.cookie("cv_login"), "login cookie")
    #expect(form.text.contains("name=\"csrf\" value=\"\(nonce)\""))
    var post = headers
    post[.cookie] = "cv_login=\(nonce)"
    post[.contentType] = "application/x-www-form-urlencoded"
    return try await client.execute(uri: "/login", method: .post, headers: post,
                                    body: ByteBuffer(string: "csrf=\(nonce)&name=\(formEncode(name))&password=\(formEncode(password))"))
}

/// Logs in and returns the browser.
func logIn<Client: TestClientProtocol>(_ client: Client, _ fixture: WebFixture, as role: Role) async throws -> Browser {
    let name = try requireValue(WebFixture.accounts[role], "account of \(role)")
    let response = try await postLogin(client, name: name, password: WebFixture.password)
    #expect(response.status == .seeOther, "login as \(role): \(response.status) \(response.text.prefix(300))")
    let session = try requireValue(response.cookie("cv_session"), "session cookie")
    let csrf = try requireValue(try fixture.archive.csrfToken(session: session), "csrf token")
    return Browser(session: session, csrf: csrf)
}

@Suite struct WebUITests {
    /// The text of a page's alert (`<p … role="alert">…</p>`), if it has one.
    static func alert(in page: String) -> String? {
        guard let start = page.range(of: "role=\"alert\">"), let end = page[start.upperBound...].range(of: "</p>") else { return nil }
        return String(page[start.upperBound..<end.lowerBound])
    }

    // MARK: sessions

    @Test func loginSetsAStrictHttpOnlySessionCookieAndLandsOnTheRolesFirstPage() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let form = try await client.execute(uri: "/login", method: .get)
            #expect(form.status == .ok)
            #expect(form.text.contains("<label for=\"name\">") && form.text.contains("<label for=\"password\">"))
            #expect(form.cookie("cv_login") != nil)

            let lead = try await postLogin(client, name: "lena.l", password: WebFixture.password)
            #expect(lead.status == .seeOther)
            #expect(lead.headers[.location] == "/")
            let cookie = try requireValue(lead.setCookies.first { $0.hasPrefix("cv_session=") })
            let attributes = Set(cookie.split(separator: ";").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) })
            #expect(attributes == ["Path=/", "HttpOnly", "SameSite=Strict"])
            #expect(try fixture.lastAudit() == ["login|lena.l|lead|allowed|http@unknown"])

            // Behind an HTTPS proxy the cookie is Secure.
            let secure = try await postLogin(client, name: "otto.a", password: WebFixture.password, headers: [HTTPField.Name("X-Forwarded-Proto")!: "https"])
            #expect(secure.headers[.location] == "/audit")
            #expect(secure.setCookies.first { $0.hasPrefix("cv_session=") }?.contains("; Secure") == true)
            let admin = try await postLogin(client, name: "ada.k", password: WebFixture.password)
            #expect(admin.headers[.location] == "/ingest")

            // The session opens the pages.
            let session = try requireValue(lead.cookie("cv_session"))
            let page = try await client.execute(uri: "/", method: .get, headers: [.cookie: "cv_session=\(session)"])
            #expect(page.status == .ok)
            #expect(page.text.contains("lena.l (lead)"))
        }
    }

    @Test func theSecureAttributeFollowsTheSetting() async throws {
        let fixture = try WebFixture { $0.secureCookies = .always }
        try await fixture.application().test(.router) { client in
            let response = try await postLogin(client, name: "lena.l", password: WebFixture.password)
            #expect(response.setCookies.first { $0.hasPrefix("cv_session=") }?.hasSuffix("; Secure") == true)
        }
    }

    @Test func aWrongPasswordShowsTheFormAgainAndFiveLockTheAccount() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            for attempt in 1...5 {
                let response = try await postLogin(client, name: "lena.l", password: "not the password at all")
                #expect(response.status == .unauthorized)
                #expect(response.cookie("cv_session") == nil)
                #expect(response.text.contains("wrong user name or password"))
                #expect(response.text.contains("role=\"alert\""))
                if attempt == 5 { #expect(!response.text.contains("locked until")) }
            }
            #expect(try fixture.lastAudit(2) == ["login-lockout|lena.l|lead|denied|http@unknown", "login-failed|lena.l|lead|denied|http@unknown"])
            // Locked: even the right password is refused, with the answer of a wrong password —
            // the page never confirms that the name is an account.
            let locked = try await postLogin(client, name: "lena.l", password: WebFixture.password)
            #expect(locked.status == .unauthorized)
            #expect(locked.cookie("cv_session") == nil)
            #expect(!locked.text.contains("lena.l is locked"))
            #expect(try fixture.lastAudit() == ["login-failed|lena.l|lead|denied|http@unknown"])
            // An unknown name, a wrong password and a locked account get the same answer.
            let unknown = try await postLogin(client, name: "nobody.here", password: WebFixture.password)
            let wrong = try await postLogin(client, name: "dora.c", password: "not the password at all")
            #expect(unknown.status == .unauthorized && wrong.status == .unauthorized)
            let answers = [locked, unknown, wrong].map { Self.alert(in: $0.text) }
            #expect(answers[0] != nil && answers[0]!.contains("wrong user name or password"))
            #expect(Set(answers.map { $0 ?? "" }).count == 1, "\(answers)")
        }
    }

    @Test func aLoginPostWithoutTheFormsOwnTokenIsRefused() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let body = ByteBuffer(string: "csrf=forged&name=lena.l&password=\(formEncode(WebFixture.password))")
            let response = try await client.execute(uri: "/login", method: .post,
                                                    headers: [.contentType: "application/x-www-form-urlencoded", .cookie: "cv_login=other"], body: body)
            #expect(response.status == .forbidden)
            #expect(response.cookie("cv_session") == nil)
        }
    }

    @Test func formsWithoutOrWithAWrongCSRFTokenAreRefused() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let browser = try await logIn(client, fixture, as: .compliance)
            let fields = [("case", "csrf"), ("reason", "test"), ("customers", "C002")]
            var (headers, _) = browser.form(fields)
            let missing = try await client.execute(uri: "/holds", method: .post, headers: headers,
                                                   body: ByteBuffer(string: "case=csrf&reason=test&customers=C002"))
            #expect(missing.status == .forbidden)
            #expect(missing.text.contains("security token"))
            let body: ByteBuffer
            (headers, body) = browser.form(fields, csrf: String(browser.csrf.reversed()))
            let wrong = try await client.execute(uri: "/holds", method: .post, headers: headers, body: body)
            #expect(wrong.status == .forbidden)
            // Another session's token does not do either.
            let other = try await logIn(client, fixture, as: .compliance)
            let (otherHeaders, otherBody) = browser.form(fields, csrf: other.csrf)
            #expect(try await client.execute(uri: "/holds", method: .post, headers: otherHeaders, body: otherBody).status == .forbidden)
            #expect(try fixture.archive.holds(actor: fixture.test.actor).isEmpty)
            // A cookie alone cannot change anything through the JSON API either.
            var apiHeaders = browser.cookie
            apiHeaders[.contentType] = "application/json"
            let api = try await client.execute(uri: "/api/v1/holds", method: .post, headers: apiHeaders,
                                               body: ByteBuffer(string: #"{"case": "x", "reason": "y", "customers": ["C002"]}"#))
            #expect(api.status == .unauthorized)
            #expect(try fixture.archive.holds(actor: fixture.test.actor).isEmpty)
        }
    }

    @Test func logoutEndsTheSession() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let browser = try await logIn(client, fixture, as: .lead)
            let (headers, body) = browser.form([])
            let out = try await client.execute(uri: "/logout", method: .post, headers: headers, body: body)
            #expect(out.status == .seeOther && out.headers[.location] == "/login")
            #expect(out.setCookies.contains { $0.hasPrefix("cv_session=;") && $0.contains("Max-Age=0") })
            #expect(try fixture.lastAudit() == ["logout|lena.l|lead|allowed|http@unknown"])
            let after = try await client.execute(uri: "/?number=0401234567", method: .get, headers: browser.cookie)
            #expect(after.status == .seeOther)
            #expect(after.headers[.location] == "/login?next=%2F%3Fnumber%3D0401234567")
            #expect(try fixture.archive.session(id: browser.session) == nil)
        }
    }

    @Test func anIdleSessionEnds() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let browser = try await logIn(client, fixture, as: .lead)
            fixture.clock.advance(seconds: 20 * 60)
            #expect(try await client.execute(uri: "/", method: .get, headers: browser.cookie).status == .ok)
            // Activity restarted the idle clock; 31 minutes of nothing ends it.
            fixture.clock.advance(seconds: 31 * 60)
            let idle = try await client.execute(uri: "/", method: .get, headers: browser.cookie)
            #expect(idle.status == .seeOther)
            #expect(idle.headers[.location]?.hasPrefix("/login") == true)
            #expect(try fixture.lastAudit() == ["session-expire|lena.l|lead|allowed|http@unknown"])
        }
    }

    @Test func withoutASessionPagesRedirectToLoginAndTheAPIStillAnswers401() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            for route in WebRoute.allCases where route.access != .open {
                let uri = route.path.replacingOccurrences(of: "{id}", with: route == .releaseHold ? "hold-1" : route == .item ? "call-1" : "C001")
                let response = try await client.execute(uri: uri, method: route.method, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                        body: route.method == .post ? ByteBuffer(string: "reason=x") : nil)
                #expect(response.status == .seeOther, "\(route)")
                #expect(response.headers[.location]?.hasPrefix("/login") == true, "\(route)")
            }
            let bogus = try await client.execute(uri: "/holds", method: .get, headers: [.cookie: "cv_session=made-up"])
            #expect(bogus.status == .seeOther)
            let api = try await client.execute(uri: "/api/v1/search?customer=C001", method: .get)
            #expect(api.status == .unauthorized)
            #expect(api.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let css = try await client.execute(uri: "/static/app.css", method: .get)
            #expect(css.status == .ok && css.headers[.contentType]?.hasPrefix("text/css") == true)
        }
    }

    // MARK: route × role

    /// A valid request for each route, so an allowed role gets past authorisation to the archive.
    static func request(_ route: WebRoute, call: ArchivedItem) -> (uri: String, fields: [(String, String)]) {
        switch route {
        case .stylesheet: return ("/static/app.css", [])
        case .loginForm: return ("/login", [])
        case .login: return ("/login", [])
        case .logout: return ("/logout", [])
        case .search: return ("/?customer=C002", [])
        case .item: return ("/items/\(call.id)", [])
        case .customer: return ("/customers/C002", [])
        case .customerExport: return ("/customers/C002/export", [("purpose", "data-subject-request")])
        case .customerErase: return ("/customers/C003/erase", [("reason", "route test"), ("dry_run", "1")])
        case .customerRestrict: return ("/customers/C004/restrict", [("reason", "route test")])
        case .customerUnrestrict: return ("/customers/C004/unrestrict", [("reason", "route test")])
        case .holds: return ("/holds", [])
        case .placeHold: return ("/holds", [("case", "matrix"), ("reason", "route test"), ("customers", "C002")])
        case .releaseHold: return ("/holds/hold-999/release", [("reason", "route test")])
        case .audit: return ("/audit?actor=lena.l", [])
        case .ingestStatus: return ("/ingest", [])
        }
    }

    @Test func theWebRouteTableMapsEveryRouteToOneActionAndDoesNotClashWithTheAPI() {
        let keys = WebRoute.allCases.map { "\($0.method) \($0.path)" } + APIRoute.allCases.map { "\($0.method) \($0.path)" }
        #expect(Set(keys).count == keys.count)
        let open: Set<WebRoute> = [.stylesheet, .loginForm, .login, .logout]
        for route in WebRoute.allCases {
            #expect((route.access.action == nil) == open.contains(route), "\(route)")
        }
    }

    @Test func everyPageAndFormAnswersEveryRoleAsThePermissionTableSays() async throws {
        let fixture = try WebFixture()
        let call = try fixture.recordedCall()
        try await fixture.application().test(.router) { client in
            for role in Role.personRoles {
                let principal = Principal(name: WebFixture.accounts[role]!, role: role)
                for route in WebRoute.allCases where route != .login && route != .logout {
                    let browser = try await logIn(client, fixture, as: role)
                    let request = Self.request(route, call: call)
                    let (headers, body) = browser.form(request.fields)
                    let before = try fixture.auditCount()
                    let response = try await client.execute(uri: request.uri, method: route.method,
                                                            headers: route.method == .post ? headers : browser.cookie,
                                                            body: route.method == .post ? body : nil)
                    guard let action = route.access.action else {
                        #expect(response.status == .ok || response.status == .seeOther, "\(route) as \(role): \(response.status)")
                        continue
                    }
                    if PermissionTable.allows(role, action) {
                        #expect(![.unauthorized, .forbidden].contains(response.status), "\(route) as \(role): \(response.status) \(response.text.prefix(300))")
                        #expect(response.headers[.location]?.hasPrefix("/login") != true, "\(route) as \(role)")
                    } else {
                        #expect(response.status == .forbidden, "\(route) as \(role): \(response.status)")
                        #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                        #expect(response.text.contains(HTML.escape(AccessError.denied(role: role, action: action).description)))
                        #expect(try fixture.auditCount() == before + 1)
                        #expect(try fixture.lastAudit() == ["\(action.rawValue)|\(principal.name)|\(role.rawValue)|denied|http@unknown"])
                    }
                }
            }
        }
    }

    @Test func theNavigationShowsOnlyWhatTheRoleMayUse() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let auditor = try await logIn(client, fixture, as: .auditor)
            let page = try await client.execute(uri: "/audit", method: .get, headers: auditor.cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("<a href=\"/audit\" aria-current=\"page\">Audit trail</a>"))
            #expect(!page.text.contains("href=\"/holds\"") && !page.text.contains("href=\"/\""))
        }
    }

    // MARK: pages

    @Test func theSearchPageFindsANumberWrittenNationallyOrInternationally() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let browser = try await logIn(client, fixture, as: .lead)
            let empty = try await client.execute(uri: "/", method: .get, headers: browser.cookie)
            #expect(empty.status == .ok)
            #expect(empty.text.contains("<form class=\"panel\" method=\"get\" action=\"/\" role=\"search\">"))
            #expect(!empty.text.contains("<table>"))
            let expected = try fixture.archive.search(SearchQuery(number: "+358401234567", limit: 25), actor: fixture.test.actor)
            #expect(expected.total > 0)
            let national = try await client.execute(uri: "/?number=040+123+4567", method: .get, headers: browser.cookie)
            let international = try await client.execute(uri: "/?number=%2B35840-1234567", method: .get, headers: browser.cookie)
            #expect(national.status == .ok && international.status == .ok)
            for item in expected.items {
                #expect(national.text.contains("<a href=\"/items/\(item.id)\">\(item.id)</a>"))
                #expect(international.text.contains("<a href=\"/items/\(item.id)\">\(item.id)</a>"))
            }
            #expect(national.text.contains("+358401234567"))
            #expect(national.text.contains("of \(expected.total), newest first"))
            #expect(national.text.contains("<a href=\"/customers/C001\">C001</a>"))
            // The search is audited as the person who made it.
            #expect(try fixture.test.sql("SELECT action || '|' || actor FROM audit_log WHERE action = 'search' ORDER BY seq DESC LIMIT 1") == "search|lena.l")
            // A time that is not one says so, on the page, with the form kept.
            let bad = try await client.execute(uri: "/?number=040+123+4567&from=yesterday", method: .get, headers: browser.cookie)
            #expect(bad.status == .ok && bad.text.contains("<p class=\"message error\" role=\"alert\">From &#39;yesterday&#39; is not a time"))
            #expect(bad.text.contains("value=\"040 123 4567\""))
            // The direction filter: a select in the form, kept on the results page.
            #expect(empty.text.contains("<select id=\"direction\" name=\"direction\">"))
            let inbound = try fixture.archive.search(SearchQuery(number: "+358401234567", direction: .inbound, limit: 25), actor: fixture.test.actor)
            let filtered = try await client.execute(uri: "/?number=040+123+4567&direction=inbound", method: .get, headers: browser.cookie)
            #expect(filtered.text.contains("of \(inbound.total), newest first"))
            #expect(filtered.text.contains("<option value=\"inbound\" selected>Inbound</option>"))
            #expect(inbound.total > 0 && inbound.total < expected.total, "the filter keeps some calls and drops others")
            for item in expected.items where !inbound.items.contains(where: { $0.id == item.id }) {
                #expect(!filtered.text.contains("<a href=\"/items/\(item.id)\">\(item.id)</a>"))
            }
        }
    }

    @Test func searchResultsArePagedWithAnOlderLink() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let browser = try await logIn(client, fixture, as: .compliance)
            let all = try fixture.archive.search(SearchQuery(from: Date(timeIntervalSince1970: 0), limit: 10_000), actor: fixture.test.actor)
            #expect(all.total > 25)
            let first = try await client.execute(uri: "/?from=2000-01-01", method: .get, headers: browser.cookie)
            #expect(first.text.contains("Items 1–25 of \(all.total)"))
            #expect(first.text.contains("<a href=\"/?from=2000-01-01&amp;offset=25\" rel=\"next\">Older →</a>"))
            let second = try await client.execute(uri: "/?from=2000-01-01&offset=25", method: .get, headers: browser.cookie)
            #expect(second.text.contains("Items 26–\(min(50, all.total)) of \(all.total)"))
            for item in all.items[25..<min(50, all.total)] { #expect(second.text.contains(">\(item.id)</a>")) }
            #expect(!second.text.contains(">\(all.items[0].id)</a>"))
            #expect(second.text.contains("rel=\"prev\""))
            // The older link keeps every criterion, the direction too.
            let inbound = try fixture.archive.search(SearchQuery(from: Date(timeIntervalSince1970: 0), direction: .inbound, limit: 0), actor: fixture.test.actor)
            #expect(inbound.total > 25)
            let filtered = try await client.execute(uri: "/?from=2000-01-01&direction=inbound", method: .get, headers: browser.cookie)
            #expect(filtered.text.contains("<a href=\"/?from=2000-01-01&amp;direction=inbound&amp;offset=25\" rel=\"next\">Older →</a>"))
        }
    }

    @Test func theItemPageShowsThePlayerOnlyOnceAPurposeIsChosenAndPlaybackByCookieIsAudited() async throws {
        let fixture = try WebFixture()
        let call = try fixture.recordedCall()
        let recording = try requireValue(call.recording)
        try await fixture.application().test(.router) { client in
            let browser = try await logIn(client, fixture, as: .lead)
            let plain = try await client.execute(uri: "/items/\(call.id)", method: .get, headers: browser.cookie)
            #expect(plain.status == .ok)
            #expect(!plain.text.contains("<audio"))
            for purpose in fixture.archive.configuration.purposes { #expect(plain.text.contains("<option value=\"\(purpose)\">\(purpose)</option>")) }
            #expect(plain.text.contains("<label for=\"purpose\">"))
            #expect(plain.headers[.cacheControl] == "no-store")

            let chosen = try await client.execute(uri: "/items/\(call.id)?purpose=complaint", method: .get, headers: browser.cookie)
            #expect(chosen.status == .ok)
            let source = "/api/v1/recordings/\(recording)/audio?purpose=complaint"
            #expect(chosen.text.contains("<audio controls preload=\"none\" src=\"\(source)\">"))
            #expect(try fixture.test.sql("SELECT action || '|' || actor || '|' || purpose FROM audit_log ORDER BY seq DESC LIMIT 1") == "show|lena.l|complaint")
            // A purpose outside the allowlist is refused.
            let odd = try await client.execute(uri: "/items/\(call.id)?purpose=curiosity", method: .get, headers: browser.cookie)
            #expect(odd.status == .badRequest)
            #expect(!odd.text.contains("<audio"))

            // The browser fetches the audio with its cookie (same origin): a Range gets 206.
            var headers = browser.cookie
            headers[.range] = "bytes=0-99"
            let audio = try await client.execute(uri: source, method: .get, headers: headers)
            #expect(audio.status == .partialContent)
            #expect(audio.body.readableBytes == 100)
            #expect(audio.headers[.contentRange]?.hasPrefix("bytes 0-99/") == true)
            #expect(try fixture.test.sql("SELECT action || '|' || actor || '|' || role || '|' || purpose || '|' || items FROM audit_log ORDER BY seq DESC LIMIT 1")
                    == "play|lena.l|lead|complaint|[\"\(recording)\"]")
            // An auditor's session does not play recordings.
            let auditor = try await logIn(client, fixture, as: .auditor)
            var denied = auditor.cookie
            denied[.range] = "bytes=0-99"
            #expect(try await client.execute(uri: source, method: .get, headers: denied).status == .forbidden)
        }
    }

    @Test func aHostileCallerNameIsEscaped() async throws {
        let fixture = try WebFixture()
        let line = Samples.cdrLine(clid: "\"<script>alert('x')</script>\" <0401234567>", start: "2026-03-20 10:00:00",
                                   answer: "2026-03-20 10:00:05", end: "2026-03-20 10:01:00", uniqueID: "1774000800.77")
        try fixture.test.ingest(fixture.test.input("hostile.csv", line + "\n"))
        let item = try requireValue(try fixture.archive.search(SearchQuery(text: "script"), actor: fixture.test.actor).items.first, "hostile call")
        try await fixture.application().test(.router) { client in
            let browser = try await logIn(client, fixture, as: .lead)
            let page = try await client.execute(uri: "/items/\(item.id)", method: .get, headers: browser.cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
            #expect(!page.text.contains("<script"))
            let search = try await client.execute(uri: "/?text=%3Cscript%3E", method: .get, headers: browser.cookie)
            #expect(!search.text.contains("<script"))
            #expect(search.text.contains("value=\"&lt;script&gt;\""))
        }
    }

    @Test func pagesCarryTheSecurityHeaders() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let browser = try await logIn(client, fixture, as: .compliance)
            for uri in ["/login", "/", "/holds", "/audit", "/customers/C001", "/ingest"] {
                let response = try await client.execute(uri: uri, method: .get, headers: browser.cookie)
                #expect(response.status == .ok || response.status == .seeOther, "\(uri)")
                #expect(response.headers[.contentSecurityPolicy] == "default-src 'self'; frame-ancestors 'none'", "\(uri)")
                #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(response.headers[.cacheControl] == "no-store", "\(uri)")
                #expect(!response.text.contains("<script") && !response.text.contains(" style=") && !response.text.contains("<style"), "\(uri)")
            }
        }
    }

    @Test func holdsArePlacedAndReleasedThroughTheForms() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let browser = try await logIn(client, fixture, as: .compliance)
            let (headers, body) = browser.form([("case", "Case <42>"), ("reason", "litigation"), ("customers", "C002, C003"), ("from", "2026-01-01")])
            let placed = try await client.execute(uri: "/holds", method: .post, headers: headers, body: body)
            #expect(placed.status == .seeOther, "\(placed.text.prefix(300))")
            let holds = try fixture.archive.holds(actor: fixture.test.actor)
            let hold = try requireValue(holds.first)
            #expect(holds.count == 1 && hold.caseName == "Case <42>" && hold.placedBy == "dora.c")
            #expect(Set(hold.scopes.map(\.value)) == ["C002", "C003"])
            #expect(placed.headers[.location] == "/holds?placed=\(hold.id)")
            let list = try await client.execute(uri: "/holds?placed=\(hold.id)", method: .get, headers: browser.cookie)
            #expect(list.text.contains("Case &lt;42&gt;"))
            #expect(list.text.contains("action=\"/holds/\(hold.id)/release\""))
            #expect(list.text.contains("Hold \(hold.id) placed."))

            let (releaseHeaders, releaseBody) = browser.form([("reason", "case closed")])
            let released = try await client.execute(uri: "/holds/\(hold.id)/release", method: .post, headers: releaseHeaders, body: releaseBody)
            #expect(released.status == .seeOther)
            #expect(try fixture.archive.holds(actor: fixture.test.actor).isEmpty)
            let all = try fixture.archive.holds(includeReleased: true, actor: fixture.test.actor)
            #expect(all.first?.releasedBy == "dora.c" && all.first?.releaseReason == "case closed")
            #expect(try fixture.test.sql("SELECT actor || '|' || role || '|' || outcome || '|' || reason FROM audit_log WHERE action = 'hold-release'") == "dora.c|compliance|allowed|case closed")
            // A missing reason is a clear 400 page, and nothing changes.
            let (badHeaders, badBody) = browser.form([("case", "x")])
            let bad = try await client.execute(uri: "/holds", method: .post, headers: badHeaders, body: badBody)
            #expect(bad.status == .badRequest && bad.text.contains("a hold needs a case and a reason"))
        }
    }

    @Test func theCustomerPageRestrictsAndShowsTheErasurePlan() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let browser = try await logIn(client, fixture, as: .compliance)
            let page = try await client.execute(uri: "/customers/C002", method: .get, headers: browser.cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("<dt>Name</dt><dd>Äijälä, Sanna</dd>"), "the customer's own record heads the page")
            #expect(page.text.contains("<dd>+358 50 765 4321, 09-1234567</dd>"))
            #expect(try fixture.test.sql("SELECT count(*) FROM audit_log WHERE action = 'view-customer' AND items = '[\"customer:C002\"]' AND outcome = 'allowed'") == "1")
            #expect(page.text.contains("action=\"/customers/C002/export\"") && page.text.contains("action=\"/customers/C002/erase\""))
            let (headers, body) = browser.form([("reason", "accuracy contested")])
            let restricted = try await client.execute(uri: "/customers/C002/restrict", method: .post, headers: headers, body: body)
            #expect(restricted.status == .seeOther)
            #expect(try fixture.archive.restrictionState(customer: "C002", actor: .test("dpo", .compliance)).restricted)
            let (eraseHeaders, eraseBody) = browser.form([("reason", "req-1"), ("dry_run", "1")])
            let plan = try await client.execute(uri: "/customers/C003/erase", method: .post, headers: eraseHeaders, body: eraseBody)
            #expect(plan.status == .ok && plan.text.contains("Dry run: nothing was deleted."))
            // Erasing for real needs the id typed again.
            let (realHeaders, realBody) = browser.form([("reason", "req-1")])
            let refused = try await client.execute(uri: "/customers/C003/erase", method: .post, headers: realHeaders, body: realBody)
            #expect(refused.status == .badRequest)
            // A lead sees the customer but none of the compliance forms.
            let lead = try await logIn(client, fixture, as: .lead)
            let leadPage = try await client.execute(uri: "/customers/C001", method: .get, headers: lead.cookie)
            #expect(leadPage.status == .ok && !leadPage.text.contains("/erase\"") && !leadPage.text.contains("/export\""))
            #expect(leadPage.text.contains("<dd>Mäkinen Jukka</dd>"))
            // A restricted customer's name and numbers are for compliance only; the refusal is audited.
            let restrictedPage = try await client.execute(uri: "/customers/C002", method: .get, headers: lead.cookie)
            #expect(restrictedPage.status == .ok && restrictedPage.text.contains("Processing is restricted"))
            #expect(!restrictedPage.text.contains("Äijälä, Sanna") && !restrictedPage.text.contains("765 4321"))
            #expect(try fixture.test.sql("SELECT count(*) FROM audit_log WHERE action = 'view-customer' AND role = 'lead' AND outcome = 'denied' AND reason = 'restricted'") == "1")
            let stillThere = try await client.execute(uri: "/customers/C002", method: .get, headers: browser.cookie)
            #expect(stillThere.text.contains("<dd>Äijälä, Sanna</dd>"), "compliance still sees it")
        }
    }

    @Test func theAuditPageFiltersByActorAndActionAndIsItselfAudited() async throws {
        let fixture = try WebFixture()
        try await fixture.application().test(.router) { client in
            let lead = try await logIn(client, fixture, as: .lead)
            _ = try await client.execute(uri: "/?customer=C001", method: .get, headers: lead.cookie)
            let auditor = try await logIn(client, fixture, as: .auditor)
            let page = try await client.execute(uri: "/audit?actor=lena.l&action=search", method: .get, headers: auditor.cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("1 entries, newest first"))
            #expect(page.text.contains("<td>lena.l</td><td>lead</td><td>search</td>"))
            #expect(try fixture.lastAudit().first?.hasPrefix("audit-read|otto.a|auditor|allowed") == true)
            let none = try await client.execute(uri: "/audit?actor=nobody", method: .get, headers: auditor.cookie)
            #expect(none.text.contains("No entries match."))
            let bad = try await client.execute(uri: "/audit?from=yesterday", method: .get, headers: auditor.cookie)
            #expect(bad.status == .badRequest)
        }
    }

    @Test func theIngestPageListsWaitingAndRejectedFilesWithReasonsAndMasksNumbers() async throws {
        let fixture = try WebFixture()
        let spool = SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor, settleInterval: 0)
        try Data("this is not a PBX export\n".utf8).write(to: fixture.archive.layout.incoming.appendingPathComponent("junk-0401234567.csv"))
        _ = try spool.drain()
        try Data("waiting".utf8).write(to: fixture.archive.layout.incoming.appendingPathComponent("late.csv"))
        try await fixture.application().test(.router) { client in
            let admin = try await logIn(client, fixture, as: .admin)
            let page = try await client.execute(uri: "/ingest", method: .get, headers: admin.cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("late.csv"))
            #expect(page.text.contains("junk-04******67.csv"))
            #expect(!page.text.contains("0401234567"))
            #expect(page.text.contains("Rejected files: 1"))
        }
    }
}
