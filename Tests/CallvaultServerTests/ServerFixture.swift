import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import CallvaultAccess
import CallvaultArchive
import CallvaultModel
import CallvaultServer
import CallvaultTesting

/// Test double of the accounts store: a few fixed tokens, one per role.
struct FixedTokens: PrincipalResolver {
    static let principals: [Role: Principal] = [
        .admin: Principal(name: "ada", role: .admin),
        .compliance: Principal(name: "dora", role: .compliance),
        .lead: Principal(name: "lena", role: .lead),
        .auditor: Principal(name: "otto", role: .auditor),
        .ingest: Principal(name: "pbx-hook", role: .ingest),
    ]

    static func token(_ role: Role) -> String { "test-token-\(role.rawValue)" }

    func principal(bearerToken: String) async throws -> Principal? {
        Self.principals.values.first { Self.token($0.role) == bearerToken }
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
        api = CallvaultAPI(archive: test.archive, principals: FixedTokens(), settings: configured)
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
    if let role { headers[.authorization] = "Bearer \(FixedTokens.token(role))" }
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
