import Foundation
import Testing
import CallvaultArchive
import CallvaultIngest
import CallvaultModel
import CallvaultTesting

/// A recording may come with `<name>.json`: call id, agent, queue, direction, customer id, tags.
@Suite struct RecordingSidecarTests {
    @Test func aSidecarEnrichesItsRecordingAndIsNotIngestedOnItsOwn() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.importCustomers(from: fixture.input("c.csv", Samples.customersCSV([("C9", "Öhman", "050 111 2222")])), actor: fixture.actor)
        try fixture.ingest(fixture.input("Master.csv", Samples.cdrLine(uniqueID: "1773473400.77") + "\n"))
        fixture.input("rec/meeting-room.wav", Samples.wav(seconds: 1))
        fixture.input("rec/meeting-room.json", #"{"call_id": "1773473400.77", "agent": "1007", "queue": "sales", "direction": "inbound", "customer_id": "C9", "tags": ["complaint", "vip"], "unknown": 1}"#)
        let summary = try fixture.archive.ingest([fixture.folder.path("input/rec")], actor: fixture.admin)
        #expect(summary.files == 1 && summary.recordings == 1 && summary.rejected.isEmpty)
        let recording = try fixture.archive.show("rec-2", actor: fixture.actor)
        #expect(recording.agent == "1007")
        #expect(recording.direction == .inbound)
        #expect(recording.customers.contains("C9"))
        #expect(recording.detail?.call == ItemID(kind: .call, number: 1), "call_id links it to its call")
        #expect(recording.detail?.sourceFields["tags"] == "complaint,vip")
        #expect(recording.detail?.context == "sales")
    }

    @Test func aBadSidecarIsReportedAndTheRecordingStillStored() throws {
        let fixture = try TestArchive()
        fixture.input("rec/a.wav", Samples.wav(seconds: 1, seed: 3))
        fixture.input("rec/a.json", "this is not json")
        fixture.input("rec/b.wav", Samples.wav(seconds: 1, seed: 4))
        fixture.input("rec/b.json", #"{"customer_id": "NOBODY", "direction": "sideways"}"#)
        fixture.input("rec/c.wav", Samples.wav(seconds: 1, seed: 5))
        fixture.input("rec/c.json", #"{"customer_id": "NOBODY"}"#)
        let summary = try fixture.archive.ingest([fixture.folder.path("input/rec")], actor: fixture.admin)
        #expect(summary.recordings == 3)
        #expect(summary.warnings.count == 3)
        #expect(summary.warnings.contains { $0.reason.contains("not a JSON object") })
        #expect(summary.warnings.contains { $0.reason.contains("direction") })
        #expect(summary.warnings.contains { $0.reason.contains("not in the archive") })
    }

    @Test func theSpoolFilesASidecarWithItsRecording() throws {
        let fixture = try TestArchive()
        let incoming = fixture.root.appendingPathComponent("spool/incoming")
        try Data(#"{"agent": "1010"}"#.utf8).write(to: incoming.appendingPathComponent("x.json"))
        try Samples.wav(seconds: 1).write(to: incoming.appendingPathComponent("x.wav"))
        let summary = try SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor).drain()
        #expect(summary.files == 1 && summary.recordings == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: incoming.path).isEmpty)
        #expect(try fixture.archive.show("rec-1", actor: fixture.actor).agent == "1010")
    }

    @Test func sidecarParserReadsTheKnownFields() throws {
        let sidecar = try RecordingSidecarParser.parse(Data(#"{"call_id": 42, "direction": "out", "tags": ["a", " b "]}"#.utf8))
        #expect(sidecar.callID == "42")
        #expect(sidecar.direction == .outbound)
        #expect(sidecar.tags == ["a", "b"])
        #expect(throws: IngestLineError.self) { try RecordingSidecarParser.parse(Data(#"{"tags": "notalist"}"#.utf8)) }
        #expect(throws: IngestLineError.self) { try RecordingSidecarParser.parse(Data("[1,2]".utf8)) }
    }
}
