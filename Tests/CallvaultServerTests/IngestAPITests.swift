import Foundation
import Testing
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import CallvaultAccess
import CallvaultArchive
import CallvaultModel
import CallvaultServer
import CallvaultTesting

/// POST /api/v1/ingest lands a file exactly as the spool does: into spool/incoming/, ingested,
/// then filed under processed/ or rejected/; hostile names and oversized bodies are refused.
@Suite struct IngestAPITests {
    static let fileName = HTTPField.Name("X-Filename")!

    static func cdrs(_ count: Int, base: Int = 1) -> String {
        (0..<count).map { i in
            Samples.cdrLine(src: "04012345\(10 + i)", start: "2026-04-01 10:\(10 + i):00", answer: "2026-04-01 10:\(10 + i):05",
                            end: "2026-04-01 10:\(10 + i):50", uniqueID: "1775030000.\(base + i)")
        }.joined(separator: "\n") + "\n"
    }

    /// The files under spool/, relative, without the day folder.
    static func spoolFiles(_ archive: Archive) -> [String] {
        let root = archive.layout.root.appendingPathComponent("spool")
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        var names: [String] = []
        while let url = walker?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let parts = url.path.dropFirst(root.path.count + 1).split(separator: "/")
            names.append(([parts.first!] + [parts.last!]).joined(separator: "/"))
        }
        return names.sorted()
    }

    @Test func anUploadIsIngestedLikeASpoolFile() async throws {
        let text = Self.cdrs(3) + "this line is not a CDR\n"
        // Through the spool, as a hook would.
        let spooled = try TestArchive()
        _ = spooled.folder.write("drop/Master.csv", text)
        try FileManager.default.moveItem(at: spooled.folder.path("drop/Master.csv"), to: spooled.archive.layout.incoming.appendingPathComponent("Master.csv"))
        let bySpool = try SpoolWatcher(archive: spooled.archive, actor: Archive.spoolActor, settleInterval: 0.05).drain()

        // Through HTTP.
        let fixture = try ServerFixture()
        let callsBefore = try fixture.test.sql("SELECT COUNT(*) FROM items")
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/ingest", method: .post,
                                                    headers: auth(.ingest, [Self.fileName: "Master.csv"]), body: ByteBuffer(string: text))
            #expect(response.status == .ok)
            let summary = try json(response)
            #expect(summary["files"] as? Int == bySpool.files)
            #expect(summary["calls"] as? Int == bySpool.calls && bySpool.calls == 3)
            #expect((summary["rejected"] as? [[String: Any]])?.count == bySpool.rejected.count && bySpool.rejected.count == 1)
            #expect((summary["rejected"] as? [[String: Any]])?.first?["line"] as? Int == 4)
        }
        #expect(Int(try fixture.test.sql("SELECT COUNT(*) FROM items")) == Int(callsBefore)! + 3)
        // Filed the same way: processed/<day>/Master.csv with its reason note; nothing left in incoming.
        #expect(Self.spoolFiles(fixture.archive) == Self.spoolFiles(spooled.archive))
        #expect(Self.spoolFiles(fixture.archive) == ["processed/Master.csv", "processed/\(SpoolWatcher.noteName(for: "Master.csv"))"].sorted())
        // Audited as the uploading principal, from its address.
        #expect(try fixture.test.sql("SELECT actor || '|' || role || '|' || origin FROM audit_log WHERE action = 'ingest' ORDER BY seq DESC LIMIT 1") == "pbx-hook|ingest|http@unknown")
        let metrics = fixture.api.metrics.render()
        #expect(metrics.contains(#"callvault_ingested_items_total{kind="call",source="http"} 3"#))
        #expect(metrics.contains(#"callvault_ingest_rejected_total{source="http"} 1"#))
    }

    @Test func aRecordingUploadIsStoredByteExact() async throws {
        let fixture = try ServerFixture()
        let wav = Samples.wav(seconds: 3, seed: 9)
        let name = "out-0401112223-1001-20260402-110000-1775116800.3.wav"
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: auth(.ingest, [Self.fileName: name]), body: ByteBuffer(data: wav))
            #expect(response.status == .ok)
            #expect(try json(response)["recordings"] as? Int == 1)
            let again = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: auth(.ingest, [Self.fileName: name]), body: ByteBuffer(data: wav))
            #expect(try json(again)["duplicates"] as? Int == 1)
        }
        let id = try #require(try fixture.archive.search(SearchQuery(kind: .recording, limit: 200), actor: fixture.test.actor).items.first { abs($0.durationSeconds - 3) < 0.01 }?.id)
        let out = fixture.test.folder.path("back.wav")
        _ = try fixture.archive.extractRecording(id.description, to: out, purpose: "complaint", actor: fixture.test.actor)
        #expect(try Data(contentsOf: out) == wav)
        // No upload or blob left half-written.
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.archive.layout.incoming.path).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.archive.layout.temporary.path).filter { $0.hasPrefix("blob-") }.isEmpty)
    }

    @Test func hostileNamesAndOversizedUploadsAreRefused() async throws {
        let fixture = try ServerFixture { $0.maxIngestBytes = 4096 }
        let itemsBefore = try fixture.test.sql("SELECT COUNT(*) FROM items")
        try await fixture.application().test(.router) { client in
            for name in ["../Master.csv", "/etc/passwd", "a/b.csv", "..", ".hidden.csv", "x.csv.reason.json", "a\\b.csv", "", String(repeating: "n", count: 300)] {
                let response = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: auth(.ingest, [Self.fileName: name]),
                                                        body: ByteBuffer(string: Self.cdrs(1)))
                #expect(response.status == .badRequest, "\(name)")
            }
            let unnamed = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: auth(.ingest), body: ByteBuffer(string: Self.cdrs(1)))
            #expect(unnamed.status == .badRequest)
            let big = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: auth(.ingest, [Self.fileName: "big.csv"]),
                                               body: ByteBuffer(string: Self.cdrs(60)))
            #expect(big.status == .contentTooLarge)
        }
        #expect(try fixture.test.sql("SELECT COUNT(*) FROM items") == itemsBefore)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.archive.layout.incoming.path).isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fixture.archive.layout.root.deletingLastPathComponent().appendingPathComponent("Master.csv").path))
    }

    @Test func aNameWaitingInTheSpoolIsNotReplaced() async throws {
        let fixture = try ServerFixture()
        let waiting = fixture.archive.layout.incoming.appendingPathComponent("Master.csv")
        try Data("half written by a hook".utf8).write(to: waiting)
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/ingest", method: .post, headers: auth(.ingest, [Self.fileName: "Master.csv"]),
                                                    body: ByteBuffer(string: Self.cdrs(1)))
            #expect(response.status == .forbidden)
        }
        #expect(try String(contentsOf: waiting, encoding: .utf8) == "half written by a hook")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.archive.layout.incoming.path) == ["Master.csv"])
    }
}
