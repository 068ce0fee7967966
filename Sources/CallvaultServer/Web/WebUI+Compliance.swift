import Hummingbird
import Foundation
import CallvaultAccess
import CallvaultArchive
import CallvaultAudit
import CallvaultContract
import CallvaultModel
import CallvaultSpool

extension WebUI {
    // MARK: customer actions

    /// `POST /customers/{id}/export`: the package as a download (the API's export).
    func customerExport(_ context: APIRequestContext, _ form: WebForm) async throws -> Response {
        let id = try pathID(context)
        return try await api.exportPackage(customer: id, purpose: form["purpose"], portability: form.isChecked("portability"),
                                           request: form["request"], actor: try actor(context))
    }

    /// `POST /customers/{id}/erase`: a dry run shows the plan; erasing for real needs the
    /// customer id typed again. The report says what was deleted and what was kept, and why.
    func customerErase(_ context: APIRequestContext, _ form: WebForm) async throws -> Response {
        let id = try pathID(context)
        guard let reason = form["reason"] else { throw APIError(.badRequest, "give the reason for the erasure (e.g. the request id)") }
        let dryRun = form.isChecked("dry_run")
        if !dryRun && form["confirm"] != id {
            throw APIError(.badRequest, "to erase for real, type the customer id \(id) into the confirmation field (or tick the dry run to see the plan)")
        }
        let actor = try actor(context)
        let report = try await pool.run { [archive] in try archive.erase(customer: id, reason: reason, dryRun: dryRun, actor: actor) }
        let kept: [HTML] = report.kept.map { kept in
            "<tr><td>\(kept.id)</td><td>\(kept.why.rawValue)</td><td>\(kept.until.map(day) ?? "")</td><td>\(kept.holds.joined(separator: ", "))</td><td>\(kept.legalBasis ?? "")</td></tr>"
        }
        let body: HTML = """
        <h1>\(dryRun ? "Erasure plan" : "Erasure report") for customer \(id)</h1>
        \(dryRun ? HTML("<p class=\"message ok\" role=\"status\">Dry run: nothing was deleted.</p>") : HTML("<p class=\"message ok\" role=\"status\">Erased\(report.erasure.map { HTML(" (\($0))") } ?? .empty).</p>"))
        <dl class="fields-list">
        <dt>\(dryRun ? "Would delete" : "Deleted")</dt><dd>\(report.deleted.calls) calls, \(report.deleted.sms) SMS, \(report.deleted.recordings) recordings</dd>
        <dt>Kept</dt><dd>\(report.kept.count) items</dd>
        <dt>Deferred</dt><dd>\(report.deferred)</dd>
        </dl>
        \(kept.isEmpty ? .empty : HTML("""
        <table><caption>Items kept, and why</caption>
        <thead><tr><th scope="col">Item</th><th scope="col">Why</th><th scope="col">Until</th><th scope="col">Holds</th><th scope="col">Legal basis</th></tr></thead>
        <tbody>\(kept)</tbody></table>
        """))
        <p><a href="/customers/\(HTML.urlComponent(id))">Back to customer \(id)</a></p>
        """
        return page(title: "Erasure \(id)", body: body, context: context)
    }

    /// `POST /customers/{id}/restrict` and `/unrestrict`, then back to the customer page.
    func customerRestrict(_ context: APIRequestContext, _ form: WebForm, lift: Bool) async throws -> Response {
        let id = try pathID(context)
        let reason = form["reason"]
        if !lift && reason == nil { throw APIError(.badRequest, "give the reason for the restriction") }
        let actor = try actor(context)
        _ = try await pool.run { [archive] in
            lift ? try archive.unrestrict(customer: id, reason: reason, actor: actor)
                 : try archive.restrict(customer: id, reason: reason ?? "", actor: actor)
        }
        return Self.redirect(to: "/customers/\(HTML.urlComponent(id))?done=\(lift ? "unrestricted" : "restricted")")
    }

    // MARK: holds

