import Foundation
import Testing
import Crypto
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import CallvaultAccess
import CallvaultArchive
import CallvaultModel
import CallvaultServer
import CallvaultTesting

/// The JSON API answers in the CLI's shapes, audits as the principal with origin
/// `http@<address>`, and carries the security headers on every answer.
@Suite struct APIRoutesTests {
    @Test func searchAndItemAnswerInTheCLIsShapes() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            let search = try await client.execute(uri: "/api/v1/search?customer=C001&kind=call&from=2026-01-01&to=2026-12-31&limit=3", method: .get, headers: auth(.lead))
            #expect(search.status == .ok)
            let result = try json(search)
            let direct = try fixture.archive.search(SearchQuery(customer: "C001", kind: .call, limit: 3), actor: fixture.test.actor)
            #expect(result["total"] as? Int == direct.total)
            let items = try #require(result["items"] as? [[String: Any]])
            #expect(items.map { $0["id"] as? String } == direct.items.map { $0.id.description })
            let keys = Set((items.first ?? [:]).keys)
            #expect(keys.isSuperset(of: ["id", "kind", "start", "direction", "from", "to", "duration_s", "disposition", "agent", "customers", "recording", "retain_until", "holds"]))
            #expect(try fixture.lastAudit(2).contains("search|lena|lead|allowed|http@unknown"))

            let item = try await client.execute(uri: "/api/v1/items/\(fixture.call.id)?purpose=complaint", method: .get, headers: auth(.lead))
            #expect(item.status == .ok)
            #expect(try json(item)["id"] as? String == fixture.call.id.description)
            #expect(try fixture.lastAudit() == ["show|lena|lead|allowed|http@unknown"])

