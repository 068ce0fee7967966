public import Hummingbird
import CallvaultJobs
import HummingbirdCore
import HTTPTypes
public import CallvaultArchive
public import CallvaultConfiguration
import CallvaultAccess
import CallvaultContract
import CallvaultModel
public import Logging
import NIOCore
import Foundation
import CallvaultSpool
#if canImport(Glibc)
import Glibc
#endif

/// callvault's HTTP API (CLI.md, "HTTP API for machines"): one handler per `APIRoute`, each
/// authorised by the route's action and calling one Archive method, answering with the CLI's
/// JSON shapes.
///
/// ```swift
/// let api = CallvaultAPI(archive: archive, principals: resolver)
/// let router = api.makeRouter()          // add web UI routes to it, then:
/// let app = api.makeApplication(router: router, logger: logger)
/// ```
public struct CallvaultAPI: Sendable {
    public let archive: Archive
    public let principals: any PrincipalResolver
    /// The spool the ingest route files uploads into (shared with the spool watcher service).
    public let spool: SpoolWatcher
    public let metrics: ServerMetrics
    public let settings: ServerSettings
    let pool = ArchiveThreadPool.shared

    /// Creates the API of `archive`, authenticating bearer tokens with `principals`.
    /// - Parameters:
    ///   - spool: the watcher uploads are filed through; one is made if nil.
    ///   - settings: limits and address; the archive's `[server]` settings if nil.
    public init(archive: Archive, principals: any PrincipalResolver, spool: SpoolWatcher? = nil,
                metrics: ServerMetrics = ServerMetrics(), settings: ServerSettings? = nil) {
        self.archive = archive
        self.principals = principals
        self.spool = spool ?? SpoolWatcher(archive: archive, actor: Archive.spoolActor)
        self.metrics = metrics
        self.settings = settings ?? archive.configuration.server
    }

    /// A router with the API's middleware (errors as JSON, security headers, request log, the
    /// web UI's session cookie), every route of `APIRoute` and every page of `WebRoute`, HEAD
    /// wherever GET is (the GET's answer without its body), and 405 with `Allow` for a method a
    /// path lacks. Routes added to it later get the same middleware.
    public func makeRouter() -> Router<APIRequestContext> {
        let router = Router(context: APIRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: APIMiddleware())
        // Before every route: a browser's session cookie becomes the principal (web UI, audio).
        router.add(middleware: SessionMiddleware(archive: archive, pool: pool, idleTimeout: settings.sessionIdleTimeout))
        let scrapers = MetricsScrapers(addresses: settings.metricsAddresses, tokenFile: settings.metricsTokenFile, pool: pool)
        let authorizer = Authorizer(resolver: principals, archive: archive, pool: pool, scrapers: scrapers)
        for route in APIRoute.allCases {
            router.on(RouterPath(route.path), method: route.method) { request, context -> Response in
                var context = context
                try await authorizer.authorize(route, request: request, context: &context)
                let query = try Query(request, allowed: Set(route.queryParameters))
                return try await self.respond(route, to: request, query: query, context: context)
            }
        }
        WebUI(api: self).addRoutes(to: router)
        return router
    }

