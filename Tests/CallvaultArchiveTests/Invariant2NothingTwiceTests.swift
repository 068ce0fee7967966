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

    /// A file's rows go into the index a batch at a time: a row repeated within the batch, or
    /// already stored, is a duplicate; each new item gets a new id above every earlier one and
    /// its customer links once; the hour counts and an active hold's coverage follow the batch.
    @Test func aBatchStoresEachNewRecordOnceWithItsLinksCountsAndHoldCoverage() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", Samples.customersCSV([
            (id: "C1", name: "Mäkinen Jukka", phones: "040 123 4567"), (id: "C2", name: "Öhman Pekka", phones: "050 111 2233"),
        ])), actor: fixture.actor)
        let stored = Samples.cdrLine(src: "0509998877", uniqueID: "1773473300.9")
        #expect(try fixture.ingest(fixture.input("a/Master.csv", stored + "\n")).calls == 1)
        let before = try fixture.sql("SELECT max(id) FROM items")
        let hold = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", customers: ["C1"]), actor: fixture.actor)

        let repeated = Samples.cdrLine(uniqueID: "1773473400.1")
        let other = Samples.cdrLine(src: "0501112233", clid: "\"Öhman Pekka\" <0501112233>", uniqueID: "1773473500.2")
        let summary = try fixture.ingest(fixture.input("b/Master.csv", [repeated, other, repeated, stored].joined(separator: "\n") + "\n"))
        #expect(summary.calls == 2 && summary.duplicates == 2)
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE kind = 'call'") == "3")
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE id > \(before)") == "2")
        #expect(try fixture.sql("SELECT group_concat(customer_id || ':' || pbx_unique_id, ' ') FROM (SELECT ic.customer_id, i.pbx_unique_id FROM item_customers ic JOIN items i ON i.id = ic.item_id ORDER BY i.id)")
                == "C1:1773473400.1 C2:1773473500.2")
        #expect(try fixture.sql("SELECT group_concat(i.pbx_unique_id) FROM hold_items h JOIN items i ON i.id = h.item_id WHERE h.hold_id = \(hold.number)")
                == "1773473400.1")
        #expect(try fixture.sql("SELECT sum(items) FROM item_hour_counts WHERE kind = 'call'") == "3")
        #expect(try fixture.sql("SELECT count(*) FROM names_fts WHERE names_fts MATCH 'pekka'") == "1")
    }

    @Test func anSMSRepeatedInOneFileIsStoredOnce() throws {
        let fixture = try TestArchive()
        let received = "2026-10-23T06:02:44Z,inbound,+358449876543,+358923456789,gw-7f2c91b3,received,1"
        let sent = "2026-10-23T08:45:10+03:00,outbound,+358923456789,+358401234567,gw-7f2c91a0,delivered,1"
        let summary = try fixture.ingest(fixture.input("sms.csv", (["time,direction,from,to,message_id,status,parts", received, sent, received]).joined(separator: "\n") + "\n"))
        #expect(summary.sms == 2 && summary.duplicates == 1, "\(summary)")
        #expect(try fixture.sql("SELECT group_concat(direction) FROM (SELECT direction FROM items WHERE kind = 'sms' ORDER BY id)") == "inbound,outbound")
        #expect(try fixture.sql("SELECT sum(items) FROM item_hour_counts WHERE kind = 'sms'") == "2")
    }
}
