import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// Archives written by every shipped schema open in this binary and keep their data.
/// One small archive per schema lives in Tests/Fixtures (STYLE.md: migrations are frozen).
@Suite struct UpgradeFixtureTests {
    @Test(arguments: ["archive-v1-core"])
    func aShippedArchiveOpensWithItsDataIntact(fixture name: String) throws {
        let source = TestArchive.samples.deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/\(name)")
        let folder = TemporaryFolder()
        let root = folder.path("archive")
        try FileManager.default.copyItem(at: source, to: root)
        let archive = try Archive(root: root)
        #expect(try archive.schemaMigrations() == ["v1-core", "v2-sms-and-recording-names", "v3-conversations", "v4-policy", "v5-conversation-legs", "v6-users", "v7-time-local-call-keys", "v8-number-time-indexes", "v9-leg-names", "v10-time-keyed-names", "v11-names-vocabulary", "v12-leg-conversation-keys", "v14-os-logins"], "opening upgrades the schema")
        let actor = Actor.test("tester", .compliance)
        #expect(try archive.verifyAudit(actor: actor).ok)
        #expect(try archive.verify(repair: false, actor: .test("tester.admin", .admin)).isClean)
        let calls = try archive.search(SearchQuery(number: "040 123 4567"), actor: actor)
        #expect(calls.total == 7, "8 CDR records, 7 calls: the legs of one call are one conversation")
        // Names move to the time-keyed index (v10): 'Äijälä' is on 6 calls, three of them legs of
        // one conversation; newest first as before.
        let named = try archive.search(SearchQuery(text: "äijälä"), actor: actor)
        #expect(named.total == 4)
        #expect(named.items.map(\.start) == named.items.map(\.start).sorted(by: >))
        #expect(try archive.search(SearchQuery(text: "Esimerkki asiakaspalvelu"), actor: actor).total == 2)
        let recording = try archive.search(SearchQuery(kind: .recording), actor: actor)
        #expect(recording.total == 1)
        // Items stored before retention classes get theirs from the rules on the first open.
        #expect(calls.items.allSatisfy { $0.retentionClass == "traffic-data" })
        #expect(recording.items[0].retentionClass == "recording")
        #expect(recording.items[0].retainUntil != nil)
        let out = folder.path("out.wav")
        _ = try archive.extractRecording(recording.items[0].id.description, to: out, purpose: "technical-fault", actor: actor)
        let original = TestArchive.samples.appendingPathComponent("asterisk/monitor/2026/10/23/exten-1004-1001-20261023-080531-1792731931.45.wav")
        #expect(try Data(contentsOf: out) == Data(contentsOf: original))
    }
}