    /// An application serving `router` (by default `makeRouter()`) on the settings' host and port.
    /// A connection that sends no complete request head for `[server] idle_timeout` (half a
    /// header, nothing between keep-alive requests, a stalled upload) is closed by Hummingbird's
    /// connection state handler; a response being written is never cut by it.
    /// - Parameter onServerRunning: called with the bound port once the server listens.
    public func makeApplication(router: Router<APIRequestContext>? = nil, logger: Logger,
                                onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        -> Application<RouterResponder<APIRequestContext>> {
        Application(router: router ?? makeRouter(),
                    server: .http1(configuration: .init(idleTimeout: .nanoseconds(Int64(settings.idleTimeout * 1_000_000_000)))),
                    configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
                    onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
                    logger: logger)
    }

    // MARK: handlers

    func respond(_ route: APIRoute, to request: Request, query: Query, context: APIRequestContext) async throws -> Response {
        switch route {
        case .health: return json(["status": "ok"])
        case .search: return try await search(query, context)
        case .item: return try await item(query, context)
        case .recordingAudio: return try await audio(request, query, context)
        case .listHolds: return try await listHolds(query, context)
        case .placeHold: return try await placeHold(request, context)
        case .releaseHold: return try await releaseHold(request, context)
        case .erase: return try await erase(request, context)
        case .restrict: return try await restrict(request, context, lift: false)
        case .unrestrict: return try await restrict(request, context, lift: true)
        case .export: return try await export(request, context)
        case .auditVerify: return try await auditVerify(context)
        case .ingest: return try await ingest(request, context)
        case .metrics: return try await renderMetrics()
        }
    }

    func search(_ params: Query, _ context: APIRequestContext) async throws -> Response {
        let zone = try archive.configuration.timeZone()
        for name in ["number", "from", "to", "kind", "direction", "limit"] { _ = try params.formed(name) }
        if let number = params["number"] {
            try APIInput.require(number, APIInput.searchNumber, "number", "a phone number: digits (6–20), single spaces or dashes between them, an optional leading + (written %2B in a query)")
        }
        var query = SearchQuery(number: params["number"], customer: params["customer"], agent: params["agent"], text: params["text"])
        if let limit = params["limit"] {
            guard let value = Int(limit) else { throw APIError(.badRequest, "limit must be a whole number (0–10000)") }
            query.limit = value
        }
        if let from = params["from"] { query.from = try TimeArgument.parse(Self.time(from, "from"), option: "from", zone: zone) }
        if let to = params["to"] { query.to = try TimeArgument.parse(Self.time(to, "to"), option: "to", zone: zone, endOfDay: true) }
        if let kind = params["kind"] {
            guard let value = ItemKind(rawValue: kind) else { throw APIError(.badRequest, "kind must be call, sms or recording") }
            query.kind = value
        }
        if let direction = params["direction"] {
            guard let value = Direction(rawValue: direction) else { throw APIError(.badRequest, "direction must be inbound, outbound or internal") }
            query.direction = value
        }
        let actor = try actor(context)
        let purpose = params["purpose"]
        let started = ContinuousClock.now
        do {
            let result = try await pool.run { [archive, query] in try archive.search(query, purpose: purpose, actor: actor) }
            metrics.recordSearch(ContinuousClock.now - started, failed: false)
            return json(SearchResultJSON(result))
        } catch {
            metrics.recordSearch(ContinuousClock.now - started, failed: true)
            throw error
        }
    }

    func item(_ params: Query, _ context: APIRequestContext) async throws -> Response {
        let id = try itemID(context, APIInput.itemID)
        let actor = try actor(context)
        let purpose = params["purpose"]
        let item = try await pool.run { [archive] in try archive.show(id, purpose: purpose, actor: actor) }
        return json(ItemJSON(item))
    }

    func audio(_ request: Request, _ params: Query, _ context: APIRequestContext) async throws -> Response {
        let id = try itemID(context, APIInput.recordingID)
        let actor = try actor(context)
        let purpose = params["purpose"]
        let rangeHeader = request.headers[.range]
        let (playback, range) = try await pool.run { [archive] () throws -> (RecordingPlayback, ClosedRange<Int64>?) in
            var chosen: ClosedRange<Int64>?
            let playback = try archive.openRecording(id, purpose: purpose, actor: actor, bodyless: request.method == .head) { size in
                switch ByteRangeRequest(header: rangeHeader, size: size) {
                case .whole:
                    return nil
                case .partial(let range):
                    chosen = range
                    return range
                case .unsatisfiable:
                    throw APIError(.rangeNotSatisfiable, "the Range header asks for bytes the recording does not have (it has \(size)); ask for bytes=a-b, a- or -n within it",
                                   headers: [.contentRange: "bytes */\(size)"])
                }
            }
            return (playback, chosen)
        }
        let length = playback.wanted.map { $0.upperBound - $0.lowerBound + 1 } ?? 0
        var headers: HTTPFields = [
            .contentType: playback.contentType,
            .acceptRanges: "bytes",
            .eTag: "\"\(playback.sha256)\"",
            // Named by its id: the original file name holds phone numbers.
            .contentDisposition: "inline; filename=\"\(playback.id).\(Self.fileExtension(playback.fileName))\"",
        ]
        if let range { headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(playback.size)" }
        let pool = self.pool, archive = self.archive, logger = context.logger
        let body = ResponseBody(contentLength: Int(length)) { writer in
            guard let wanted = playback.wanted else { try await writer.finish(nil); return }
            // The first piece was proven before the headers; the rest follows piece by piece
            // along the stored chunks (each read decompresses and proves one chunk).
            try await writer.write(ByteBuffer(bytes: playback.firstPiece))
            var offset = wanted.lowerBound + Int64(playback.firstPiece.count)
            let step = playback.preferredReadSize
            while offset <= wanted.upperBound {
                let end = min(wanted.upperBound, (offset / step + 1) * step - 1)
                let piece = offset...end
                let buffer: ByteBuffer
                do {
                    buffer = try await pool.run { () throws -> ByteBuffer in
                        var buffer = ByteBuffer()
                        buffer.reserveCapacity(Int(end - piece.lowerBound + 1))
                        try playback.read(piece) { buffer.writeBytes($0) }
                        return buffer
                    }
                } catch {
                    // The response cannot change its status now: it ends short, and the log says why.
                    let sent = offset - wanted.lowerBound
                    logger.error("recording stream stopped", metadata: ["item": "\(playback.id)", "bytes_sent": "\(sent)",
                                                                       "error": "\((error as? any CallvaultError)?.message ?? "\(type(of: error))")"])
                    try? await pool.run { try archive.recordPlaybackFailure(playback, bytesSent: sent, error: error, actor: actor) }
                    throw error
                }
                try await writer.write(buffer)
                offset = end + 1
            }
            try await writer.finish(nil)
        }
        return Response(status: range == nil ? .ok : .partialContent, headers: headers, body: body)
    }

    static func fileExtension(_ fileName: String) -> String {
        let ext = (fileName as NSString).pathExtension.lowercased()
        return !ext.isEmpty && ext.count <= 5 && ext.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) ? ext : "wav"
    }

    func listHolds(_ params: Query, _ context: APIRequestContext) async throws -> Response {
        let all = try params.flag("all")
        let actor = try actor(context)
        let holds = try await pool.run { [archive] in try archive.holds(includeReleased: all, actor: actor) }
        return json(HoldListJSON(holds))
    }

    struct HoldBody: APIBody {
        static let fields: Set<String> = ["case", "reason", "customers", "numbers", "items", "from", "to"]
        var caseName: String
        var reason: String
        var customers: [String]?
        var numbers: [String]?
        var items: [String]?
        var from: String?
        var to: String?
        enum CodingKeys: String, CodingKey { case caseName = "case", reason, customers, numbers, items, from, to }
    }

    func placeHold(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let body = try await decode(HoldBody.self, from: request)
        let zone = try archive.configuration.timeZone()
        try APIInput.require(body.caseName, APIInput.statement, "case", "a case name (with a letter or digit)")
        try Self.statement(body.reason)
        for number in body.numbers ?? [] {
            try APIInput.require(number, APIInput.holdNumber, "numbers", "international phone numbers: + and 7–15 digits, single spaces or dashes between them")
        }
        for item in body.items ?? [] { try APIInput.require(item, APIInput.itemID, "items", "item ids (call-N, sms-N or rec-N)") }
        var hold = HoldRequest(caseName: body.caseName, reason: body.reason, customers: body.customers ?? [],
                               numbers: body.numbers ?? [], items: body.items ?? [])
        if let from = body.from { hold.from = try TimeArgument.parse(Self.time(from, "from"), option: "from", zone: zone) }
        if let to = body.to { hold.to = try TimeArgument.parse(Self.time(to, "to"), option: "to", zone: zone, endOfDay: true) }
        if let from = hold.from, let to = hold.to, from >= to {
            // Each time is well-formed; together they hold nothing (JSON Schema cannot say so).
            throw APIError(.unprocessableContent, "from must be before to")
        }
        let actor = try actor(context)
        let placed = try await pool.run { [archive, hold] in try archive.placeHold(hold, actor: actor) }
        return json(HoldPlacedJSON(placed), status: .created)
    }

    struct ReasonBody: APIBody {
        static let fields: Set<String> = ["reason"]
        var reason: String
    }

    func releaseHold(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let id = context.parameters.get("id"), APIInput.matches(id, APIInput.holdID) else {
            throw APIError(.badRequest, "the path must name a hold id (hold-N)")
        }
        let body = try await decode(ReasonBody.self, from: request)
        try Self.statement(body.reason)
        let actor = try actor(context)
        let hold = try await pool.run { [archive] in try archive.releaseHold(id, reason: body.reason, actor: actor) }
        return json(HoldReleasedJSON(hold))
    }

    struct EraseBody: APIBody {
        static let fields: Set<String> = ["customer", "reason", "dry_run"]
        var customer: String
        var reason: String
        var dryRun: Bool?
        enum CodingKeys: String, CodingKey { case customer, reason, dryRun = "dry_run" }
    }

    func erase(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let body = try await decode(EraseBody.self, from: request)
        try Self.statement(body.reason)
        let actor = try actor(context)
        let report = try await pool.run { [archive] in
            try archive.erase(customer: body.customer, reason: body.reason, dryRun: body.dryRun ?? false, actor: actor)
        }
        return json(ErasureJSON(report))
    }

    struct RestrictBody: APIBody {
        static let fields: Set<String> = ["customer", "reason"]
        var customer: String
        var reason: String?
    }

    func restrict(_ request: Request, _ context: APIRequestContext, lift: Bool) async throws -> Response {
        let body = try await decode(RestrictBody.self, from: request)
        if !lift || body.reason != nil { try Self.statement(body.reason ?? "") }
        let actor = try actor(context)
        let state = try await pool.run { [archive] in
            lift ? try archive.unrestrict(customer: body.customer, reason: body.reason, actor: actor)
                 : try archive.restrict(customer: body.customer, reason: body.reason ?? "", actor: actor)
        }
        return json(RestrictionJSON(state))
    }

    struct ExportBody: APIBody {
        static let fields: Set<String> = ["customer", "purpose", "portability", "request"]
        var customer: String
        var purpose: String?
        var portability: Bool?
        var request: String?
    }

    func export(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        let body = try await decode(ExportBody.self, from: request)
        if let id = body.request { try APIInput.require(id, APIInput.requestID, "request", "a request id (req-N)") }
        let actor = try actor(context)
        return try await exportPackage(customer: body.customer, purpose: body.purpose, portability: body.portability ?? false,
                                       request: body.request, actor: actor)
    }

    /// A customer's export package as a ZIP download (the API's and the web UI's export).
    func exportPackage(customer: String, purpose: String?, portability: Bool, request: String?, actor: Actor) async throws -> Response {
        let body = (customer: customer, purpose: purpose, portability: portability as Bool?, request: request)
        let temporary = archive.layout.temporary.appendingPathComponent("export-\(UUID().uuidString).zip")
        let (summary, file) = try await pool.run { [archive] () throws -> (ExportSummary, OpenFile) in
            defer { unlink(temporary.path) }
            let summary = try archive.export(customer: body.customer, to: temporary, purpose: body.purpose,
                                             options: ExportOptions(portability: body.portability ?? false, request: body.request),
                                             actor: actor)
            // Opened, then unlinked: the package lives only as long as this answer.
            return (summary, try OpenFile(reading: temporary))
        }
        let customer = String(body.customer.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }.prefix(64))
        let headers: HTTPFields = [
            .contentType: "application/zip",
            .contentDisposition: "attachment; filename=\"callvault-\(summary.portability ? "portability" : "access")-\(customer.isEmpty ? "customer" : customer).zip\"",
            HTTPField.Name("X-Callvault-SHA256")!: summary.sha256,
        ]
        let pool = self.pool
        let size = summary.bytes
        let stream = ResponseBody(contentLength: Int(size)) { writer in
            var offset: Int64 = 0
            while offset < size {
                let at = offset
                let buffer = try await pool.run { try file.read(at: at, count: 256 * 1024) }
                guard buffer.readableBytes > 0 else { break }
                offset += Int64(buffer.readableBytes)
                try await writer.write(buffer)
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: stream)
    }

    func auditVerify(_ context: APIRequestContext) async throws -> Response {
        let actor = try actor(context)
        let result = try await pool.run { [archive] in try archive.verifyAudit(actor: actor) }
        return json(AuditVerificationJSON(result))
    }

    static let fileNameHeader = HTTPField.Name("X-Filename")!

    func ingest(_ request: Request, _ context: APIRequestContext) async throws -> Response {
        guard let name = request.headers[Self.fileNameHeader] else {
            throw APIError(.badRequest, "name the file in the X-Filename header (its plain name, as the PBX wrote it)")
        }
        if let problem = SpoolFiles.uploadNameProblem(name) {
            throw APIError(.badRequest, "X-Filename: \(problem)")
        }
        try APIInput.require(name, APIInput.fileName, "X-Filename", "the plain file name in printable ASCII (no / or \\, not starting with a dot), at most 200 characters")
        if let declared = request.headers[.contentLength].flatMap({ Int64($0) }), declared > settings.maxIngestBytes {
            throw APIError(.contentTooLarge, "the file is larger than the \(settings.maxIngestBytes) bytes an upload may have ([server] max_ingest_bytes)")
        }
        let actor = try actor(context)
        let staging = spool.stagingURL()
        let file = try await pool.run { try OpenFile(creating: staging) }
        var received: Int64 = 0
        do {
            for try await part in request.body {
                received += Int64(part.readableBytes)
                guard received <= settings.maxIngestBytes else {
                    throw APIError(.contentTooLarge, "the file is larger than the \(settings.maxIngestBytes) bytes an upload may have ([server] max_ingest_bytes)")
                }
                let at = received - Int64(part.readableBytes)
                try await pool.run { try file.write(part, at: at) }
            }
            guard received > 0 else { throw APIError(.badRequest, "the upload is empty: send the file's bytes as the request body") }
            try await pool.run { try file.sync() }
        } catch {
            unlink(staging.path)
            throw error
        }
        let spool = self.spool
        let summary = try await pool.run { try spool.ingestUpload(staging, as: name, actor: actor) }
        metrics.recordIngest(summary, source: "http")
        return json(IngestSummaryJSON(summary))
    }

    func renderMetrics() async throws -> Response {
        let totals = try await pool.run { [archive] in try archive.blobTotals() }
        metrics.recordBlobs(totals)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(string: metrics.render())))
    }

    // MARK: helpers

    /// The audit actor of an authenticated request.
    func actor(_ context: APIRequestContext) throws -> Actor {
        guard let principal = context.principal else {
            throw APIError(.unauthorized, "this route needs credentials", headers: [.wwwAuthenticate: Authorizer.challenge])
        }
        return Actor(principal, origin: context.origin)
    }

    /// The `{id}` path parameter, checked against `pattern` (`APIInput.itemID` or `recordingID`).
    func itemID(_ context: APIRequestContext, _ pattern: String) throws -> String {
        guard let id = context.parameters.get("id"), APIInput.matches(id, pattern), ItemID(id) != nil else {
            throw APIError(.badRequest, pattern == APIInput.recordingID ? "the path must name a recording (rec-N) or its call (call-N)"
                                                                        : "the path must name an item id (call-N, sms-N or rec-N)")
        }
        return id
    }

    /// `text` if it is an ISO 8601 time the API takes (`APIInput.time`); else 400 naming `field`.
    static func time(_ text: String, _ field: String) throws -> String {
        try APIInput.require(text, APIInput.time, field, "an ISO 8601 date or time such as 2026-03-14 or 2026-03-14T09:30:00+02:00")
    }

    /// Refuses a case name or reason that says nothing (`APIInput.statement`).
    static func statement(_ text: String) throws {
        try APIInput.require(text, APIInput.statement, "reason", "a reason (with a letter or digit)")
    }

    func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8"],
                 body: .init(byteBuffer: ByteBuffer(data: ContractJSON.encode(value))))
    }

    /// Reads a JSON body of at most `max_json_bytes` and decodes it.
    func decode<T: APIBody>(_ type: T.Type, from request: Request) async throws -> T {
        let limit = settings.maxJSONBytes
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw APIError(.contentTooLarge, "a JSON body may have at most \(limit) bytes ([server] max_json_bytes)")
        }
        var buffer = ByteBuffer()
        for try await part in request.body {
            guard buffer.readableBytes + part.readableBytes <= limit else {
                throw APIError(.contentTooLarge, "a JSON body may have at most \(limit) bytes ([server] max_json_bytes)")
            }
            buffer.writeImmutableBuffer(part)
        }
        guard buffer.readableBytes > 0 else { throw APIError(.badRequest, "send a JSON object as the request body") }
        // A field given as null is not a value the document allows (JSONDecoder would read it as
        // absent); other keys are ignored, null or not.
        if let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView)) as? [String: Any],
           let key = object.first(where: { T.fields.contains($0.key) && $0.value is NSNull })?.key {
            throw APIError(.badRequest, "the JSON body: \(key.prefix(32)) is null; give a value or leave it out")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError(.badRequest, "the JSON body: \(Self.describe(error))")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String { keys.map(\.stringValue).joined(separator: ".") }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return context.codingPath.isEmpty ? "must be a JSON object" : "\(path(context.codingPath)) has the wrong type"
        case .dataCorrupted(let context): return context.codingPath.isEmpty ? "is not valid JSON" : "\(path(context.codingPath)) is not valid"
        @unknown default: return "cannot be read"
        }
    }
}

