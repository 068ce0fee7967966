import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// The spool: complete files only, each once, filed under processed/ or rejected/ with a reason.
@Suite struct SpoolWatcherTests {
    func drop(_ fixture: TestArchive, _ name: String, _ data: Data) -> URL {
        // As a hook does: write a dot-file, then rename it into place.
        let incoming = fixture.root.appendingPathComponent("spool/incoming")
        let temp = incoming.appendingPathComponent(".\(name).part")
        try! data.write(to: temp)
        let target = incoming.appendingPathComponent(name)
        try! FileManager.default.moveItem(at: temp, to: target)
        return target
    }

    func files(_ fixture: TestArchive, _ folder: String) -> [String] {
        let url = fixture.root.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: url, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { ($0 as? URL).flatMap { (try? $0.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true ? nil : $0.lastPathComponent } }.sorted()
    }

    @Test func completeFilesAreIngestedOnceAndFiledByDay() throws {
        let fixture = try TestArchive()
        _ = drop(fixture, "Master.csv", Data((Samples.cdrLine(uniqueID: "7.1") + "\n").utf8))
        _ = drop(fixture, "in-0923456789-0401234567-20260314-093000-7.1.wav", Samples.wav(seconds: 1))
        let watcher = SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor)
        let summary = try watcher.drain()
        #expect(summary.files == 2 && summary.calls == 1 && summary.recordings == 1)
        #expect(files(fixture, "spool/incoming").isEmpty)
        #expect(files(fixture, "spool/processed") == ["Master.csv", "in-0923456789-0401234567-20260314-093000-7.1.wav"])
        #expect(try fixture.sql("SELECT DISTINCT actor FROM audit_log WHERE action = 'ingest'") == "svc:spool")
        // The same file dropped again is filed again but changes nothing.
        _ = drop(fixture, "Master.csv", Data((Samples.cdrLine(uniqueID: "7.1") + "\n").utf8))
        let again = try watcher.drain()
        #expect(again.calls == 0 && again.duplicates == 1)
        #expect(files(fixture, "spool/processed").contains("Master.csv.1"))
    }

    @Test func dotFilesAndGrowingFilesAreLeftAlone() throws {
        let fixture = try TestArchive()
        let incoming = fixture.root.appendingPathComponent("spool/incoming")
        try Data("partial".utf8).write(to: incoming.appendingPathComponent(".hook-writing.csv"))
        let watcher = SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor, settleInterval: 0.3)
        // A file that grows between looks is not taken on the look that sees it grow.
        let growing = incoming.appendingPathComponent("Master.csv")
        try Data((Samples.cdrLine(uniqueID: "8.1") + "\n").utf8).write(to: growing)
        #expect(try watcher.look().summary.files == 0, "the first look only notes the size")
        let handle = try FileHandle(forWritingTo: growing)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data((Samples.cdrLine(uniqueID: "8.2") + "\n").utf8))
        try handle.close()
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try watcher.look().summary.files == 0, "it grew: still not taken")
        let drained = try watcher.drain()
        #expect(drained.calls == 2)
        #expect(files(fixture, "spool/incoming") == [".hook-writing.csv"])
    }

    @Test func unusableFilesGoToRejectedWithAReason() throws {
        let fixture = try TestArchive()
        _ = drop(fixture, "notes.txt", Data("hello\n".utf8))
        _ = drop(fixture, "Master.csv", Data((Samples.cdrLine(uniqueID: "9.1") + "\nbroken,line\n").utf8))
        let outside = fixture.folder.write("outside/secret.csv", Samples.cdrLine(uniqueID: "9.9") + "\n")
        try FileManager.default.createSymbolicLink(at: fixture.root.appendingPathComponent("spool/incoming/link.csv"), withDestinationURL: outside)
        let summary = try SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor).drain()
        #expect(summary.calls == 1, "the symlinked file outside the spool is never read")
        #expect(files(fixture, "spool/rejected") == ["link.csv", "link.csv.reason.json", "notes.txt", "notes.txt.reason.json"])
        let reason = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.root.appendingPathComponent("spool/rejected/notes.txt.reason.json"))) as? [String: Any]
        #expect((reason?["reason"] as? String)?.contains("not a known format") == true)
        // A partly good file is processed, with the rejected lines beside it.
        let processed = files(fixture, "spool/processed")
        #expect(processed == ["Master.csv", "Master.csv.reason.json"])
        #expect(FileManager.default.fileExists(atPath: outside.path))
    }
}
