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

    /// A Kannel line of event `event` at `time`, with DLR type `type` in its flags for a report.
    static func line(_ time: String, _ event: String, fid: String = "AB12CD34", from: String = "+358923456789",
                     to: String = "+358401234567", type: Int? = nil, text: String = "Hei") -> String {
        let flags = type.map { "-1:-1:-1:-1:\($0)" } ?? "-1:0:-1:0:19"
        return "\(time) \(event) [SMSC:elisa] [SVC:cs] [ACT:] [BINF:] [FID:\(fid)] [META:] [from:\(from)] [to:\(to)] [flags:\(flags)] [msg:\(text.utf8.count):\(text)] [udh:0:]"
    }

    @Test(arguments: [
        ["08:05:36", "08:05:40"],   // the final report first, the SMSC's acceptance later
        ["08:05:40", "08:05:36"],   // the acceptance first, the final report later
    ])
    func aFinalReportWinsOverANonFinalOneWhateverTheirOrder(times: [String]) throws {
        let fixture = try TestArchive()
        let log = [
            Self.line("2026-10-23 08:05:31", "Sent SMS"),
            Self.line("2026-10-23 \(times[0])", "Receive DLR", type: 1, text: "stat:DELIVRD"),
            Self.line("2026-10-23 \(times[1])", "Receive DLR", type: 8, text: "ACK"),
        ].joined(separator: "\n") + "\n"
        try fixture.ingest(fixture.input("access.log", log))
        #expect(try fixture.archive.search(SearchQuery(kind: .sms), actor: fixture.actor).items.map(\.disposition) == ["delivered"])
    }

    @Test func aFinalReportLoggedBeforeItsMessageStillWinsOverALaterAcceptance() throws {
        let fixture = try TestArchive()
        try fixture.ingest(fixture.input("a.log", Self.line("2026-10-23 08:05:32", "Receive DLR", type: 1, text: "stat:DELIVRD") + "\n"))
        try fixture.ingest(fixture.input("b.log", [
            Self.line("2026-10-23 08:05:31", "Sent SMS"),
            Self.line("2026-10-23 08:05:33", "Receive DLR", type: 8, text: "ACK"),
        ].joined(separator: "\n") + "\n"))
        #expect(try fixture.archive.search(SearchQuery(kind: .sms), actor: fixture.actor).items.map(\.disposition) == ["delivered"])
    }

    @Test func identicalMessagesAreDistinctAndReingestAddsNothing() throws {
        let fixture = try TestArchive()
        let mo = Self.line("2026-10-23 09:10:00", "Receive SMS", fid: "", from: "+358401234567", to: "+358923456789", text: "OK")
        let other = Self.line("2026-10-23 09:10:01", "Receive SMS", fid: "", from: "+358401234567", to: "+358923456789", text: "Kiitos")
        let log = [mo, mo, other, mo].joined(separator: "\n") + "\n"
        let first = try fixture.ingest(fixture.input("access.log", log))
        #expect(first.sms == 4)
        #expect(first.duplicates == 0)
        let again = try fixture.ingest(fixture.input("access-again.log", log))
        #expect(again.sms == 0)
        #expect(again.duplicates == 4)
        // The log grew (appended): only the new line is new.
        let grown = try fixture.ingest(fixture.input("access-grown.log", log + mo + "\n"))
        #expect(grown.sms == 1)
        #expect(try fixture.archive.search(SearchQuery(kind: .sms), actor: fixture.actor).total == 5)
    }

    /// The access log a real Kannel 1.4.5 wrote (scripts/kannel-peer; samples/sms/kannel-1.4.5-access.README.md):
    /// 9 MO messages (two sets of three identical ones), 7 MT messages of which 6 asked for
    /// reports (their `Sent SMS` lines have an empty FID but one; the id comes with the final
    /// report, which may precede the `Sent SMS` line), and a send Kannel discarded.
    @Test func aLogWrittenByARealKannelGivesEveryMessageOnceWithItsFinalStatus() throws {
        let fixture = try TestArchive()
        let log = TestArchive.samples.appendingPathComponent("sms/kannel-1.4.5-access.log")
        let summary = try fixture.ingest(log)
        #expect(summary.sms == 17)
        #expect(summary.rejected.isEmpty, "\(summary.rejected)")
        #expect(summary.warnings.isEmpty, "every report found its message: \(summary.warnings)")
        let found = try fixture.archive.search(SearchQuery(kind: .sms, limit: 100), actor: fixture.actor)
        #expect(found.items.filter { $0.direction == .inbound }.count == 9)
        let outbound = found.items.filter { $0.direction == .outbound }
        #expect(outbound.compactMap(\.disposition).sorted() == ["delivered", "delivered", "delivered", "delivered", "delivered", "delivered", "rejected", "sent"],
                "\(outbound.map(\.disposition))")
        let again = try fixture.ingest(fixture.input("access.log", try Data(contentsOf: log)))
        #expect(again.sms == 0 && again.duplicates == 17)
        #expect(again.warnings.isEmpty, "\(again.warnings)")
        try fixture.sql("PRAGMA wal_checkpoint(PASSIVE)")
        #expect(filesContaining("Soita minulle", under: fixture.root).isEmpty)
        #expect(filesContaining("Muistutus", under: fixture.root).isEmpty)
    }

    /// The same traffic from a real Kannel with `sms-combine-concatenated-mo = false`
    /// (samples/sms/kannel-1.4.5-access-no-combine.log): the MO message sent in three parts is
    /// logged as three lines with their UDH, and is still one message with 3 parts.
    @Test func concatenatedPartsLoggedOneLineEachAreOneMessage() throws {
        let fixture = try TestArchive()
        let log = TestArchive.samples.appendingPathComponent("sms/kannel-1.4.5-access-no-combine.log")
        let summary = try fixture.ingest(log)
        #expect(summary.sms == 17, "the same 17 messages as the combined log")
        #expect(summary.rejected.isEmpty && summary.warnings.isEmpty, "\(summary.rejected) \(summary.warnings)")
        #expect(try fixture.sql("""
            SELECT json_extract(details, '$.parts') || '/' || json_extract(details, '$.length') FROM items
            WHERE kind = 'sms' AND from_e164 = '+358400000105'
            """) == "3/75", "one message of 3 parts, 38 + 20 + 17 bytes")
        #expect(try fixture.ingest(fixture.input("again.log", try Data(contentsOf: log))).sms == 0, "re-ingest adds nothing")
    }

    /// A final report with the SMSC's id logged before (or in an earlier file than) the `Sent SMS`
    /// line that has no id: it is kept, and when the message arrives it finds it by SMSC, sender,
    /// recipient and time, gives it the id, and the message ends delivered; the SMSC's later
    /// acceptance (type 8, no id) does not undo it.
    @Test func aFinalReportKeptBeforeItsMessageFindsTheMessageLoggedWithoutAnId() throws {
        let fixture = try TestArchive()
        let early = try fixture.ingest(fixture.input("access-1.log",
            Self.line("2026-10-23 08:05:33", "Receive DLR", fid: "a1b2-c3", type: 1, text: "") + "\n"))
        #expect(early.sms == 0 && early.warnings.count == 1, "kept and applied when its SMS arrives: \(early.warnings)")
        let later = try fixture.ingest(fixture.input("access-2.log", [
            Self.line("2026-10-23 08:05:31", "Sent SMS", fid: ""),
            Self.line("2026-10-23 08:05:32", "Sent SMS", fid: "", to: "+358409999999"),
            Self.line("2026-10-23 08:05:34", "Receive DLR", fid: "", type: 8, text: "ACK/"),
        ].joined(separator: "\n") + "\n"))
        #expect(later.sms == 2 && later.warnings.isEmpty, "\(later.warnings)")
        #expect(try fixture.sql("SELECT disposition || ' ' || pbx_unique_id FROM items WHERE to_e164 = '+358401234567'") == "delivered a1b2-c3")
        #expect(try fixture.sql("SELECT disposition FROM items WHERE to_e164 = '+358409999999'") == "sent", "another recipient's message is not claimed")
        #expect(try fixture.sql("SELECT count(*) FROM sms_pending_status") == "0")
    }

    @Test func aReportWithoutAMessageIdThatMatchesNothingIsAWarningNamingItsLine() throws {
        let fixture = try TestArchive()
        let summary = try fixture.ingest(fixture.input("access.log", [
            Self.line("2026-10-23 08:05:31", "Sent SMS", fid: ""),
            Self.line("2026-10-23 08:05:32", "Receive DLR", fid: "", to: "+358409999999", type: 8, text: "ACK/"),
            Self.line("2026-10-23 08:05:33", "Receive DLR", fid: "X-1", to: "+358408888888", type: 1, text: ""),
        ].joined(separator: "\n") + "\n"))
        #expect(summary.sms == 1)
        #expect(summary.warnings.map(\.line) == [2, 3])
        #expect(summary.warnings.first?.reason.contains("matches no SMS") == true)
        #expect(summary.warnings.last?.reason.contains("kept and applied") == true)
        #expect(summary.warnings.allSatisfy { !$0.reason.contains("358") }, "no number in a warning")
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