            let unknown = try await client.execute(uri: "/api/v1/items/call-987654", method: .get, headers: auth(.lead))
            #expect(unknown.status == .notFound)
            let notAnID = try await client.execute(uri: "/api/v1/items/..%2Findex.sqlite", method: .get, headers: auth(.lead))
            #expect(notAnID.status == .badRequest)
            let outbound = try await client.execute(uri: "/api/v1/search?number=0401234567&direction=outbound", method: .get, headers: auth(.lead))
            let expected = try fixture.archive.search(SearchQuery(number: "0401234567", direction: .outbound), actor: fixture.test.actor)
            #expect(try json(outbound)["total"] as? Int == expected.total)
            #expect(((try json(outbound)["items"] as? [[String: Any]]) ?? []).map { $0["id"] as? String } == expected.items.map { $0.id.description })
            let sideways = try await client.execute(uri: "/api/v1/search?direction=sideways", method: .get, headers: auth(.lead))
            #expect(sideways.status == .badRequest)
            let typo = try await client.execute(uri: "/api/v1/search?nmber=0401234567", method: .get, headers: auth(.lead))
            #expect(typo.status == .badRequest)
            #expect((try json(typo)["error"] as? String)?.contains("unknown query parameter 'nmber'") == true)
            let badTime = try await client.execute(uri: "/api/v1/search?from=yesterday", method: .get, headers: auth(.lead))
            #expect(badTime.status == .badRequest)
        }
    }

    @Test func holdsArePlacedListedAndReleasedByCompliance() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            let placed = try await client.execute(uri: "/api/v1/holds", method: .post, headers: auth(.compliance),
                                                  body: jsonBody(#"{"case": "Case 7", "reason": "claim expected", "customers": ["C001"], "from": "2026-01-01"}"#))
            #expect(placed.status == .created)
            let hold = try #require(try json(placed)["hold"] as? String)
            #expect(try fixture.lastAudit() == ["hold-place|dora|compliance|allowed|http@unknown"])
            let list = try await client.execute(uri: "/api/v1/holds", method: .get, headers: auth(.compliance))
            let holds = try #require(try json(list)["holds"] as? [[String: Any]])
            #expect(holds.map { $0["id"] as? String } == [hold])
            #expect(holds.first?["case"] as? String == "Case 7")
            let noReason = try await client.execute(uri: "/api/v1/holds/\(hold)/release", method: .post, headers: auth(.compliance), body: jsonBody("{}"))
            #expect(noReason.status == .badRequest)
            #expect((try json(noReason)["error"] as? String)?.contains("reason is missing") == true)
            let released = try await client.execute(uri: "/api/v1/holds/\(hold)/release", method: .post, headers: auth(.compliance),
                                                    body: jsonBody(#"{"reason": "claim settled"}"#))
            #expect(released.status == .ok)
            #expect(try json(released)["released"] as? String == hold)
            let again = try await client.execute(uri: "/api/v1/holds/\(hold)/release", method: .post, headers: auth(.compliance),
                                                 body: jsonBody(#"{"reason": "again"}"#))
            #expect(again.status == .forbidden)
            let all = try await client.execute(uri: "/api/v1/holds?all=true", method: .get, headers: auth(.compliance))
            #expect((try json(all)["holds"] as? [[String: Any]])?.first?["active"] as? Bool == false)
            let noScope = try await client.execute(uri: "/api/v1/holds", method: .post, headers: auth(.compliance),
                                                   body: jsonBody(#"{"case": "x", "reason": "y"}"#))
            #expect(noScope.status == .forbidden)
            let notJSON = try await client.execute(uri: "/api/v1/holds", method: .post, headers: auth(.compliance), body: jsonBody("case=x"))
            #expect(notJSON.status == .badRequest)
        }
    }

    @Test func eraseRestrictAndAuditVerifyAnswerLikeTheCLI() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            let plan = try await client.execute(uri: "/api/v1/erase", method: .post, headers: auth(.compliance),
                                                body: jsonBody(#"{"customer": "C003", "reason": "req-1", "dry_run": true}"#))
            #expect(plan.status == .ok)
            let planned = try json(plan)
            #expect(planned["dry_run"] as? Bool == true && planned["customer"] as? String == "C003")
            let erased = try await client.execute(uri: "/api/v1/erase", method: .post, headers: auth(.compliance),
                                                  body: jsonBody(#"{"customer": "C003", "reason": "req-1"}"#))
            #expect(erased.status == .ok)
            let report = try json(erased)
            #expect(report["completed"] as? Bool == true)
            #expect(report["customer_removed"] as? Bool == true || report["customer_blanked"] as? Bool == true)
            #expect(try fixture.test.sql("SELECT COUNT(*) FROM customer_numbers WHERE customer_id = 'C003'") == "0")
            #expect(try fixture.test.sql("SELECT actor || '|' || origin FROM audit_log WHERE action LIKE 'erase%' ORDER BY seq DESC LIMIT 1") == "dora|http@unknown")

            let restricted = try await client.execute(uri: "/api/v1/restrict", method: .post, headers: auth(.compliance),
                                                      body: jsonBody(#"{"customer": "C002", "reason": "contested"}"#))
            #expect(try json(restricted)["restricted"] as? Bool == true)
            let lifted = try await client.execute(uri: "/api/v1/unrestrict", method: .post, headers: auth(.compliance),
                                                  body: jsonBody(#"{"customer": "C002", "reason": "resolved"}"#))
            #expect(try json(lifted)["restricted"] as? Bool == false)
            let noCustomer = try await client.execute(uri: "/api/v1/restrict", method: .post, headers: auth(.compliance),
                                                      body: jsonBody(#"{"customer": "C999", "reason": "x"}"#))
            #expect(noCustomer.status == .notFound)

            let verify = try await client.execute(uri: "/api/v1/audit/verify", method: .get, headers: auth(.auditor))
            let result = try json(verify)
            #expect(result["ok"] as? Bool == true)
            #expect(result["first_bad"] is NSNull)
            #expect((result["entries"] as? Int ?? 0) > 0)
            #expect(try fixture.lastAudit() == ["audit-verify|otto|auditor|allowed|http@unknown"])
        }
    }

    @Test func exportStreamsTheZIPAndIsAudited() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/export", method: .post, headers: auth(.compliance),
                                                    body: jsonBody(#"{"customer": "C001", "purpose": "data-subject-request"}"#))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/zip")
            #expect(response.headers[.contentDisposition] == "attachment; filename=\"callvault-access-C001.zip\"")
            let bytes = response.bytes
            #expect(bytes.prefix(2) == Data("PK".utf8))
            #expect(response.headers[HTTPField.Name("X-Callvault-SHA256")!] == SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined())
            #expect(try fixture.lastAudit() == ["export|dora|compliance|allowed|http@unknown"])
            #expect(try fixture.test.sql("SELECT purpose FROM audit_log ORDER BY seq DESC LIMIT 1") == "data-subject-request")
            // The package lives only as long as the answer.
            let left = try FileManager.default.contentsOfDirectory(atPath: fixture.archive.layout.temporary.path).filter { $0.hasPrefix("export-") }
            #expect(left.isEmpty)
            let noPurpose = try await client.execute(uri: "/api/v1/export", method: .post, headers: auth(.compliance),
                                                     body: jsonBody(#"{"customer": "C001"}"#))
            #expect(noPurpose.status == .forbidden)
            #expect(try fixture.lastAudit() == ["export|dora|compliance|denied|http@unknown"])
        }
    }

    @Test func securityHeadersAreOnEveryAnswer() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            let answers = [
                try await client.execute(uri: "/healthz", method: .get),
                try await client.execute(uri: "/api/v1/search?customer=C001", method: .get, headers: auth(.lead)),
                try await client.execute(uri: "/api/v1/search", method: .get),
                try await client.execute(uri: "/api/v1/holds", method: .post, headers: auth(.lead), body: jsonBody("{}")),
                try await client.execute(uri: "/no/such/route", method: .get),
                try await client.execute(uri: "/api/v1/recordings/\(fixture.longRecording)/audio?purpose=complaint", method: .get, headers: auth(.lead, [.range: "bytes=0-1"])),
            ]
            #expect(answers.map(\.status) == [.ok, .ok, .unauthorized, .forbidden, .notFound, .partialContent])
            for answer in answers {
                #expect(answer.headers[.contentSecurityPolicy] == "default-src 'self'; frame-ancestors 'none'")
                #expect(answer.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
                #expect(answer.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
                #expect(answer.headers[.cacheControl] == "no-store")
            }
        }
    }

    @Test func jsonBodiesHaveASizeLimit() async throws {
        let fixture = try ServerFixture { $0.maxJSONBytes = 2048 }
        try await fixture.application().test(.router) { client in
            let big = #"{"case": "x", "reason": ""# + String(repeating: "a", count: 4000) + #"", "customers": ["C001"]}"#
            let response = try await client.execute(uri: "/api/v1/holds", method: .post, headers: auth(.compliance), body: jsonBody(big))
            #expect(response.status == .contentTooLarge)
            #expect(try fixture.test.sql("SELECT COUNT(*) FROM holds") == "0")
        }
    }

    /// A typo'd or unknown query parameter never widens or silently changes a request: every
    /// route refuses one (400) before doing anything, and names the parameters it takes.
    @Test func everyRouteRefusesAQueryParameterItDoesNotTake() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            let before = try fixture.test.sql("SELECT count(*) FROM holds") + "/" + fixture.test.sql("SELECT count(*) FROM restrictions")
            for route in APIRoute.allCases {
                let role: Role = route == .ingest ? .ingest : route.access.action.flatMap { action in
                    [Role.compliance, .admin, .auditor].first { PermissionTable.allows($0, action) } } ?? .compliance
                let path = route.path.replacingOccurrences(of: "{id}", with: route == .releaseHold ? "hold-1" : fixture.call.id.description)
                let response = try await client.execute(uri: path + "?dry_run=true", method: route.method,
                                                        headers: auth(route.access == .open ? nil : role), body: jsonBody("{}"))
                #expect(response.status == .badRequest, "\(route)")
                let message = try json(response)["error"] as? String ?? ""
                #expect(message.contains("unknown query parameter 'dry_run'"), "\(route): \(message)")
                if !route.queryParameters.isEmpty { #expect(message.contains(route.queryParameters.sorted()[0]), "\(route): \(message)") }
            }
            #expect(try fixture.test.sql("SELECT count(*) FROM holds") + "/" + fixture.test.sql("SELECT count(*) FROM restrictions") == before)
        }
    }
}
