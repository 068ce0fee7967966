import Foundation
import Testing
import CallvaultTesting

/// The hook examples in scripts/hooks, run as a PBX would run them, feeding a real spool.
@Suite struct HookScriptTests {
    let folder = TemporaryFolder("callvault-hooks")
    var cli: CLIRunner { CLIRunner(archive: folder.path("archive")) }
    static let hooks = TestArchive.samples.deletingLastPathComponent().appendingPathComponent("scripts/hooks")

    func hook(_ name: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = [Self.hooks.appendingPathComponent(name).path] + arguments
        var env = ProcessInfo.processInfo.environment
        env["CALLVAULT_SPOOL"] = folder.path("archive/spool/incoming").path
        for (key, value) in environment { env[key] = value }
        process.environment = env
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    func incoming() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path("archive/spool/incoming").path).sorted()
    }

    @Test func asteriskMixMonitorPostDropsTheRecordingAndItsSidecar() throws {
        try cli.initWithAccounts()
        let recording = TestArchive.samples.appendingPathComponent("asterisk/monitor/2026/10/23/exten-1004-1001-20261023-080531-1792731931.45.wav")
        #expect(try hook("asterisk-mixmonitor-post", [recording.path], environment: ["CALLVAULT_AGENT": "1004", "CALLVAULT_TAGS": "training,qa"]) == 0)
        #expect(try incoming() == ["exten-1004-1001-20261023-080531-1792731931.45.json", "exten-1004-1001-20261023-080531-1792731931.45.wav"])
        let drained = try cli.run(["watch", "--once", "--json"])
        #expect(drained.json["recordings"] as? Int == 1)
        let shown = try cli.run(["show", "rec-1", "--json", "--as", "lee"])
        #expect(shown.json["agent"] as? String == "1004")
        #expect((shown.json["source_fields"] as? [String: String])?["tags"] == "training,qa")
        #expect(FileManager.default.fileExists(atPath: recording.path), "the PBX's own file is left in place")
    }

    @Test func freeswitchPostProcessDropsTheCDRAndTheRecording() throws {
        try cli.initWithAccounts()
        let cdr = TestArchive.samples.appendingPathComponent("freeswitch/json_cdr/966fa72c-1436-438b-a093-2c1d82f32f57.cdr.json")
        let recording = TestArchive.samples.appendingPathComponent("freeswitch/recordings/966fa72c-1436-438b-a093-2c1d82f32f57.wav")
        #expect(try hook("freeswitch-record-post-process", [recording.path, cdr.path]) == 0)
        let drained = try cli.run(["watch", "--once", "--json"])
        #expect(drained.json["recordings"] as? Int == 1)
        #expect((drained.json["calls"] as? Int ?? 0) >= 1)
        let calls = try cli.run(["search", "--kind", "call", "--json", "--as", "lee"])
        let items = try #require(calls.json["items"] as? [[String: Any]])
        #expect(items.contains { $0["recording"] is String }, "the recording is linked to its call")
    }

    @Test func kannelLogShipperShipsAndRemovesTheRotatedLog() throws {
        try cli.initWithAccounts()
        let rotated = folder.path("access.log.1")
        try FileManager.default.copyItem(at: TestArchive.samples.appendingPathComponent("sms/kannel-access.log"), to: rotated)
        #expect(try hook("kannel-log-shipper", [rotated.path]) == 0)
        #expect(!FileManager.default.fileExists(atPath: rotated.path))
        let drained = try cli.run(["watch", "--once", "--json"])
        #expect((drained.json["sms"] as? Int ?? 0) > 10)
        #expect(try incoming().isEmpty)
    }

    @Test func asteriskCDRShipperCanRunRepeatedly() throws {
        try cli.initWithAccounts()
        let master = TestArchive.samples.appendingPathComponent("asterisk/cdr-csv/Master.csv")
        #expect(try hook("asterisk-cdr-shipper", [master.path]) == 0)
        let first = try cli.run(["watch", "--once", "--json"])
        Thread.sleep(forTimeInterval: 1.1) // a new timestamped name
        #expect(try hook("asterisk-cdr-shipper", [master.path]) == 0)
        let second = try cli.run(["watch", "--once", "--json"])
        #expect((first.json["calls"] as? Int ?? 0) > 60)
        #expect(second.json["calls"] as? Int == 0)
        #expect(second.json["duplicates"] as? Int == first.json["calls"] as? Int)
    }

    @Test func spoolDropRefusesHostileNames() throws {
        try cli.initWithAccounts()
        let file = folder.write("x.csv", "x\n")
        #expect(try hook("spool-drop", [file.path, "../escape.csv"]) != 0)
        #expect(try hook("spool-drop", [file.path, ".hidden"]) != 0)
        #expect(try incoming().isEmpty)
    }
}
