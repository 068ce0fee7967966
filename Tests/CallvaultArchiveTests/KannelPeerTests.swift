import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// A real peer: Debian's Kannel (bearerbox, smsbox, fakesmsc) runs on 127.0.0.1 through
/// `scripts/kannel-peer`, receives MO messages (identical ones among them) from fakesmsc and
/// sends MT messages through smsbox's sendsms with a DLR mask, and the access log it wrote is
/// ingested: every logged message is one record with its final status, no report is left
/// unmatched, and no message text reaches any file of the archive. Skipped on a machine
/// without Kannel, except in CI (`CI` set), where `.ci/run` installs it and its absence fails.
@Suite struct KannelPeerTests {
    static let script = TestArchive.samples.deletingLastPathComponent().appendingPathComponent("scripts/kannel-peer")
    static var installed: Bool {
        FileManager.default.fileExists(atPath: "/usr/sbin/bearerbox") && FileManager.default.fileExists(atPath: "/usr/lib/kannel/test/fakesmsc")
    }
    static var required: Bool { installed || ProcessInfo.processInfo.environment["CI"] != nil }

    @Test(.enabled(if: KannelPeerTests.required, "needs Debian's kannel and kannel-extras (installed by .ci/run)"),
          .timeLimit(.minutes(3)))
    func theAccessLogARealKannelWritesIsIngestedWhole() throws {
        let (fixture, log, lines, messages) = try Self.run()
        let withReports = lines.filter { $0.contains(" Sent SMS [") && $0.contains(":31] [msg:") }
        #expect(messages.count >= 10)

        let summary = try fixture.ingest(log)
        #expect(summary.sms == messages.count, "one record per logged message")
        #expect(summary.rejected.isEmpty, "\(summary.rejected)")
        #expect(summary.warnings.isEmpty, "every report found its message: \(summary.warnings)")
        let found = try fixture.archive.search(SearchQuery(kind: .sms, limit: 500), actor: fixture.actor)
        #expect(found.total == messages.count)
        let delivered = found.items.filter { $0.direction == .outbound && $0.disposition == "delivered" }
        #expect(delivered.count == withReports.count, "every message that asked for reports ends delivered")

        #expect(try fixture.ingest(fixture.input("again.log", try Data(contentsOf: log))).sms == 0, "re-ingest adds nothing")
        try fixture.sql("PRAGMA wal_checkpoint(TRUNCATE)")
        for text in ["Soita minulle kun ehdit", "Muistutus: huoltoaika", "Paketti odottaa noutoa", "Kiitos yhteydenotosta"] {
            #expect(Self.files(containing: text, under: fixture.root).isEmpty, "'\(text)' reached the archive")
        }
    }

    /// With `sms-combine-concatenated-mo = false` bearerbox logs each part of a concatenated MO
    /// message as its own line (with its UDH): the three parts are still one message.
    @Test(.enabled(if: KannelPeerTests.required, "needs Debian's kannel and kannel-extras (installed by .ci/run)"),
          .timeLimit(.minutes(3)))
    func concatenatedPartsARealKannelLogsOneByOneAreOneMessage() throws {
        let (fixture, log, lines, messages) = try Self.run(["--no-combine"])
        let parts = lines.filter { $0.contains(" Receive SMS [") && $0.contains("[udh:6:0500032A03") }
        #expect(parts.count == 3, "bearerbox logged the three parts one by one")

        let summary = try fixture.ingest(log)
        #expect(summary.sms == messages.count - 2, "three part lines, one message")
        #expect(summary.rejected.isEmpty && summary.warnings.isEmpty, "\(summary.rejected) \(summary.warnings)")
        #expect(try fixture.sql("SELECT json_extract(details, '$.parts') FROM items WHERE kind = 'sms' AND from_e164 = '+358400000105'") == "3")
        #expect(try fixture.ingest(fixture.input("again.log", try Data(contentsOf: log))).sms == 0, "re-ingest adds nothing")
    }

    /// Runs the real Kannel through `scripts/kannel-peer` and reads the access log it wrote:
    /// its lines, and those that log a message.
    static func run(_ options: [String] = []) throws -> (TestArchive, URL, [Substring], [Substring]) {
        let fixture = try TestArchive()
        let log = fixture.folder.path("kannel/access.log")
        try FileManager.default.createDirectory(at: log.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = try Shell.run(script.path, options + [log.path])
        let lines = try String(contentsOf: log, encoding: .isoLatin1).split(separator: "\n")
        let messages = lines.filter { $0.contains(" Receive SMS [") || $0.contains(" Sent SMS [") || $0.contains(" DISCARDED SMS [") }
        return (fixture, log, lines, messages)
    }

    static func files(containing needle: String, under root: URL) -> [String] {
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        return walker.compactMap { $0 as? URL }.filter { (try? Data(contentsOf: $0))?.range(of: Data(needle.utf8)) != nil }.map(\.path)
    }
}
