import Hummingbird
import HTTPTypes
import Foundation
import CallvaultAccess
import CallvaultArchive
import CallvaultModel

extension WebUI {
    /// A whole page: the navigation the principal may use, a logout form, the body.
    func page(title: String, body: HTML, context: APIRequestContext, current: WebRoute? = nil,
              showNavigation: Bool = true, status: HTTPResponse.Status = .ok) -> Response {
        var header = HTML.empty
        if showNavigation, let principal = context.principal, let session = context.webSession {
            let links: [HTML] = WebRoute.navigation.compactMap { route, label in
                guard route.access.action.map(principal.may) ?? true else { return nil }
                return "<li><a href=\"\(route.path)\"\(route == current ? HTML(" aria-current=\"page\"") : .empty)>\(label)</a></li>"
            }
            header = """
            <header class="site">
            <span class="brand">callvault</span>
            <nav aria-label="Main"><ul>\(links)</ul></nav>
            <form class="who" method="post" action="/logout">
            <span>\(principal.name) (\(principal.role.rawValue))</span>
            <input type="hidden" name="csrf" value="\(session.csrf)">
            <button type="submit" class="secondary">Log out</button>
            </form>
            </header>
            """
        }
        let html: HTML = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <meta name="referrer" content="no-referrer">
        <title>\(title) – callvault</title>
        <link rel="stylesheet" href="/static/app.css">
        </head>
        <body>
        <a class="skip" href="#main">Skip to content</a>
        \(header)
        <main id="main">
        \(body)
        </main>
        <footer class="site">Times are shown in \(archive.configuration.sourceTimeZone). Every search, view and playback is recorded in the audit trail.</footer>
        </body>
        </html>
        """
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: html.text)))
    }

    /// The hidden CSRF field of a state-changing form.
    func csrfField(_ context: APIRequestContext) -> HTML {
        "<input type=\"hidden\" name=\"csrf\" value=\"\(context.webSession?.csrf ?? "")\">"
    }

    /// `date` as `YYYY-MM-DD HH:MM:SS` in the archive's time zone.
    func time(_ date: Date?) -> String {
        guard let date else { return "" }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = (try? archive.configuration.timeZone()) ?? TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        return "\(c.year ?? 0)-\(two(c.month))-\(two(c.day)) \(two(c.hour)):\(two(c.minute)):\(two(c.second))"
    }

    /// `date` as `YYYY-MM-DD` in the archive's time zone.
    func day(_ date: Date?) -> String { String(time(date).prefix(10)) }

    /// A duration as `M:SS` (or `H:MM:SS`).
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded())
        let h = total / 3600, m = (total % 3600) / 60, s = total % 60
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return h > 0 ? "\(h):\(two(m)):\(two(s))" : "\(m):\(two(s))"
    }

    /// Links to item pages.
    static func itemLinks(_ ids: [ItemID]) -> HTML {
        HTML(trusted: ids.map { (HTML("<a href=\"/items/\(HTML.urlComponent($0.description))\">\($0.description)</a>")).text }.joined(separator: ", "))
    }

    /// Links to customer pages.
    static func customerLinks(_ ids: [String]) -> HTML {
        HTML(trusted: ids.map { (HTML("<a href=\"/customers/\(HTML.urlComponent($0))\">\($0)</a>")).text }.joined(separator: ", "))
    }

    /// A `<select>` of the configured purposes.
    func purposeSelect(id: String, name: String = "purpose", selected: String? = nil, required: Bool = true) -> HTML {
        let options: [HTML] = archive.configuration.purposes.map { purpose in
            "<option value=\"\(purpose)\"\(purpose == selected ? HTML(" selected") : .empty)>\(purpose)</option>"
        }
        return """
        <select id="\(id)" name="\(name)"\(required ? HTML(" required") : .empty)>
        <option value="">Choose a purpose…</option>
        \(options)
        </select>
        """
    }

    /// The principal of an authorised page (set by the authorisation step), as the audit actor.
    func actor(_ context: APIRequestContext) throws -> Actor {
        guard let principal = context.principal else { throw APIError(.unauthorized, "log in first") }
        return Actor(principal, origin: context.origin)
    }

    /// The `{id}` path parameter.
    func pathID(_ context: APIRequestContext) throws -> String {
        guard let id = context.parameters.get("id"), !id.isEmpty, id.utf8.count <= 128 else {
            throw APIError(.badRequest, "the address must name an id")
        }
        return id
    }

    /// A notice shown after a form succeeded.
    static func notice(_ text: String?) -> HTML {
        text.map { HTML("<p class=\"message ok\" role=\"status\">\($0)</p>") } ?? .empty
    }
}
