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
import CallvaultJobs
import CallvaultTesting

/// Issue 22: the spool never wedges. Over HTTP a name the spool can hold is filed (never a 500)
/// and one it cannot is a 400; in `serve` a failing file is retried after a doubling pause (not
/// every tick), and shows on `/metrics` and the ingest page while the other files go on.
@Suite struct SpoolWedgeTests {
    @Test func anUploadWithANameAtTheLimitIsFiledNot500() async throws {
        let fixture = try ServerFixture()
        let name = "in-" + String(repeating: "x", count: 182) + "-0401234567.txt" // 200 bytes: the API's limit
        let overTheAPI = String(repeating: "m", count: 216) + ".csv" // 220 bytes: the file system's, not the API's
        let tooLong = String(repeating: "n", count: 252) + ".csv" // 256 bytes
        try await fixture.application().test(.router) { client in
            let filed = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: auth(.ingest, [IngestAPITests.fileName: name]),
                                                 body: ByteBuffer(string: "not a PBX export\n"))
            #expect(filed.status == .ok, "\(filed.status)")
            let refused = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: auth(.ingest, [IngestAPITests.fileName: tooLong]),
                                                   body: ByteBuffer(string: IngestAPITests.cdrs(1)))
            #expect(refused.status == .badRequest)
            #expect(refused.text.contains("255"))
            let overLimit = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: auth(.ingest, [IngestAPITests.fileName: overTheAPI]),
                                                     body: ByteBuffer(string: IngestAPITests.cdrs(1)))
            #expect(overLimit.status == .badRequest)
            #expect(overLimit.text.contains("200"))
        }
        let rejected = try FileManager.default.contentsOfDirectory(atPath: fixture.archive.layout.rejected.path).sorted()
        #expect(rejected == [name, SpoolWatcher.noteName(for: name)].sorted())
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.archive.layout.incoming.path).isEmpty)
    }

    @Test func aFailingFileBacksOffAndShowsOnMetricsAndTheIngestPage() async throws {
        let fixture = try WebFixture()
        let layout = fixture.archive.layout
        // rejected/ replaced by a file: rejecting the junk file fails, every time.
        try FileManager.default.removeItem(at: layout.rejected)
        try Data().write(to: layout.rejected)
        try Data("not a PBX export\n".utf8).write(to: layout.incoming.appendingPathComponent("junk-0401234567.csv"))
        try Data(IngestAPITests.cdrs(1, base: 900).utf8).write(to: layout.incoming.appendingPathComponent("zz-Master.csv"))

        var logger = Logger(label: "spool-wedge-test")
        logger.logLevel = .critical
        let service = SpoolService(watcher: fixture.api.spool, interval: .milliseconds(50), observer: fixture.api.metrics, logger: logger)
        var configuration = ServiceGroupConfiguration(services: [.init(service: service)], logger: logger)
        configuration.gracefulShutdownSignals = []
        let group = ServiceGroup(configuration: configuration)
        let started = Date()
        let running = Task { try await group.run() }
        var polls = 0
        while (try FileManager.default.contentsOfDirectory(atPath: layout.incoming.path)).contains("zz-Master.csv") && polls < 400 {
            try await Task.sleep(for: .milliseconds(25))
            polls += 1
        }
        // A second of looks every 50 ms: the failing file is not retried before its 2-second pause.
        try await Task.sleep(for: .seconds(1))
        await group.triggerGracefulShutdown()
        try await running.value

        #expect(try FileManager.default.contentsOfDirectory(atPath: layout.incoming.path) == ["junk-0401234567.csv"])
        #expect(try fixture.test.sql("SELECT count(*) FROM audit_log WHERE action = 'ingest' AND actor = 'svc:spool'") != "0",
                "the file after the failing one was ingested")
        let metrics = fixture.api.metrics.render()
        #expect(metrics.contains("callvault_spool_failing_files 1"), "\(metrics)")
        // One attempt per pause (2 s, then doubling), not one per look: on a loaded machine the
        // run may outlast the first pause, so the bound follows the time it took.
        let elapsed = Date().timeIntervalSince(started)
        let attempts = try #require(fixture.api.spool.failures().map(\.attempts).first)
        #expect(fixture.api.spool.failures().count == 1)
        #expect(attempts >= 1 && attempts <= 1 + Int(elapsed / 2), "\(attempts) attempts in \(elapsed) s of looks every 50 ms")
        #expect(metrics.contains("callvault_spool_file_failures_total \(attempts)\n"), "\(metrics)")

        try await fixture.application().test(.router) { client in
            let admin = try await logIn(client, fixture, as: .admin)
            let page = try await client.execute(uri: "/ingest", method: .get, headers: admin.cookie)
            #expect(page.status == .ok)
            #expect(page.text.contains("Files failing: 1"))
            #expect(page.text.contains("junk-04******67.csv"))
            #expect(!page.text.contains("0401234567"))
        }
    }
}
