import Foundation
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

/// The accounts API tests act as, one per role. Requests name them by a placeholder token per
/// role (`auth(role)`); `IssuedTokens` swaps it for the account's real token.
enum TestAccounts {
    static let names: [Role: String] = [.admin: "ada", .compliance: "dora", .lead: "lena", .auditor: "otto", .ingest: "pbx-hook"]

    static func placeholder(_ role: Role) -> String { "test-token-\(role.rawValue)" }
}

/// Real accounts of the archive under test, each with a token issued as `users token` issues
/// them, authenticated by the archive's own resolver (`ArchiveAccounts`): a placeholder of
/// `TestAccounts` becomes its account's token first; any other bearer token goes as it is.
struct IssuedTokens: PrincipalResolver {
    let accounts: ArchiveAccounts
    let tokens: [String: String]

    /// Creates the accounts of `TestAccounts` in `archive` (the admin first) and issues each a token.
    init(archive: Archive, admin: Actor) throws {
        var tokens: [String: String] = [:]
        for (role, name) in TestAccounts.names.sorted(by: { ($0.key != .admin ? 1 : 0, $0.value) < ($1.key != .admin ? 1 : 0, $1.value) }) {
            // People have passwords; an ingest account (a PBX hook) has only its token.
            _ = try archive.addUser(name, role: role, password: role == .ingest ? nil : "a long test passphrase", actor: admin)
            tokens[TestAccounts.placeholder(role)] = try archive.issueToken(for: name, actor: admin).token
        }
        self.accounts = ArchiveAccounts(archive: archive)
        self.tokens = tokens
    }

    func principal(bearerToken: String) async throws -> Principal? {
        try await accounts.principal(bearerToken: tokens[bearerToken] ?? bearerToken)
    }
}

/// An archive with the sample customers and Asterisk export, a 60-second recording larger than
/// several stored chunks, and the API over it.
final class ServerFixture: @unchecked Sendable {
    let test: TestArchive
    let api: CallvaultAPI
    /// The 60-second recording's original bytes and id.
    let longWAV: Data
    let longRecording: String
    /// A call with a recording, of customer C001.
    let call: ArchivedItem

    static let longName = "in-0923456789-0401234567-20260315-101500-1773569700.9.wav"

    init(settings: (inout ServerSettings) -> Void = { _ in }) throws {
        test = try TestArchive.withSamples()
        longWAV = Samples.wav(seconds: 60, seed: 42)
        try test.ingest(test.input(Self.longName, longWAV))
        let found = try test.archive.search(SearchQuery(kind: .recording, limit: 100), actor: test.actor)
        longRecording = try requireValue(found.items.first { $0.durationSeconds >= 59 }?.id.description)
        call = try requireValue(try test.archive.search(SearchQuery(customer: "C001"), actor: test.actor).items.first { $0.recording != nil })
        var configured = test.archive.configuration.server
        configured.port = 0
        settings(&configured)
        api = CallvaultAPI(archive: test.archive, principals: try IssuedTokens(archive: test.archive, admin: test.admin), settings: configured)
    }

    var archive: Archive { test.archive }

    func application() -> Application<RouterResponder<APIRequestContext>> {
        var logger = Logger(label: "callvault-test")
        logger.logLevel = .warning
        return api.makeApplication(logger: logger)
    }

    /// The newest audit entries, newest first, as `action|actor|role|outcome|origin`.
    func lastAudit(_ count: Int = 1) throws -> [String] {
        try test.sql("SELECT action || '|' || actor || '|' || role || '|' || outcome || '|' || origin FROM audit_log ORDER BY seq DESC LIMIT \(count)")
            .split(separator: "\n").map(String.init)
    }

    func auditCount() throws -> Int { Int(try test.sql("SELECT COUNT(*) FROM audit_log")) ?? -1 }
}

struct MissingValue: Error, CustomStringConvertible { var description: String }

/// `#require` for an optional outside a test function.
func requireValue<T>(_ value: T?, _ what: String = "value") throws -> T {
    guard let value else { throw MissingValue(description: "missing \(what)") }
    return value
}

/// Request headers with a role's bearer token.
func auth(_ role: Role?, _ more: HTTPFields = [:]) -> HTTPFields {
    var headers = more
    if let role { headers[.authorization] = "Bearer \(TestAccounts.placeholder(role))" }
    return headers
}

func jsonBody(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

func json(_ response: TestResponse) throws -> [String: Any] {
    let data = Data(response.body.readableBytesView)
    return try requireValue(try JSONSerialization.jsonObject(with: data) as? [String: Any], "JSON object")
}

extension TestResponse {
    var text: String { String(buffer: body) }
    var bytes: Data { Data(body.readableBytesView) }
}
