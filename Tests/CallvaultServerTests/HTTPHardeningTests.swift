import Foundation
import Testing
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import CallvaultAccess
import CallvaultArchive
import CallvaultConfiguration
import CallvaultServer
import CallvaultTesting

/// Issue 22's HTTP hardening, proven against the server: `/metrics` behind a token or an
/// address list (loopback is not trusted: a reverse proxy on the machine is loopback), HEAD on
/// every GET route, 405 with `Allow` for a method a path lacks, and connections that send no
/// complete request head closed after `[server] idle_timeout`.
@Suite struct HTTPHardeningTests {
    // MARK: /metrics

    @Test func metricsFromLoopbackNeedAnAdminTokenByDefault() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.live) { client in
            let anonymous = try await client.execute(uri: "/metrics", method: .get)
            #expect(anonymous.status == .unauthorized, "loopback is a reverse proxy's address too")
            #expect(anonymous.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            #expect(!anonymous.text.contains("callvault_"))
            let lead = try await client.execute(uri: "/metrics", method: .get, headers: auth(.lead))
            #expect(lead.status == .forbidden)
            let admin = try await client.execute(uri: "/metrics", method: .get, headers: auth(.admin))
            #expect(admin.status == .ok)
            #expect(admin.text.contains("callvault_blob_bytes "))
        }
    }

    @Test func aListedAddressReadsMetricsWithoutAToken() async throws {
        let listed = try ServerFixture { $0.metricsAddresses = [AddressRange("127.0.0.0/8")!] }
        try await listed.application().test(.live) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.text.contains("callvault_search_duration_seconds_count"))
        }
        let other = try ServerFixture { $0.metricsAddresses = [AddressRange("10.0.0.0/8")!, AddressRange("::2")!] }
        try await other.application().test(.live) { client in
            let anonymous = try await client.execute(uri: "/metrics", method: .get)
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func theTokenOfTheMetricsTokenFileReadsMetrics() async throws {
        let folder = TemporaryFolder()
        let token = "scrape-\(UUID().uuidString)"
        let file = folder.write("metrics.token", Data((token + "\n").utf8))
        let fixture = try ServerFixture { $0.metricsTokenFile = file.path }
        try await fixture.application().test(.live) { client in
            let right = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(right.status == .ok)
            let wrong = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)x"])
            #expect(wrong.status == .unauthorized)
            // The scrape token opens /metrics only.
            let search = try await client.execute(uri: "/api/v1/search?customer=C001", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(search.status == .unauthorized)
        }
        // An unreadable file admits nobody by token (an admin's token still works).
        let missing = try ServerFixture { $0.metricsTokenFile = folder.url.appendingPathComponent("absent").path }
        try await missing.application().test(.router) { client in
            let scraper = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(scraper.status == .unauthorized)
            let admin = try await client.execute(uri: "/metrics", method: .get, headers: auth(.admin))
            #expect(admin.status == .ok)
        }
    }

    @Test func addressRangesMatchByPrefix() throws {
        let block = try requireValue(AddressRange("192.168.10.0/24"))
        #expect(block.contains("192.168.10.77") && block.contains("::ffff:192.168.10.1"))
        #expect(!block.contains("192.168.11.1") && !block.contains("10.0.0.1") && !block.contains("fe80::1"))
        let one = try requireValue(AddressRange("10.0.0.5"))
        #expect(one.contains("10.0.0.5") && !one.contains("10.0.0.4"))
        let six = try requireValue(AddressRange("fd00::/8"))
        #expect(six.contains("fd12:3456::1") && !six.contains("fe00::1") && !six.contains("10.0.0.5"))
        #expect(AddressRange("0.0.0.0/0")?.contains("203.0.113.9") == true)
        for bad in ["", "localhost", "10.0.0.0/33", "10.0.0/8", "::1/129", "10.0.0.1/", "10.0.0.1/x"] {
            #expect(AddressRange(bad) == nil, "\(bad)")
        }
        #expect(block.description == "192.168.10.0/24" && one.description == "10.0.0.5")
    }

    // MARK: HEAD and 405

    /// A GET request each GET route answers with a success, by a role allowed to call it.
    static func getRequests(_ fixture: ServerFixture) -> [(uri: String, headers: HTTPFields)] {
        var requests: [(String, HTTPFields)] = []
        for route in APIRoute.allCases where route.method == .get {
            let request = RouteAuthorizationTests.request(route, fixture: fixture)
            let role = route.access.action.flatMap { action in [Role.lead, .compliance, .admin].first { PermissionTable.allows($0, action) } }
            requests.append((request.uri, auth(role, request.headers)))
        }
        return requests
    }

    @Test func headAnswersEveryGetRouteWithItsHeadersAndNoBody() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            for (uri, headers) in Self.getRequests(fixture) {
                let get = try await client.execute(uri: uri, method: .get, headers: headers)
                let head = try await client.execute(uri: uri, method: .head, headers: headers)
                #expect(get.status.code < 300, "GET \(uri): \(get.status)")
                #expect(head.status == get.status, "HEAD \(uri): \(head.status)")
                #expect(head.body.readableBytes == 0, "HEAD \(uri) has no body")
                #expect(head.headers[.contentType] == get.headers[.contentType], "HEAD \(uri)")
                if uri.hasPrefix("/api/v1/recordings") || uri == "/healthz" {
                    #expect(head.headers[.contentLength] == get.headers[.contentLength], "HEAD \(uri): Content-Length")
                }
                if uri.contains("/audio") {
                    // The processing log tells the HEAD (size and type, no audio) from the GET.
                    let plays = try fixture.test.sql("SELECT group_concat(coalesce(json_extract(details, '$.method'), 'GET') || ':' || coalesce(json_extract(details, '$.bytes_sent'), '-'), ' ') FROM (SELECT details FROM audit_log WHERE action = 'play' ORDER BY seq)")
                    #expect(plays.hasSuffix("GET:- HEAD:0"), "\(plays)")
                }
            }
            // The web UI's pages too (a visitor without a session is sent to the login form).
            for route in WebRoute.allCases where route.method == .get {
                let uri = route.path.replacingOccurrences(of: "{id}", with: "C001")
                let get = try await client.execute(uri: uri, method: .get)
                let head = try await client.execute(uri: uri, method: .head)
                #expect(head.status == get.status && head.status != .notFound, "HEAD \(uri): \(head.status)")
                #expect(head.body.readableBytes == 0)
            }
        }
    }

    @Test func aHeadAnswerOnTheWireHasTheLengthAndNoBody() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.live) { client in
            let port = try requireValue(client.port, "port")
            let connection = try RawConnection(port: port)
            try connection.send("HEAD /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            let (text, closed) = await connection.read(untilClosedWithin: 10)
            #expect(closed)
            #expect(text.hasPrefix("HTTP/1.1 200"), "\(text)")
            #expect(text.lowercased().contains("content-length: 15\r\n"), "\(text)")
            #expect(text.hasSuffix("\r\n\r\n"), "no body after the head: \(text)")
        }
    }

    @Test func aMethodAPathLacksIs405WithTheMethodsItHas() async throws {
        let fixture = try ServerFixture()
        var expected: [String: Set<String>] = [:]
        for (path, method) in APIRoute.allCases.map({ ($0.path, $0.method) }) + WebRoute.allCases.map({ ($0.path, $0.method) }) {
            let concrete = path.replacingOccurrences(of: "{id}", with: "x1")
            expected[concrete, default: []].insert(method.rawValue)
            if method == .get { expected[concrete, default: []].insert("HEAD") }
        }
        let paths = expected.sorted(by: { $0.key < $1.key })
        try await fixture.application().test(.router) { client in
            for (path, methods) in paths {
                for method in [HTTPRequest.Method.trace, .put, .delete, .patch, .options, .get, .post] where !methods.contains(method.rawValue) {
                    let response = try await client.execute(uri: path, method: method, headers: auth(.admin))
                    #expect(response.status == .methodNotAllowed, "\(method) \(path): \(response.status)")
                    let allow = Set((response.headers[.allow] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
                    #expect(allow == methods, "\(method) \(path): Allow \(response.headers[.allow] ?? "none")")
                    #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                }
            }
            let unknown = try await client.execute(uri: "/api/v1/nothing-here", method: .trace)
            #expect(unknown.status == .notFound)
            let deeper = try await client.execute(uri: "/api/v1/items/x1/more", method: .get, headers: auth(.lead))
            #expect(deeper.status == .notFound)
        }
    }

    // MARK: timeouts

    /// (The time limit only keeps a hung connection from stalling the suite.)
    @Test(.timeLimit(.minutes(3))) func aConnectionWithoutACompleteRequestHeadIsClosedAfterTheIdleTimeout() async throws {
        let fixture = try ServerFixture { $0.idleTimeout = 1 }
        try await fixture.application().test(.live) { client in
            let port = try requireValue(client.port, "port")
            // Half a header, then nothing.
            let partial = try RawConnection(port: port)
            try partial.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            let (text, closed) = await partial.read(untilClosedWithin: 10)
            #expect(closed, "a partial header kept the connection open")
            #expect(!text.contains("200"))
            // A keep-alive connection is closed once idle after its answer.
            let idle = try RawConnection(port: port)
            try idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            let (answer, idleClosed) = await idle.read(untilClosedWithin: 10)
            #expect(answer.hasPrefix("HTTP/1.1 200"), "\(answer)")
            #expect(idleClosed)
            // The server still serves (on a new connection: the test client's own one was idle too).
            let again = try RawConnection(port: port)
            try again.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            #expect(await again.read(untilClosedWithin: 10).text.hasPrefix("HTTP/1.1 200"))
        }
    }
}
