import Hummingbird
import Foundation
import CallvaultAccess
import CallvaultArchive
import CallvaultContract
import CallvaultModel

extension WebUI {
    /// Rows per page of search results.
    static let pageSize = 25

    // MARK: search

    /// `GET /`: the search form and, once a criterion is given, a page of results (audited).
    func searchPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let q = WebQuery(request)
        let zone = try archive.configuration.timeZone()
        let asked = Self.searchCriteria.contains { q[$0] != nil }
        var results = HTML.empty
        var problem: String?
        if asked {
            do {
                var query = SearchQuery(number: q["number"], customer: q["customer"], agent: q["agent"], text: q["text"], limit: Self.pageSize)
                if let from = q["from"] { query.from = try TimeArgument.parse(from, option: "From", zone: zone) }
                if let to = q["to"] { query.to = try TimeArgument.parse(to, option: "To", zone: zone, endOfDay: true) }
                if let kind = q["kind"] {
                    guard let value = ItemKind(rawValue: kind) else { throw APIError(.badRequest, "Kind must be call, SMS or recording") }
                    query.kind = value
                }
                if let direction = q["direction"] {
                    guard let value = Direction(rawValue: direction) else { throw APIError(.badRequest, "Direction must be inbound, outbound or internal") }
                    query.direction = value
                }
                if let offset = q["offset"] {
                    guard let value = Int(offset), value >= 0 else { throw APIError(.badRequest, "the page offset must be a whole number") }
                    query.offset = value
                }
                let actor = try actor(context)
                let started = ContinuousClock.now
                let found = try await pool.run { [archive, query] in try archive.search(query, actor: actor) }
                api.metrics.recordSearch(ContinuousClock.now - started, failed: false)
                results = resultsTable(found, query: query, q: q)
            } catch let failure as ArchiveFailure where failure.kind == .badInput {
                problem = failure.message
            } catch let failure as APIError where failure.status == .badRequest {
                problem = failure.message
            }
        }
        func field(_ name: String, _ label: String, _ hint: String) -> HTML {
            """
            <div><label for="\(name)">\(label) <span class="hint" id="\(name)-hint">\(hint)</span></label>
            <input type="text" id="\(name)" name="\(name)" value="\(q[name] ?? "")" aria-describedby="\(name)-hint"></div>
            """
        }
        let kinds: [HTML] = [("", "Any"), ("call", "Calls"), ("sms", "SMS"), ("recording", "Recordings")].map { value, label in
            "<option value=\"\(value)\"\((q["kind"] ?? "") == value ? HTML(" selected") : .empty)>\(label)</option>"
        }
        let directions: [HTML] = [("", "Any"), ("inbound", "Inbound"), ("outbound", "Outbound"), ("internal", "Internal")].map { value, label in
            "<option value=\"\(value)\"\((q["direction"] ?? "") == value ? HTML(" selected") : .empty)>\(label)</option>"
        }
        let body: HTML = """
        <h1>Search calls and messages</h1>
        <form class="panel" method="get" action="/" role="search">
        <div class="fields">
        \(field("number", "Phone number", "any written form: 040 123 4567, +358401234567, or the last 6+ digits"))
        \(field("customer", "Customer id", "e.g. C001"))
        \(field("from", "From", "date or time, e.g. 2026-03-14"))
        \(field("to", "To", "date (inclusive) or time"))
        <div><label for="kind">Kind</label><select id="kind" name="kind">\(kinds)</select></div>
        <div><label for="direction">Direction</label><select id="direction" name="direction">\(directions)</select></div>
        \(field("agent", "Agent", "extension, e.g. 1001"))
        \(field("text", "Caller name", "words of the name"))
        </div>
        <button type="submit">Search</button>
        </form>
        \(problem.map { HTML("<p class=\"message error\" role=\"alert\">\($0)</p>") } ?? .empty)
        \(asked ? .empty : HTML("<p class=\"muted\">Give at least one criterion. Searches and the items they show are recorded in the audit trail.</p>"))
        \(results)
        """
        return page(title: "Search", body: body, context: context, current: .search)
    }

    func resultsTable(_ result: SearchResult, query: SearchQuery, q: WebQuery, base: String = "/") -> HTML {
        guard !result.items.isEmpty else {
            return "<p role=\"status\">No items match\(query.offset > 0 ? HTML(" on this page") : .empty). \(result.total > 0 ? HTML("<a href=\"\(base)\(pageQuery(q, offset: 0))\">First page</a>") : .empty)</p>"
        }
        let rows: [HTML] = result.items.map { item in
            """
            <tr>
            <td><a href="/items/\(HTML.urlComponent(item.id.description))">\(item.id.description)</a></td>
            <td>\(time(item.start))</td>
            <td>\(item.direction?.rawValue ?? "")</td>
            <td>\(item.from ?? "")</td>
            <td>\(item.to ?? "")</td>
            <td>\(item.id.kind == .sms ? "" : Self.duration(item.durationSeconds))</td>
            <td>\(item.disposition ?? "")</td>
            <td>\(item.agent ?? "")</td>
            <td>\(Self.customerLinks(item.customers))</td>
            <td>\(item.recording.map { Self.itemLinks([$0]) } ?? (item.id.kind == .recording ? "yes" : ""))</td>
            <td>\(item.holds.joined(separator: ", "))</td>
            </tr>
            """
        }
        let first = query.offset + 1, last = query.offset + result.items.count
        var pager: [HTML] = []
        if query.offset > 0 {
            pager.append("<a href=\"\(base)\(pageQuery(q, offset: max(0, query.offset - Self.pageSize)))\" rel=\"prev\">← Newer</a>")
        }
        if last < result.total {
            pager.append("<a href=\"\(base)\(pageQuery(q, offset: last))\" rel=\"next\">Older →</a>")
        }
        return """
        <table>
        <caption role="status">Items \(first)–\(last) of \(result.total), newest first</caption>
        <thead><tr><th scope="col">Item</th><th scope="col">Start</th><th scope="col">Direction</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Duration</th><th scope="col">Outcome</th><th scope="col">Agent</th><th scope="col">Customers</th><th scope="col">Recording</th><th scope="col">Holds</th></tr></thead>
        <tbody>
        \(rows)
        </tbody>
        </table>
        <nav class="pager" aria-label="Result pages">\(pager)</nav>
        """
    }

    /// The search form's fields: what makes a request a search, and what a results page link keeps.
    static let searchCriteria = ["number", "customer", "from", "to", "kind", "direction", "agent", "text"]

    func pageQuery(_ q: WebQuery, offset: Int) -> String {
        HTML.query(Self.searchCriteria.map { ($0, q[$0]) } + [("offset", offset > 0 ? String(offset) : nil)])
    }

    // MARK: item

    /// `GET /items/{id}`: an item's fields, legs, customers, holds and retention (audited);
    /// with `?purpose=P` (chosen from the allowlist) its recordings can be played.
    func itemPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try pathID(context)
        guard ItemID(id) != nil else { throw APIError(.badRequest, "'\(id.prefix(40))' is not an item id (call-N, sms-N or rec-N)") }
        let q = WebQuery(request)
        let purpose = q["purpose"]
        if let purpose, !archive.configuration.purposes.contains(purpose) {
            throw APIError(.badRequest, "'\(purpose.prefix(40))' is not one of the configured purposes: choose one from the list")
        }
        let actor = try actor(context)
        let item = try await pool.run { [archive] in try archive.show(id, purpose: purpose, actor: actor) }
        let detail = item.detail
        func row(_ label: String, _ value: HTML) -> HTML { "<dt>\(label)</dt><dd>\(value)</dd>" }
        func row(_ label: String, _ value: String?) -> HTML { value.map { $0.isEmpty ? .empty : row(label, HTML("\($0)")) } ?? .empty }
        var rows: [HTML] = [
            row("Kind", item.id.kind.rawValue),
            row("Start", time(item.start)),
            row("Answered", detail?.answer.map(time)),
            row("Ended", detail?.end.map(time)),
            row("Direction", item.direction?.rawValue),
            row("From", item.from),
            row("To", item.to),
            row("Caller name", detail?.callerName),
        ]
        if item.id.kind != .sms { rows.append(row("Duration", Self.duration(item.durationSeconds))) }
        rows += [
            row("Billable seconds", detail?.billableSeconds.map(String.init)),
            row("Outcome", item.disposition),
            row("Agent", item.agent),
            row("Customers", item.customers.isEmpty ? HTML("none linked") : Self.customerLinks(item.customers)),
            row("Call legs", item.legs.count > 1 ? Self.itemLinks(item.legs) : .empty),
            row("Recording of call", detail?.call.map { Self.itemLinks([$0]) } ?? .empty),
            row("Legal holds", item.holds.isEmpty ? HTML("none") : HTML("\(item.holds.joined(separator: ", "))")),
            row("Retention class", item.retentionClass),
            row("Retained until", HTML("\(item.retainUntil.map(day) ?? "while a linked customer relationship lasts")")),
            row("Restricted", item.restricted ? "yes: only the compliance role sees this item" : nil),
            row("Source format", detail?.format),
            row("Ingested", detail.map { time($0.ingestedAt) }),
        ]
        let recordings = item.id.kind == .recording ? [item.id] : (item.recordings.isEmpty ? item.recording.map { [$0] } ?? [] : item.recordings)
        let body: HTML = """
        <h1>\(item.id.kind == .call ? "Call" : item.id.kind == .sms ? "SMS" : "Recording") \(item.id.description)</h1>
        <dl class="fields-list">\(rows)</dl>
        \(recordings.isEmpty ? .empty : audioSection(item.id, recordings: recordings, purpose: purpose, context: context))
        """
        return page(title: item.id.description, body: body, context: context)
    }

    /// The player: a form choosing the purpose (a GET of this page), then one `<audio>` per recording.
    func audioSection(_ id: ItemID, recordings: [ItemID], purpose: String?, context: APIRequestContext) -> HTML {
        guard context.principal?.may(.playRecording) == true else {
            return "<section class=\"panel\" aria-labelledby=\"play\"><h2 id=\"play\">Recording</h2><p>Your role may not play recordings.</p></section>"
        }
        var players = HTML.empty
        if let purpose {
            let items: [HTML] = recordings.map { recording in
                let source = "/api/v1/recordings/\(HTML.urlComponent(recording.description))/audio" + HTML.query([("purpose", purpose)])
                return """
                <figure>
                <figcaption>\(recording.description) — playing for the purpose \(purpose) (recorded in the audit trail)</figcaption>
                <audio controls preload="none" src="\(source)">Your browser cannot play this recording here.</audio>
                </figure>
                """
            }
            players = "\(items)"
        }
        return """
        <section class="panel" aria-labelledby="play">
        <h2 id="play">Recording</h2>
        <form method="get" action="/items/\(HTML.urlComponent(id.description))">
        <label for="purpose">Why are you listening? <span class="hint">Required: the purpose is recorded with every playback.</span></label>
        \(purposeSelect(id: "purpose", selected: purpose))
        <button type="submit">\(purpose == nil ? "Show player" : "Change purpose")</button>
        </form>
        \(players)
        </section>
        """
    }

    // MARK: customer

    /// `GET /customers/{id}`: a customer's restriction state and items (audited), and for
    /// compliance the export, erasure and restriction forms.
    func customerPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let id = try pathID(context)
        let q = WebQuery(request)
        let actor = try actor(context)
        var query = SearchQuery(customer: id, limit: Self.pageSize)
        if let offset = q["offset"].flatMap(Int.init), offset >= 0 { query.offset = offset }
        let (state, record, found) = try await pool.run { [archive, query] in
            let state = try archive.restrictionState(customer: id, actor: actor)
            // A restricted customer's record is for compliance only: others see the notice below.
            var record: CustomerRecord?
            do { record = try archive.customerRecord(id, actor: actor) } catch let error as CallvaultError where error.kind == .refused {}
            return (state, record, try archive.search(query, actor: actor))
        }
        let principal = context.principal
        let path = "/customers/\(HTML.urlComponent(id))"
        var restriction: HTML = state.restricted ? "<p class=\"message error\">Processing is restricted: the customer's items are stored only, and only the compliance role sees them.</p>" : .empty
        if state.restricted {
            let entries: [HTML] = state.restrictions.map { "<li>\($0.reason) — since \(time($0.placedAt))\($0.request.map { HTML(", by request \($0)") } ?? .empty)</li>" }
            restriction = "\(restriction)<ul>\(entries)</ul>"
        }
        var forms: [HTML] = []
        if principal?.may(.export) == true {
            forms.append("""
            <form class="panel" method="post" action="\(path)/export">
            <h2>Export (access or portability package)</h2>
            \(csrfField(context))
            <div class="fields">
            <div><label for="export-purpose">Purpose</label>\(purposeSelect(id: "export-purpose", required: false))</div>
            <div><label for="export-request">Request id <span class="hint">e.g. req-3 (optional)</span></label><input type="text" id="export-request" name="request"></div>
            </div>
            <p class="check"><input type="checkbox" id="portability" name="portability" value="1"> <label for="portability">Portability package (Art. 20) instead of the access package (Art. 15)</label></p>
            <button type="submit">Download the ZIP</button>
            </form>
            """)
        }
        if principal?.may(.restrict) == true {
            forms.append(state.restricted ? """
            <form class="panel" method="post" action="\(path)/unrestrict">
            <h2>Lift the restriction</h2>
            \(csrfField(context))
            <label for="unrestrict-reason">Decision</label><input type="text" id="unrestrict-reason" name="reason" required>
            <button type="submit">Lift restriction</button>
            </form>
            """ : """
            <form class="panel" method="post" action="\(path)/restrict">
            <h2>Restrict processing</h2>
            \(csrfField(context))
            <label for="restrict-reason">Why <span class="hint">e.g. accuracy contested, pending erasure decision</span></label><input type="text" id="restrict-reason" name="reason" required>
            <button type="submit">Restrict</button>
            </form>
            """)
        }
        if principal?.may(.erase) == true {
            forms.append("""
            <form class="panel" method="post" action="\(path)/erase">
            <h2>Erase</h2>
            \(csrfField(context))
            <label for="erase-reason">Why <span class="hint">e.g. the request id</span></label><input type="text" id="erase-reason" name="reason" required>
            <p class="check"><input type="checkbox" id="dry-run" name="dry_run" value="1" checked> <label for="dry-run">Dry run: show the plan, delete nothing</label></p>
            <label for="confirm">To erase for real, untick the dry run and type the customer id <span class="hint">\(id)</span></label><input type="text" id="confirm" name="confirm" autocomplete="off">
            <button type="submit" class="danger">Erase (or show the plan)</button>
            </form>
            """)
        }
        var profile: HTML = .empty
        if let record {
            let ended: HTML = record.relationshipEnded.map { "<dt>Relationship ended</dt><dd>\(day($0))</dd>" } ?? .empty
            profile = """
            <dl class="fields-list">
            <dt>Name</dt><dd>\(record.name)</dd>
            <dt>Numbers</dt><dd>\(record.numbers.joined(separator: ", "))</dd>
            \(ended)
            </dl>
            """
        }
        let body: HTML = """
        <h1>Customer \(id)</h1>
        \(profile)
        \(Self.notice(q["done"].flatMap { Self.customerNotices[$0] }))
        \(restriction)
        <h2>Items</h2>
        \(resultsTable(found, query: query, q: q, base: path))
        \(forms)
        """
        return page(title: "Customer \(id)", body: body, context: context)
    }

    static let customerNotices: [String: String] = [
        "restricted": "Processing of this customer is now restricted.",
        "unrestricted": "The restriction was lifted.",
    ]
}

