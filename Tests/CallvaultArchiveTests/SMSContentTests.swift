import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// R8: only SMS identification data is kept. The message text reaches no file of the archive:
/// not the index (nor its WAL), not the audit log, not the spool.
@Suite struct SMSContentTests {
    static let body = "SALAINEN-VIESTI-7f3c tilauksesi on matkalla"
    static let receiptText = "KUITTI-TEKSTI-91ab"

    static func kannelLog() -> String {
        let text = body
        let receipt = "id:AB12CD34 sub:001 dlvrd:001 submit date:2610230805 done date:2610230806 stat:DELIVRD err:000 text:\(receiptText)"
        return """
            2026-10-23 08:00:00 Log begins
            2026-10-23 08:05:31 Sent SMS [SMSC:elisa] [SVC:cs] [ACT:] [BINF:] [FID:AB12CD34] [META:] [from:+358923456789] [to:+358401234567] [flags:-1:0:-1:0:19] [msg:\(text.utf8.count):\(text)] [udh:0:]
            2026-10-23 08:05:36 Receive DLR [SMSC:elisa] [SVC:cs] [ACT:] [BINF:] [FID:AB12CD34] [META:] [from:+358923456789] [to:+358401234567] [flags:-1:-1:-1:-1:1] [msg:\(receipt.utf8.count):\(receipt)] [udh:0:]
            2026-10-23 09:10:00 Receive SMS [SMSC:elisa] [SVC:] [ACT:] [BINF:] [FID:] [META:] [from:+358401234567] [to:+358923456789] [flags:0:0:-1:0:-1] [msg:\(text.utf8.count):\(text)] [udh:0:]

            """
    }

    /// Every byte of every file under `root`, searched for `needle` (also as ISO-8859-1 and UTF-16).
    func filesContaining(_ needle: String, under root: URL) -> [String] {
        var hits: [String] = []
        let patterns = [Data(needle.utf8), needle.data(using: .utf16LittleEndian)!]
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        for case let url as URL in walker {
            guard let data = try? Data(contentsOf: url) else { continue }
            if patterns.contains(where: { data.range(of: $0) != nil }) { hits.append(url.path) }
        }
        return hits
    }

    @Test func messageTextReachesNoFileOfTheArchive() throws {
        let fixture = try TestArchive()
        let incoming = fixture.root.appendingPathComponent("spool/incoming")
        try Data(Self.kannelLog().utf8).write(to: incoming.appendingPathComponent(".access.log.part"))
        try FileManager.default.moveItem(at: incoming.appendingPathComponent(".access.log.part"), to: incoming.appendingPathComponent("access.log"))
        let summary = try SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor).drain()
        #expect(summary.sms == 2)
        // Search and show the messages, as a support lead would; still nothing of the text.
        let found = try fixture.archive.search(SearchQuery(kind: .sms), actor: fixture.actor)
        #expect(found.total == 2)
        #expect(found.items.contains { $0.disposition == "delivered" }, "the delivery report updated the sent SMS")
        for item in found.items { _ = try fixture.archive.show(item.id.description, actor: fixture.actor) }
        try fixture.sql("PRAGMA wal_checkpoint(PASSIVE)")

        #expect(filesContaining("SALAINEN-VIESTI", under: fixture.root).isEmpty)
        #expect(filesContaining(Self.receiptText, under: fixture.root).isEmpty)
        #expect(filesContaining("tilauksesi", under: fixture.root).isEmpty)
        // The raw log is not kept in processed/: only a note of what was ingested.
        let processed = FileManager.default.enumerator(at: fixture.root.appendingPathComponent("spool/processed"), includingPropertiesForKeys: nil)!
            .compactMap { ($0 as? URL)?.lastPathComponent }
        #expect(!processed.contains("access.log"))
        #expect(processed.contains(SpoolWatcher.noteName(for: "access.log", suffix: ".ingested.json")))
        // What is kept: who, to whom, when, status, parts, length.
        let item = try #require(found.items.first { $0.direction == .outbound })
        let shown = try fixture.archive.show(item.id.description, actor: fixture.actor)
        #expect(shown.from == "+358923456789" && shown.to == "+358401234567")
        #expect(shown.detail?.sourceFields["length"] == String(Self.body.utf8.count) || shown.detail?.sourceFields["length"] == String(Self.body.count))
    }

    @Test func aDeliveryReportBeforeItsMessageIsAppliedWhenTheMessageArrives() throws {
        let fixture = try TestArchive()
        let lines = Self.kannelLog().split(separator: "\n").map(String.init)
        try fixture.ingest(fixture.input("dlr.log", lines[2] + "\n"))
        try fixture.ingest(fixture.input("sent.log", lines[1] + "\n"))
        let sent = try fixture.archive.search(SearchQuery(kind: .sms), actor: fixture.actor)
        #expect(sent.items.map(\.disposition) == ["delivered"])
    }

    @Test func anSMSCSVIsIngestedAndATextColumnIgnored() throws {
        let fixture = try TestArchive()
        let csv = """
            time,direction,from,to,message_id,status,parts,text
            2026-10-23T10:00:00+03:00,outbound,+358923456789,040 123 4567,m-1,sent,1,\(Self.body)
            2026-10-23T10:05:00,in,0401234567,+358923456789,m-2,received,2,\(Self.body)

            """
        let summary = try fixture.ingest(fixture.input("sms.csv", csv))
        #expect(summary.sms == 2)
        #expect(summary.messageTextFiles.count == 1)
        #expect(filesContaining("SALAINEN-VIESTI", under: fixture.root).isEmpty)
        let found = try fixture.archive.search(SearchQuery(number: "040 123 4567", kind: .sms), actor: fixture.actor)
        #expect(found.total == 2)
    }
}