/// A JSON request body: its fields, as the OpenAPI document names them.
protocol APIBody: Decodable {
    static var fields: Set<String> { get }
}

/// A request's query parameters, checked against the names a route knows.
struct Query {
    private var values: [String: String] = [:]

    /// Reads the query as HTML forms and HTTP clients encode it: `+` is a space (send a `+` as
    /// `%2B`), `%XX` a byte.
    init(_ request: Request, allowed: Set<String>) throws {
        for pair in (request.uri.query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = WebForm.decode(parts[0])
            let value = parts.count > 1 ? WebForm.decode(parts[1]) : ""
            guard allowed.contains(name) else {
                throw APIError(.badRequest, "unknown query parameter '\(name.prefix(32))'\(allowed.isEmpty ? "; this route takes none" : "; use \(allowed.sorted().joined(separator: ", "))")")
            }
            guard values[name] == nil else { throw APIError(.badRequest, "query parameter '\(name)' is given twice") }
            values[name] = value
        }
    }

    subscript(name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }

    /// The value of a parameter that has a form (an enum, a number, a time): nil when absent,
    /// 400 when given empty (`kind=`), which no form allows.
    func formed(_ name: String) throws -> String? {
        guard let value = values[name] else { return nil }
        guard !value.isEmpty else { throw APIError(.badRequest, "query parameter '\(name)' is empty: give a value or leave it out") }
        return value
    }

