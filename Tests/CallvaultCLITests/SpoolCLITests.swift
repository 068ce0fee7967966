import Foundation
import Testing
import CallvaultTesting

/// `callvault watch` as a hook sees it: latency from rename to searchable, crash safety, --once.
@Suite struct SpoolCLITests {
    let folder = TemporaryFolder("callvault-spool")
    var cli: CLIRunner { CLIRunner(archive: folder.path("archive")) }
    var incoming: URL { folder.path("archive/spool/incoming") }

    func drop(_ name: String, _ data: Data) throws {
        // A short temp name: `.<name>.part` of a 250-byte name would pass the file system's limit.
        let temp = incoming.appendingPathComponent(".drop-\(UUID().uuidString.prefix(8)).part")
        try data.write(to: temp)
        try FileManager.default.moveItem(at: temp, to: incoming.appendingPathComponent(name))
    }

    /// The watcher picks up a file once it is renamed into place (how fast is a question for a
    /// benchmark, not for this test); SIGTERM stops it cleanly.
    @Test func aRenamedFileBecomesSearchableWhileTheWatcherRuns() throws {
        try cli.initWithAccounts()
        let watcher = Process()
        watcher.executableURL = cli.binary
        watcher.arguments = ["watch", "--interval", "0.2", "--archive", folder.path("archive").path, "--json"]
        watcher.standardOutput = FileHandle.nullDevice
        watcher.standardError = FileHandle.nullDevice
        try watcher.run()
        defer { if watcher.isRunning { watcher.terminate() } }

        try drop("Master.csv", Data((Samples.cdrLine(uniqueID: "1773473400.42") + "\n").utf8))
        // Polls for the event; the deadline only keeps a broken watcher from hanging the suite.
        let deadline = Date().addingTimeInterval(120)
        var found = false
        while !found && Date() < deadline {
            found = try cli.run(["search", "--json", "--as", "lee"]).json["total"] as? Int == 1
            if !found { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(found)

        watcher.terminate() // SIGTERM: finish the current file, then exit cleanly
        watcher.waitUntilExit()
        #expect(watcher.terminationStatus == 0)
    }

    @Test(arguments: ["renamed", "before-index-commit"])
    func aCrashMidFileReprocessesItOnRestartWithoutDuplicates(step: String) throws {
        try cli.initWithAccounts()
        try drop("in-0923456789-0401234567-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 5))
        try drop("Master.csv", Data((Samples.cdrLine(uniqueID: "1773473400.1") + "\n").utf8))
        let crashed = try cli.run(["watch", "--once", "--json"], environment: ["CALLVAULT_CRASH_AT": step])
        #expect(crashed.status == 86)
        let names = try FileManager.default.contentsOfDirectory(atPath: incoming.path).filter { !$0.hasPrefix(".") }
        #expect(names.contains { $0.hasSuffix(".wav") }, "the file stays in the spool until its data has committed")

        let restarted = try cli.run(["watch", "--once", "--json"])
        #expect(restarted.status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: incoming.path).isEmpty)
        let recordings = try cli.run(["search", "--kind", "recording", "--json", "--as", "lee"])
        #expect(recordings.json["total"] as? Int == 1)
        let calls = try cli.run(["search", "--kind", "call", "--json", "--as", "lee"])
        #expect(calls.json["total"] as? Int == 1)
        #expect(try cli.run(["verify", "--repair", "--json", "--as", "ops.admin"]).status == 0)
        #expect(try cli.run(["verify", "--json", "--as", "ops.admin"]).json["orphans"] as? Int == 0)
    }

    @Test func watchOncePrintsTheIngestSummary() throws {
        try cli.initWithAccounts()
        try drop("Master.csv", Data((Samples.cdrLine(uniqueID: "1.5") + "\n").utf8))
        let result = try cli.run(["watch", "--once", "--json"])
        #expect(result.status == 0)
        #expect(result.json["files"] as? Int == 1)
        #expect(result.json["calls"] as? Int == 1)
        #expect(result.json["rejected"] is [Any])
    }
}

extension SpoolCLITests {
    /// Issue 22: a file of a 250-byte name (its old `<name>.reason.json` did not fit) no longer
    /// fails every run: it is rejected with a short note, and the files after it are ingested.
    @Test func watchOnceFilesALongNameAndTheFilesAfterIt() throws {
        try cli.initWithAccounts()
        let name = "in-" + String(repeating: "ä", count: 116) + "-0401234567.txt"
        try drop(name, Data("not a PBX export\n".utf8))
        try drop("zz-Master.csv", Data((Samples.cdrLine(uniqueID: "1.7") + "\n").utf8))
        let result = try cli.run(["watch", "--once", "--json"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.json["calls"] as? Int == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: incoming.path).isEmpty)
        let rejected = try FileManager.default.contentsOfDirectory(atPath: folder.path("archive/spool/rejected").path)
        #expect(rejected.count == 2 && rejected.contains(name))
        #expect(rejected.allSatisfy { $0.utf8.count <= 255 })
    }

    /// One file that cannot be filed (here `spool/rejected` is not a folder) does not stop the
    /// others; `watch --once` says which failed and exits 1, and the file waits in the spool.
    @Test func watchOnceReportsAFailingFileAndProcessesTheOthers() throws {
        try cli.initWithAccounts()
        let rejected = folder.path("archive/spool/rejected")
        try FileManager.default.removeItem(at: rejected)
        try Data().write(to: rejected)
        try drop("a-junk-0401234567.txt", Data("not a PBX export\n".utf8))
        try drop("b-Master.csv", Data((Samples.cdrLine(uniqueID: "1.8") + "\n").utf8))
        let result = try cli.run(["watch", "--once", "--json"])
        #expect(result.status == 1)
        #expect(result.json["calls"] as? Int == 1, "the file after the failing one is ingested")
        #expect(result.stderr.contains("failed a-junk-04******67.txt") && result.stderr.contains("tried again"), "\(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: incoming.path) == ["a-junk-0401234567.txt"])
        // Once the folder is back, the next run files it.
        try FileManager.default.removeItem(at: rejected)
        try FileManager.default.createDirectory(at: rejected, withIntermediateDirectories: true)
        #expect(try cli.run(["watch", "--once", "--json"]).status == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: incoming.path).isEmpty)
    }

    /// A CDR file larger than one transaction, the process killed after its first commit:
    /// the restart re-processes the whole file, skips what was committed and adds the rest.
    @Test func aCDRFileKilledBetweenTransactionsIsCompletedOnRestart() throws {
        try cli.initWithAccounts()
        let count = 120_000
        var text = ""
        text.reserveCapacity(count * 330)
        for i in 0..<count {
            text += Samples.cdrLine(src: "040\(String(format: "%07d", i % 5000))", uniqueID: "1773473400.\(i)", sequence: i) + "\n"
        }
        try drop("Master.csv", Data(text.utf8))
        let crashed = try cli.run(["watch", "--once", "--json"], environment: ["CALLVAULT_CRASH_AT": "after-records-commit"])
        #expect(crashed.status == 86)
        let committed = try cli.run(["search", "--kind", "call", "--limit", "0", "--json", "--as", "lee"]).json["total"] as? Int ?? 0
        #expect(committed > 0 && committed < count, "one transaction committed before the crash")
        #expect(try FileManager.default.contentsOfDirectory(atPath: incoming.path).contains("Master.csv"))

        let restarted = try cli.run(["watch", "--once", "--json"])
        #expect(restarted.json["calls"] as? Int == count - committed)
        #expect(restarted.json["duplicates"] as? Int == committed)
        #expect(try cli.run(["search", "--kind", "call", "--limit", "0", "--json", "--as", "lee"]).json["total"] as? Int == count)
        #expect(try cli.run(["audit", "verify", "--json", "--as", "ops.admin"]).json["ok"] as? Bool == true)
    }
}
