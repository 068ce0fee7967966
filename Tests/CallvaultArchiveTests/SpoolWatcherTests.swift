import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting
import CallvaultSpool
#if canImport(Glibc)
import Glibc
#endif

/// The spool: complete files only, each once, filed under processed/ or rejected/ with a reason.
@Suite struct SpoolWatcherTests {
    func drop(_ fixture: TestArchive, _ name: String, _ data: Data) -> URL {
        // As a hook does: write a dot-file, then rename it into place.
        let incoming = fixture.root.appendingPathComponent("spool/incoming")
        // A short temp name: `.<name>.part` of a 250-byte name would pass the file system's limit.
        let temp = incoming.appendingPathComponent(".drop-\(UUID().uuidString.prefix(8)).part")
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
        #expect(files(fixture, "spool/rejected") == ["link.csv", SpoolWatcher.noteName(for: "link.csv"), "notes.txt", SpoolWatcher.noteName(for: "notes.txt")].sorted())
        let reason = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.root.appendingPathComponent("spool/rejected/\(SpoolWatcher.noteName(for: "notes.txt"))"))) as? [String: Any]
        #expect((reason?["reason"] as? String)?.contains("not a known format") == true)
        #expect(reason?["file"] as? String == "notes.txt")
        // A partly good file is processed, with the rejected lines beside it.
        let processed = files(fixture, "spool/processed")
        #expect(processed == ["Master.csv", SpoolWatcher.noteName(for: "Master.csv")].sorted())
        #expect(FileManager.default.fileExists(atPath: outside.path))
    }

    // MARK: the spool never wedges (issue 22)

    /// Any name the file system takes is filed: a 250-byte name gets a note named by a short id
    /// (the name inside), and the files after it are processed in the same look.
    @Test func aNameAtTheFileSystemsLimitIsRejectedWithAShortNoteAndNothingWedges() throws {
        let fixture = try TestArchive()
        let name = "in-" + String(repeating: "ä", count: 116) + "-0401234567.txt" // 250 bytes
        #expect(name.utf8.count == 250)
        _ = drop(fixture, name, Data("not a cdr\n".utf8))
        _ = drop(fixture, "zz-Master.csv", Data((Samples.cdrLine(uniqueID: "10.1") + "\n").utf8))
        let summary = try SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor).drain()
        #expect(summary.calls == 1, "the file after the long name is ingested")
        #expect(files(fixture, "spool/incoming").isEmpty)
        let note = SpoolWatcher.noteName(for: name)
        #expect(note.utf8.count <= 64)
        #expect(files(fixture, "spool/rejected") == [name, note].sorted())
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.root.appendingPathComponent("spool/rejected/\(note)"))) as? [String: Any]
        #expect(json?["file"] as? String == name)
        // The ingest page shows it with its reason, digits masked.
        let status = try fixture.archive.spoolStatus(actor: fixture.admin)
        #expect(status.rejected.map(\.name) == [SpoolFiles.masked(name)])
        #expect(status.rejected.first?.reason?.contains("not a known format") == true)
    }

    /// The same 255-byte name filed twice: the second copy is shortened to make room for `.1`.
    @Test func aSecondFileOfAMaximalNameIsFiledUnderAShortenedName() throws {
        let fixture = try TestArchive()
        let name = String(repeating: "m", count: 251) + ".csv"
        let watcher = SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor)
        for unique in ["11.1", "11.2"] {
            _ = drop(fixture, name, Data((Samples.cdrLine(uniqueID: unique) + "\n").utf8))
            #expect(try watcher.drain().calls == 1)
        }
        let processed = files(fixture, "spool/processed")
        #expect(processed.count == 2 && processed.contains(name))
        #expect(processed.allSatisfy { $0.utf8.count <= 255 } && processed.contains { $0.hasSuffix(".1") })
    }

    /// A file whose processing fails stays in the spool and is tried again only after a pause
    /// that doubles; the others go on; success forgets the failure.
    @Test func aFailingFileBacksOffWhileTheOthersGoOn() throws {
        let fixture = try TestArchive()
        final class Switch: @unchecked Sendable { var failing = true }
        let fault = Switch()
        let watcher = SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor, settleInterval: 0.05, retryDelay: 0.6,
                                   faultSeam: { name in
                                       if name == "a-bad.csv" && fault.failing { throw ArchiveFailure(.internal, "disk full (injected)") }
                                   })
        _ = drop(fixture, "a-bad.csv", Data((Samples.cdrLine(uniqueID: "12.1") + "\n").utf8))
        _ = drop(fixture, "b-good.csv", Data((Samples.cdrLine(uniqueID: "12.2") + "\n").utf8))
        let first = try watcher.drain()
        #expect(first.calls == 1, "the file after the failing one is ingested")
        #expect(files(fixture, "spool/incoming") == ["a-bad.csv"])
        #expect(watcher.failures().map(\.name) == ["a-bad.csv"])
        #expect(watcher.failures().first?.attempts == 1 && watcher.failures().first?.error.contains("disk full") == true)

        // Looks within the pause do not touch it.
        for _ in 0..<5 { _ = try watcher.look() }
        #expect(watcher.failures().first?.attempts == 1)
        Thread.sleep(forTimeInterval: 0.7)
        let retried = try watcher.look()
        #expect(retried.failed.map(\.attempts) == [2])
        let failure = try #require(watcher.failures().first)
        let pause = failure.nextAttempt.timeIntervalSince(failure.lastFailure)
        #expect(pause > 1.1 && pause < 1.3, "the pause doubled (0.6 s → 1.2 s): \(pause)")

        fault.failing = false
        Thread.sleep(forTimeInterval: 1.3)
        #expect(try watcher.drain().calls == 1)
        #expect(watcher.failures().isEmpty && files(fixture, "spool/incoming").isEmpty)
    }

    /// A hard link dropped into the spool names a file outside it: refused unread, like a symbolic
    /// link, and erasure's scrubber never writes through it.
    @Test func aHardLinkIsRefusedAndTheScrubberNeverRewritesTheFileOutside() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", Samples.customersCSV([(id: "C1", name: "Hardlink Heikki", phones: "040 123 4567")])), actor: fixture.actor)
        let outsideText = Samples.cdrLine(uniqueID: "13.1") + "\n"
        let outside = fixture.folder.write("outside/Master.csv", outsideText)
        #expect(link(outside.path, fixture.root.appendingPathComponent("spool/incoming/Master.csv").path) == 0)
        let summary = try SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor).drain()
        #expect(summary.calls == 0 && summary.rejected.first?.reason.contains("hard link") == true)
        #expect(files(fixture, "spool/rejected") == ["Master.csv", SpoolWatcher.noteName(for: "Master.csv")].sorted())
        #expect(try fixture.sql("SELECT count(*) FROM items") == "0", "never read")

        // Erasing the customer whose number the file holds removes the spool's name for it only.
        _ = try fixture.archive.erase(customer: "C1", reason: "req-9", now: nil, actor: fixture.actor)
        #expect(try String(contentsOf: outside, encoding: .utf8) == outsideText, "the file outside the archive is untouched")
        #expect(!files(fixture, "spool/rejected").contains("Master.csv"))
    }

    /// An upload's staged file that is a hard link (someone swapped it in) is refused unread.
    @Test func anUploadWhoseStagedFileIsAHardLinkIsRefused() throws {
        let fixture = try TestArchive()
        let watcher = SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor)
        let outside = fixture.folder.write("outside/Master.csv", Samples.cdrLine(uniqueID: "14.1") + "\n")
        let staged = watcher.stagingURL()
        #expect(link(outside.path, staged.path) == 0)
        #expect {
            _ = try watcher.ingestUpload(staged, as: "Master.csv", actor: Actor.test("pbx1", .ingest))
        } throws: { ($0 as? any CallvaultError)?.message.contains("hard links") == true }
        #expect(try fixture.sql("SELECT count(*) FROM items") == "0")
        #expect(try String(contentsOf: outside, encoding: .utf8) == Samples.cdrLine(uniqueID: "14.1") + "\n")
        #expect(files(fixture, "spool/incoming").isEmpty, "the staged name is removed; nothing is filed")
    }
}
