import Hummingbird
import CallvaultJobs
import NIOCore
import Logging
import CallvaultAccess
import CallvaultArchive
import CallvaultConfiguration
import Foundation

/// The one authorisation step every route passes: credentials, then the permission table.
struct Authorizer: Sendable {
    let resolver: any PrincipalResolver
    let archive: Archive
    let pool: ArchiveThreadPool
    let scrapers: MetricsScrapers

    static let challenge = "Bearer realm=\"callvault\""

    /// Returns the principal the request acts as (nil for an open route, or for a metrics
    /// scraper of the metrics route), or throws 401 / 403. A denial is audited.
    func authorize(_ route: APIRoute, request: Request, context: inout APIRequestContext) async throws {
        let action: Action
        switch route.access {
        case .open:
            return
        case .scraperOr(let guarded):
            if try await scrapers.admit(request, context: context) { return }
            action = guarded
        case .action(let guarded):
            action = guarded
        }
        if context.principal == nil {
            guard let header = request.headers[.authorization] else {
                throw APIError(.unauthorized, "this route needs credentials: send Authorization: Bearer <token> (`callvault users token NAME` issues one)",
                               headers: [.wwwAuthenticate: Self.challenge])
            }
            guard let token = Self.bearerToken(header) else {
                throw APIError(.unauthorized, "the Authorization header must be `Bearer <token>`",
                               headers: [.wwwAuthenticate: "\(Self.challenge), error=\"invalid_request\""])
            }
            guard let principal = try await resolver.principal(bearerToken: token) else {
                context.logger.notice("unknown or revoked token", metadata: ["route": "\(route.path)"])
                throw APIError(.unauthorized, "the token is unknown, expired or revoked: ask an admin for a new one",
                               headers: [.wwwAuthenticate: "\(Self.challenge), error=\"invalid_token\""])
            }
            context.principal = principal
        }
        guard let principal = context.principal else { return }
        guard PermissionTable.allows(principal.role, action) else {
            let denial = AccessError.denied(role: principal.role, action: action)
            let actor = Actor(principal, origin: context.origin)
            let items = context.parameters.get("id").map { [String($0.prefix(40))] } ?? []
            try await pool.run { [archive] in
                try archive.recordDenial(action: action.rawValue, items: items, reason: denial.description, actor: actor)
            }
            throw APIError(.forbidden, denial.description)
        }
    }

    /// The token of `Bearer <token>` (the scheme is case-insensitive), or nil.
    static func bearerToken(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty, token.count <= 512, token.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else { return nil }
        return token
    }
}

/// Who reads `/metrics` without an account: the client addresses of `[server] metrics_addresses`
/// and the bearer token in `[server] metrics_token_file` (read at each scrape, so a rotated
/// token takes effect without a restart; compared in constant time, never logged).
struct MetricsScrapers: Sendable {
    let addresses: [AddressRange]
    let tokenFile: String?
    let pool: ArchiveThreadPool

    /// Whether `request` comes from a listed address or carries the scrape token.
    func admit(_ request: Request, context: APIRequestContext) async throws -> Bool {
        if let address = context.remoteAddress?.ipAddress, addresses.contains(where: { $0.contains(address) }) { return true }
        guard let tokenFile, let header = request.headers[.authorization], let sent = Authorizer.bearerToken(header) else { return false }
        let expected: String? = try await pool.run {
            guard let data = FileManager.default.contents(atPath: tokenFile) else { return nil }
            let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return token.count >= 16 ? token : nil
        }
        guard let expected else {
            context.logger.error("metrics_token_file is unreadable or holds under 16 characters", metadata: ["route": "/metrics"])
            return false
        }
        return Secrets.constantTimeEquals(sent, expected)
    }
}
