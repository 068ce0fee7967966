import Foundation
import Testing
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Logging
import ServiceLifecycle
import CallvaultAccess
import CallvaultArchive
import CallvaultModel
import CallvaultServer
import CallvaultTesting

/// The server on a real socket (127.0.0.1, port 0), and `serve`'s service group shutting down
/// gracefully.
@Suite struct LiveServerTests {
    @Test func aLiveServerAnswersOverTCPAndServesMetricsToAnAdmin() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.live) { client in
            #expect(client.port != nil && client.port != 0)
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            let search = try await client.execute(uri: "/api/v1/search?customer=C001&limit=2", method: .get, headers: auth(.lead))
            #expect(search.status == .ok)
            // Over a socket the audit origin names the client's address.
            #expect(try fixture.lastAudit() == ["search|lena|lead|allowed|http@127.0.0.1"])
            let range = try await client.execute(uri: "/api/v1/recordings/\(fixture.longRecording)/audio?purpose=complaint", method: .get,
                                                 headers: auth(.lead, [.range: "bytes=300000-300099"]))
            #expect(range.status == .partialContent)
            #expect(range.bytes == fixture.longWAV.subdata(in: 300_000..<300_100))
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: auth(.admin))
            #expect(metrics.status == .ok)
            let text = metrics.text
            #expect(text.contains("callvault_search_duration_seconds_count 1"))
            #expect(text.contains("callvault_blob_bytes "))
            #expect(text.contains(#"callvault_expiry_deleted_total{kind="call"} 0"#))
            #expect(!text.contains("0401234567"))
        }
    }

    @Test func serveShutsDownGracefullyAfterFinishingItsWork() async throws {
        let fixture = try TestArchive()
        var settings = fixture.archive.configuration.server
        settings.port = 0
        settings.spoolInterval = 0.05
        settings.expiryInterval = 0.2
        var logger = Logger(label: "serve-test")
        logger.logLevel = .warning
        let service = CallvaultService(archive: fixture.archive, principals: try IssuedTokens(archive: fixture.archive, admin: fixture.admin), settings: settings, logger: logger)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let group = service.makeServiceGroup(gracefulShutdownSignals: []) { port in portSink.yield(port) }
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())
        #expect(port > 0)

        // The spool watcher runs: a dropped file is ingested and filed away.
        let incoming = fixture.archive.layout.incoming
        let staged = fixture.folder.write("drop/Master.csv", IngestAPITests.cdrs(5))
        try FileManager.default.moveItem(at: staged, to: incoming.appendingPathComponent("Master.csv"))
        let deadline = Date().addingTimeInterval(10)
        while (try FileManager.default.contentsOfDirectory(atPath: incoming.path)).contains("Master.csv") && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try fixture.sql("SELECT COUNT(*) FROM items") == "5")
        // Scheduled expiry runs.
        while !service.api.metrics.render().contains("callvault_expiry_runs_total 1") && Date() < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(service.api.metrics.render().contains("callvault_expiry_runs_total"))
        #expect(try fixture.sql("SELECT COUNT(*) FROM audit_log WHERE action = 'ingest' AND actor = 'svc:spool'") == "1")

        let started = ContinuousClock.now
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(ContinuousClock.now - started < .seconds(10))
        // Nothing half-done: no upload or blob being written, nothing left in the spool.
        #expect(try FileManager.default.contentsOfDirectory(atPath: incoming.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.archive.layout.temporary.path).filter { $0.hasPrefix("blob-") }.isEmpty)
        #expect(try fixture.archive.verifyAudit(actor: fixture.actor).ok)
    }

    @Test func theServiceAnchorsTheAuditHeadOnItsIntervalAndAtShutdown() async throws {
        let fixture = try TestArchive()
        var settings = fixture.archive.configuration.server
        settings.port = 0
        settings.expiryInterval = 0
        var logger = Logger(label: "anchor-test")
        logger.logLevel = .warning
        let service = CallvaultService(archive: fixture.archive, principals: try IssuedTokens(archive: fixture.archive, admin: fixture.admin), settings: settings, logger: logger)
        let group = service.makeServiceGroup(gracefulShutdownSignals: [], anchorInterval: .milliseconds(100))
        let running = Task { try await group.run() }
        let before = try fixture.anchorLines().count
        _ = try fixture.archive.search(SearchQuery(limit: 1), actor: fixture.actor)
        // Far fewer than 1,000 entries: the interval anchors them.
        // Bounded by polls, not by the wall clock: while other tests hold the cooperative threads,
        // neither the service nor this loop runs, and a deadline would pass unseen.
        var polls = 0
        while try fixture.anchorLines().count == before && polls < 6_000 {
            try await Task.sleep(for: .milliseconds(50))
            polls += 1
        }
        #expect(try fixture.anchorLines().count > before, "the interval anchored the search")
        _ = try fixture.archive.search(SearchQuery(limit: 1), actor: fixture.actor)
        await group.triggerGracefulShutdown()
        try await running.value
        let head = try fixture.archive.auditDigest(actor: fixture.actor)
        let newest = try #require(try fixture.anchorLines().last).split(separator: " ")
        #expect(Int64(newest[3]) == head.count && String(newest[4]) == head.lastHash, "anchored up to the last entry by shutdown")
        #expect(try fixture.archive.verifyAudit(actor: fixture.actor).ok)
    }
}