    /// A boolean parameter: `true` or `false`, as the document's `boolean` is written.
    func flag(_ name: String) throws -> Bool {
        switch values[name] {
        case nil, "false": return false
        case "true": return true
        default: throw APIError(.badRequest, "\(name) must be true or false")
        }
    }
}

/// A file descriptor that closes itself; reads and writes at an offset (safe from any thread).
final class OpenFile: Sendable {
    let fd: Int32

    init(reading url: URL) throws {
        fd = open(url.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveFailure(.internal, "cannot open \(url.lastPathComponent): \(String(cString: strerror(errno)))") }
    }

    init(creating url: URL) throws {
        fd = open(url.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ArchiveFailure(.internal, "cannot create \(url.lastPathComponent) in the spool: \(String(cString: strerror(errno)))") }
    }

    deinit { close(fd) }

    func read(at offset: Int64, count: Int) throws -> ByteBuffer {
        var buffer = ByteBuffer()
        let n = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            var got = 0
            while got < count {
                let r = pread(fd, raw.baseAddress! + got, count - got, off_t(offset) + off_t(got))
                if r < 0 && errno == EINTR { continue }
                if r <= 0 { break }
                got += r
            }
            return got
        }
        _ = n
        return buffer
    }

    func write(_ buffer: ByteBuffer, at offset: Int64) throws {
        try buffer.withUnsafeReadableBytes { raw in
            var done = 0
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw ArchiveFailure(.internal, "cannot write the upload: \(String(cString: strerror(errno)))") }
                done += n
            }
        }
    }

    func sync() throws {
        guard fsync(fd) == 0 else { throw ArchiveFailure(.internal, "cannot sync the upload: \(String(cString: strerror(errno)))") }
    }
}
