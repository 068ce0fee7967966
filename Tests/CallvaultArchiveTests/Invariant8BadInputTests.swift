import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// DESIGN.md invariant 8: bad input is reported with file, line and reason; good lines beside it are kept.
@Suite struct Invariant8BadInputTests {
    @Test func badLinesAreReportedAndGoodLinesKept() throws {
        let fixture = try TestArchive()
        let lines = [
            Samples.cdrLine(uniqueID: "1.1"),
            Samples.cdrLine(start: "2026-13-45 99:00:00", uniqueID: "1.2"),
            "\"just\",\"three\",\"fields\"",
            Samples.cdrLine(disposition: "EXPLODED", uniqueID: "1.3"),
            Samples.cdrLine(duration: -5, uniqueID: "1.4"),
            Samples.cdrLine(uniqueID: "1.5"),
        ]
        let file = fixture.input("Master.csv", lines.joined(separator: "\n") + "\n")
        let summary = try fixture.ingest(file)
        #expect(summary.calls == 2)
        #expect(summary.rejected.map(\.line) == [2, 3, 4, 5])
        #expect(summary.rejected.allSatisfy { $0.file == file.path })
        #expect(summary.rejected[0].reason.contains("start"))
        #expect(summary.rejected[1].reason.contains("fields"))
        #expect(summary.rejected[2].reason.contains("disposition"))
        #expect(summary.rejected[3].reason.contains("duration"))
        for reject in summary.rejected { #expect(!reject.reason.contains("0401234567")) }
    }

    @Test func aFileOfNoKnownFormatIsRejectedWithAReason() throws {
        let fixture = try TestArchive()
        let summary = try fixture.ingest(
            fixture.input("notes.txt", "hello,world\nthis is not a CDR\n"),
            fixture.input("empty.csv", ""),
            fixture.input("garbage.bin", Data([0, 1, 2, 3, 0, 255])),
            fixture.input("fake.wav", "not audio"),
            fixture.input("customers.csv", "customer_id,name,phones\nC1,A,0401234567\n"))
        #expect(summary.rejected.count == 5)
        #expect(summary.rejected.allSatisfy { $0.line == nil && !$0.reason.isEmpty })
        #expect(summary.rejected.contains { $0.reason.contains("customers import") })
        #expect(summary.calls == 0)
    }

    @Test func latin1TextIsReadNotDropped() throws {
        let fixture = try TestArchive()
        let line = Samples.cdrLine(clid: "\"Hämäläinen Öljy\" <0401234567>") + "\n"
        let latin1 = line.data(using: .isoLatin1)!
        let summary = try fixture.ingest(fixture.input("Master.csv", latin1))
        #expect(summary.calls == 1)
        #expect(summary.warnings.count == 1)
        let found = try fixture.archive.search(SearchQuery(text: "hämäläinen"), actor: fixture.actor)
        #expect(found.total == 1)
        #expect(try fixture.archive.show("call-1", actor: fixture.actor).detail?.callerName == "Hämäläinen Öljy")
    }

    @Test func aTruncatedRecordingIsStoredWithAWarningAndStillByteExact() throws {
        let fixture = try TestArchive()
        let full = Samples.wav(seconds: 3)
        let truncated = full.prefix(full.count / 2)
        let file = fixture.input("in-0923456789-0401234567-20260314-093000-1773473400.1.wav", Data(truncated))
        let summary = try fixture.ingest(file)
        #expect(summary.recordings == 1)
        #expect(summary.warnings.first?.reason.contains("truncated") == true)
        let out = fixture.folder.path("out.wav")
        _ = try fixture.archive.extractRecording("rec-1", to: out, purpose: "technical-fault", actor: fixture.actor)
        #expect(try Data(contentsOf: out) == Data(truncated))
    }

    @Test func aWAVWithoutAFormatChunkIsRejected() throws {
        let fixture = try TestArchive()
        var bytes = Data("RIFF".utf8) + Data([36, 0, 0, 0]) + Data("WAVE".utf8)
        bytes += Data("data".utf8) + Data([4, 0, 0, 0, 1, 2, 3, 4])
        let summary = try fixture.ingest(fixture.input("in-1-2-20260314-093000-1.1.wav", bytes))
        #expect(summary.recordings == 0)
        #expect(summary.rejected.first?.reason.contains("fmt") == true)
    }

    @Test func hostileFileNamesAreStoredSafely() throws {
        let fixture = try TestArchive()
        let names = ["in-0923456789-0401234567-20260314-093000-1.2.wav", "weird name; rm -rf *.wav", "näin\nrivinvaihto.wav", "..hidden-looking.wav"]
        for (i, name) in names.enumerated() {
            fixture.input(name, Samples.wav(seconds: 0.5, seed: UInt64(i)))
        }
        let summary = try fixture.archive.ingest([fixture.folder.path("input")], actor: fixture.admin)
        // Dot-files are files still being written by a hook: skipped. The rest are stored.
        #expect(summary.recordings == 3)
        #expect(try fixture.archive.verify(repair: false, actor: fixture.admin).isClean)
    }

    @Test func aMissingPathIsReportedAndTheRestIngested() throws {
        let fixture = try TestArchive()
        let summary = try fixture.ingest(fixture.folder.path("nope.csv"), fixture.input("Master.csv", Samples.cdrLine() + "\n"))
        #expect(summary.calls == 1)
        #expect(summary.rejected.first?.reason == "no such file or folder")
    }

    @Test func anUnterminatedQuoteDoesNotLoseTheLinesBeforeIt() throws {
        let fixture = try TestArchive()
        let text = Samples.cdrLine(uniqueID: "2.1") + "\n" + Samples.cdrLine(uniqueID: "2.2") + "\n\"broken,\"field\n"
        let summary = try fixture.ingest(fixture.input("Master.csv", text))
        #expect(summary.calls == 2)
        #expect(summary.rejected.first?.line == 3)
    }
}
