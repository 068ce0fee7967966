import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// DESIGN.md invariant 2: ingesting the same file, or the same record from another file, changes nothing.
@Suite struct Invariant2NothingTwiceTests {
    @Test func reingestingAFileChangesNothing() throws {
        let fixture = try TestArchive()
        let cdr = fixture.input("Master.csv", [
            Samples.cdrLine(uniqueID: "1773473400.1"),
            Samples.cdrLine(src: "0501112233", clid: "\"Öhman Pekka\" <0501112233>", uniqueID: "1773473500.2"),
        ].joined(separator: "\n") + "\n")
        let wav = fixture.input("in-0923456789-0401234567-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 2))
        let first = try fixture.ingest(cdr, wav)
        #expect(first.calls == 2 && first.recordings == 1 && first.duplicates == 0)
        let itemsBefore = try fixture.sql("SELECT count(*) FROM items")
        let blobsBefore = try fixture.archive.verify(repair: false, actor: fixture.admin).blobs

        let second = try fixture.ingest(cdr, wav)
        #expect(second.calls == 0 && second.recordings == 0)
        #expect(second.duplicates == 3)
        #expect(try fixture.sql("SELECT count(*) FROM items") == itemsBefore)
        #expect(try fixture.archive.verify(repair: false, actor: fixture.admin).blobs == blobsBefore)
        #expect(try fixture.sql("SELECT count(*) FROM names_fts WHERE names_fts MATCH 'pekka'") == "1")
    }

    @Test func theSameRecordInAnotherFileIsADuplicate() throws {
        let fixture = try TestArchive()
        let line = Samples.cdrLine(uniqueID: "1773473400.7", sequence: 3)
        try fixture.ingest(fixture.input("a/Master.csv", line + "\n"))
        let again = try fixture.ingest(fixture.input("b/Master-copy.csv", Samples.cdrLine(uniqueID: "1773473400.9") + "\n" + line + "\n"))
        #expect(again.calls == 1)
        #expect(again.duplicates == 1)
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE kind = 'call'") == "2")
    }

    @Test func legsSharingAUniqueIDWithDifferentSequencesAreKeptApart() throws {
        let fixture = try TestArchive()
        let legs = [
            Samples.cdrLine(dstChannel: "PJSIP/1002-00000003", answer: "", duration: 20, billsec: 0, disposition: "NO ANSWER", uniqueID: "1773473400.5", sequence: 10),
            Samples.cdrLine(dstChannel: "PJSIP/1003-00000004", uniqueID: "1773473400.5", sequence: 11),
        ]
        let summary = try fixture.ingest(fixture.input("Master.csv", legs.joined(separator: "\n") + "\n"))
        #expect(summary.calls == 2)
    }

    @Test func reingestingTheSamplesTwiceAddsNothing() throws {
        let fixture = try TestArchive()
        let first = try fixture.archive.ingest([TestArchive.samples.appendingPathComponent("asterisk")], actor: fixture.admin)
        #expect(first.calls > 60 && first.recordings == 7)
        let second = try fixture.archive.ingest([TestArchive.samples.appendingPathComponent("asterisk")], actor: fixture.admin)
        #expect(second.calls == 0 && second.recordings == 0)
        #expect(second.duplicates == first.calls + first.recordings)
    }
}
