import Foundation
import Testing
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import CallvaultAccess
import CallvaultServer
import CallvaultTesting

/// Every route × every role, from the exported route table: the permission table decides;
/// without credentials 401 with a Bearer challenge; a denial is 403 and audited.
@Suite struct RouteAuthorizationTests {
    /// A valid request for each route, so an allowed role gets past authorisation to the archive.
    static func request(_ route: APIRoute, fixture: ServerFixture) -> (uri: String, headers: HTTPFields, body: ByteBuffer?) {
        switch route {
        case .health: return ("/healthz", [:], nil)
        case .search: return ("/api/v1/search?customer=C002&limit=5", [:], nil)
        case .item: return ("/api/v1/items/\(fixture.call.id)", [:], nil)
        case .recordingAudio: return ("/api/v1/recordings/\(fixture.longRecording)/audio?purpose=complaint", [.range: "bytes=0-9"], nil)
        case .listHolds: return ("/api/v1/holds", [:], nil)
        case .placeHold: return ("/api/v1/holds", [:], jsonBody(#"{"case": "matrix", "reason": "route test", "customers": ["C002"]}"#))
        case .releaseHold: return ("/api/v1/holds/hold-999/release", [:], jsonBody(#"{"reason": "route test"}"#))
        case .erase: return ("/api/v1/erase", [:], jsonBody(#"{"customer": "C003", "reason": "route test", "dry_run": true}"#))
        case .restrict: return ("/api/v1/restrict", [:], jsonBody(#"{"customer": "C004", "reason": "route test"}"#))
        case .unrestrict: return ("/api/v1/unrestrict", [:], jsonBody(#"{"customer": "C004", "reason": "route test"}"#))
        case .export: return ("/api/v1/export", [:], jsonBody(#"{"customer": "C002", "purpose": "data-subject-request"}"#))
        case .auditVerify: return ("/api/v1/audit/verify", [:], nil)
        case .ingest:
            return ("/api/v1/ingest", [HTTPField.Name("X-Filename")!: "matrix-\(UUID().uuidString).csv"],
                    ByteBuffer(string: Samples.cdrLine(start: "2026-03-20 10:00:00", answer: "2026-03-20 10:00:05", end: "2026-03-20 10:01:00", uniqueID: "1774000800.\(Int.random(in: 1...999_999))") + "\n"))
        case .metrics: return ("/metrics", [:], nil)
        }
    }

    @Test func theRouteTableMapsEveryRouteToOneActionAndIsUnique() {
        let keys = APIRoute.allCases.map { "\($0.method) \($0.path)" }
        #expect(Set(keys).count == keys.count)
        for route in APIRoute.allCases where route != .health {
            #expect(route.access.action != nil, "\(route) has no action")
        }
        #expect(APIRoute.health.access == .open)
    }

    @Test func everyRouteAnswersEveryRoleAsThePermissionTableSays() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            for route in APIRoute.allCases {
                for role in Role.allCases {
                    let request = Self.request(route, fixture: fixture)
                    let before = try fixture.auditCount()
                    let response = try await client.execute(uri: request.uri, method: route.method, headers: auth(role, request.headers), body: request.body)
                    switch route.access {
                    case .open:
                        #expect(response.status == .ok)
                    case .action(let action), .scraperOr(let action):
                        if PermissionTable.allows(role, action) {
                            #expect(![.unauthorized, .forbidden].contains(response.status), "\(route) as \(role): \(response.status) \(response.text.prefix(200))")
                        } else {
                            #expect(response.status == .forbidden, "\(route) as \(role): \(response.status)")
                            let name = TestAccounts.names[role]!
                            #expect(try fixture.auditCount() == before + 1)
                            #expect(try fixture.lastAudit() == ["\(action.rawValue)|\(name)|\(role.rawValue)|denied|http@unknown"])
                            #expect(try json(response)["error"] as? String == AccessError.denied(role: role, action: action).description)
                        }
                    }
                }
            }
        }
    }

    @Test func withoutCredentialsEveryGuardedRouteIs401WithABearerChallenge() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            for route in APIRoute.allCases where route.access != .open {
                let request = Self.request(route, fixture: fixture)
                let before = try fixture.auditCount()
                let response = try await client.execute(uri: request.uri, method: route.method, headers: request.headers, body: request.body)
                #expect(response.status == .unauthorized, "\(route)")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
                // Nothing was read, so nothing is audited as read.
                #expect(try fixture.auditCount() == before)
            }
            let wrong = try await client.execute(uri: "/api/v1/search?customer=C001", method: .get, headers: [.authorization: "Bearer not-a-token"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            let basic = try await client.execute(uri: "/api/v1/search?customer=C001", method: .get, headers: [.authorization: "Basic YTpi"])
            #expect(basic.status == .unauthorized)
        }
    }
}