    /// `GET /holds`: active holds (`?all=1`: released ones too), with release and place forms.
    func holdsPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let q = WebQuery(request)
        let all = q["all"] != nil
        let actor = try actor(context)
        let holds = try await pool.run { [archive] in try archive.holds(includeReleased: all, actor: actor) }
        let mayRelease = context.principal?.may(.releaseHold) == true
        let rows: [HTML] = holds.map { hold in
            let scope = hold.scopes.map { "\($0.kind.rawValue) \($0.value)" }.joined(separator: ", ")
            let range = hold.from == nil && hold.to == nil ? "" : "\(day(hold.from)) – \(day(hold.to))"
            var state: HTML = hold.isActive ? "active" : "released \(time(hold.releasedAt)) by \(hold.releasedBy ?? ""): \(hold.releaseReason ?? "")"
            if hold.isActive && mayRelease {
                state = """
                active
                <form method="post" action="/holds/\(HTML.urlComponent(hold.id))/release">
                \(csrfField(context))
                <label for="release-\(hold.id)">Decision to release \(hold.id)</label>
                <input type="text" id="release-\(hold.id)" name="reason" required>
                <button type="submit" class="secondary">Release \(hold.id)</button>
                </form>
                """
            }
            return """
            <tr><th scope="row">\(hold.id)</th><td>\(hold.caseName)</td><td>\(hold.reason)</td><td>\(scope.isEmpty ? "every item" : scope)</td>
            <td>\(range)</td><td>\(hold.placedBy), \(time(hold.placedAt))</td><td>\(hold.coveredItems)</td><td>\(state)</td></tr>
            """
        }
        var placeForm = HTML.empty
        if context.principal?.may(.placeHold) == true {
            placeForm = """
            <form class="panel" method="post" action="/holds">
            <h2>Place a legal hold</h2>
            \(csrfField(context))
            <div class="fields">
            <div><label for="case">Case</label><input type="text" id="case" name="case" required></div>
            <div><label for="reason">Reason</label><input type="text" id="reason" name="reason" required></div>
            <div><label for="customers">Customers <span class="hint">ids, separated by commas</span></label><input type="text" id="customers" name="customers"></div>
            <div><label for="numbers">Numbers <span class="hint">any written form, separated by commas</span></label><input type="text" id="numbers" name="numbers"></div>
            <div><label for="items">Items <span class="hint">e.g. call-5, rec-9</span></label><input type="text" id="items" name="items"></div>
            <div><label for="from">From <span class="hint">date or time (optional)</span></label><input type="text" id="from" name="from"></div>
            <div><label for="to">To <span class="hint">date (inclusive) or time (optional)</span></label><input type="text" id="to" name="to"></div>
            </div>
            <button type="submit">Place hold</button>
            </form>
            """
        }
        let notice = q["placed"].map { "Hold \($0) placed." } ?? q["released"].map { "Hold \($0) released." }
        let body: HTML = """
        <h1>Legal holds</h1>
        \(Self.notice(notice))
        <p>\(all ? HTML("<a href=\"/holds\">Show active holds only</a>") : HTML("<a href=\"/holds?all=1\">Show released holds too</a>"))</p>
        \(holds.isEmpty ? HTML("<p>No \(all ? "" : "active ")holds.</p>") : HTML("""
        <table><caption>\(holds.count) \(all ? "holds" : "active holds")</caption>
        <thead><tr><th scope="col">Hold</th><th scope="col">Case</th><th scope="col">Reason</th><th scope="col">Scope</th><th scope="col">Time range</th><th scope="col">Placed</th><th scope="col">Items covered</th><th scope="col">State</th></tr></thead>
        <tbody>\(rows)</tbody></table>
        """))
        \(placeForm)
        """
        return page(title: "Holds", body: body, context: context, current: .holds)
    }

    /// `POST /holds`: places a hold, then back to the holds page.
    func placeHold(_ context: APIRequestContext, _ form: WebForm) async throws -> Response {
        guard let caseName = form["case"], let reason = form["reason"] else {
            throw APIError(.badRequest, "a hold needs a case and a reason")
        }
        let zone = try archive.configuration.timeZone()
        var hold = HoldRequest(caseName: caseName, reason: reason, customers: form.list("customers"),
                               numbers: form.list("numbers"), items: form.list("items"))
        if let from = form["from"] { hold.from = try TimeArgument.parse(from, option: "From", zone: zone) }
        if let to = form["to"] { hold.to = try TimeArgument.parse(to, option: "To", zone: zone, endOfDay: true) }
        let actor = try actor(context)
        let placed = try await pool.run { [archive, hold] in try archive.placeHold(hold, actor: actor) }
        return Self.redirect(to: "/holds?placed=\(HTML.urlComponent(placed.id))")
    }

    /// `POST /holds/{id}/release`: releases a hold with the recorded decision.
    func releaseHold(_ context: APIRequestContext, _ form: WebForm) async throws -> Response {
        let id = try pathID(context)
        guard Hold.number(id) != nil else { throw APIError(.badRequest, "the address must name a hold id (hold-N)") }
        guard let reason = form["reason"] else { throw APIError(.badRequest, "record the decision to release the hold") }
        let actor = try actor(context)
        let released = try await pool.run { [archive] in try archive.releaseHold(id, reason: reason, actor: actor) }
        return Self.redirect(to: "/holds?released=\(HTML.urlComponent(released.id))")
    }

    // MARK: audit trail

    /// `GET /audit`: the audit trail, newest first, filtered by actor, action and time (the read is audited).
    func auditPage(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let q = WebQuery(request)
        let zone = try archive.configuration.timeZone()
        var filter = AuditTrailFilter(actor: q["actor"], action: q["action"], limit: 100)
        if let from = q["from"] { filter.from = try TimeArgument.parse(from, option: "From", zone: zone) }
        if let to = q["to"] { filter.to = try TimeArgument.parse(to, option: "To", zone: zone, endOfDay: true) }
        if let before = q["before"] {
            guard let value = Int64(before), value > 0 else { throw APIError(.badRequest, "before must be an entry number") }
            filter.before = value
        }
        let actor = try actor(context)
        let entries = try await pool.run { [archive, filter] in try archive.auditTrail(filter, actor: actor) }
        let rows: [HTML] = entries.map { entry in
            let items = entry.items.prefix(5).joined(separator: ", ") + (entry.items.count > 5 ? " … and \(entry.items.count - 5) more" : "")
            return """
            <tr><td>\(entry.sequence)</td><td>\(time(entry.time))</td><td>\(entry.actor)</td><td>\(entry.role)</td><td>\(entry.action)</td>
            <td>\(items)</td><td>\(entry.purpose ?? "")</td><td>\(entry.outcome.rawValue)</td><td>\(entry.reason ?? "")</td><td>\(entry.origin)</td>
            <td><code>\(entry.details == "{}" ? "" : entry.details)</code></td></tr>
            """
        }
        func field(_ name: String, _ label: String, _ hint: String) -> HTML {
            """
            <div><label for="\(name)">\(label) <span class="hint">\(hint)</span></label>
            <input type="text" id="\(name)" name="\(name)" value="\(q[name] ?? "")"></div>
            """
        }
        let older = entries.count == filter.limit ? entries.last.map { last -> HTML in
            "<a href=\"/audit\(HTML.query([("actor", q["actor"]), ("action", q["action"]), ("from", q["from"]), ("to", q["to"]), ("before", String(last.sequence))]))\" rel=\"next\">Older entries →</a>"
        } : nil
        let body: HTML = """
        <h1>Audit trail</h1>
        <form class="panel" method="get" action="/audit">
        <div class="fields">
        \(field("actor", "Actor", "account name, e.g. anna.k"))
        \(field("action", "Action", "e.g. search, show, play, hold-place, login-failed"))
        \(field("from", "From", "date or time"))
        \(field("to", "To", "date (inclusive) or time"))
        </div>
        <button type="submit">Filter</button>
        </form>
        \(entries.isEmpty ? HTML("<p role=\"status\">No entries match.</p>") : HTML("""
        <table><caption role="status">\(entries.count) entries, newest first</caption>
        <thead><tr><th scope="col">#</th><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Role</th><th scope="col">Action</th><th scope="col">Items</th><th scope="col">Purpose</th><th scope="col">Outcome</th><th scope="col">Reason</th><th scope="col">Origin</th><th scope="col">Details</th></tr></thead>
        <tbody>\(rows)</tbody></table>
        """))
        <nav class="pager" aria-label="Audit pages">\(filter.before != nil ? HTML("<a href=\"/audit\(HTML.query([("actor", q["actor"]), ("action", q["action"]), ("from", q["from"]), ("to", q["to"])]))\">Newest entries</a>") : .empty)\(older ?? .empty)</nav>
        """
        return page(title: "Audit trail", body: body, context: context, current: .audit)
    }

    // MARK: ingest

    /// `GET /ingest`: what waits in the spool, what was ingested per day, what was rejected and why.
    func ingestPage(_ context: APIRequestContext) async throws -> Response {
        let actor = try actor(context)
        let status = try await pool.run { [archive] in try archive.spoolStatus(actor: actor) }
        func rows(_ files: [SpoolStatus.File], reasons: Bool) -> HTML {
            let rows: [HTML] = files.map { file in
                let lines: [HTML] = file.lineReasons.map { "<li>\($0)</li>" }
                return """
                <tr><td>\(file.name)</td><td>\(file.bytes)</td><td>\(time(file.modified))</td>\(file.removeAfter.map { HTML("<td>\(time($0))</td>") } ?? .empty)\(reasons ? HTML("<td>\(file.reason ?? "")\(file.rejectedLines > 0 ? HTML(" (\(file.rejectedLines) lines)") : .empty)\(lines.isEmpty ? .empty : HTML("<ul>\(lines)</ul>"))</td>") : .empty)</tr>
                """
            }
            return "\(rows)"
        }
        func table(_ caption: String, _ files: [SpoolStatus.File], reasons: Bool) -> HTML {
            guard !files.isEmpty else { return "<p>\(caption): none.</p>" }
            return """
            <table><caption>\(caption): \(files.count)</caption>
            <thead><tr><th scope="col">File</th><th scope="col">Bytes</th><th scope="col">Last written</th>\(files.contains { $0.removeAfter != nil } ? HTML("<th scope=\"col\">Removed after</th>") : .empty)\(reasons ? HTML("<th scope=\"col\">Why</th>") : .empty)</tr></thead>
            <tbody>\(rows(files, reasons: reasons))</tbody></table>
            """
        }
        let days: [HTML] = status.processedPerDay.map { "<tr><td>\($0.day)</td><td>\($0.files)</td><td>\($0.removeAfter.map { time($0) } ?? "")</td></tr>" }
        // Files whose processing failed: they stay in the spool and are tried again after a doubling pause.
        let failing: [HTML] = api.spool.failures().map { failure in
            """
            <tr><td>\(SpoolFiles.masked(failure.name))</td><td>\(failure.attempts)</td><td>\(time(failure.lastFailure))</td><td>\(time(failure.nextAttempt))</td><td>\(SpoolFiles.masked(failure.error))</td></tr>
            """
        }
        let failingTable: HTML = failing.isEmpty ? "<p>Files failing: none.</p>" : """
            <table><caption>Files failing: \(failing.count)</caption>
            <thead><tr><th scope="col">File</th><th scope="col">Attempts</th><th scope="col">Last failure</th><th scope="col">Next try</th><th scope="col">Error</th></tr></thead>
            <tbody>\(failing)</tbody></table>
            """
        let body: HTML = """
        <h1>Ingest</h1>
        <p class="muted">Long digit runs in file names are masked: PBX file names hold phone numbers.</p>
        <h2>Waiting in the spool</h2>
        \(table("Files waiting", status.waiting, reasons: false))
        \(failingTable)
        <h2>Rejected</h2>
        \(table("Rejected files", status.rejected, reasons: true))
        <h2>Processed</h2>
        \(days.isEmpty ? HTML("<p>Nothing processed yet.</p>") : HTML("<table><caption>Files processed per day</caption><thead><tr><th scope=\"col\">Day</th><th scope=\"col\">Files</th><th scope=\"col\">Raw copies removed after (unless held)</th></tr></thead><tbody>\(days)</tbody></table>"))
        \(table("Processed files with rejected lines", status.processedWithRejects, reasons: true))
        """
        return page(title: "Ingest", body: body, context: context, current: .ingestStatus)
    }
}
