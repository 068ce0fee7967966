import Foundation
import Testing
import Crypto
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
        #expect(try archive.schemaMigrations() == ["v1-core", "v2-sms-and-recording-names", "v3-conversations", "v4-policy", "v5-conversation-legs", "v6-users", "v7-time-local-call-keys", "v8-number-time-indexes", "v9-leg-names", "v10-time-keyed-names", "v11-names-vocabulary", "v12-leg-conversation-keys", "v13-hold-coverage", "v14-os-logins", "v15-keyed-audit", "v16-kind-time-counts", "v17-item-id-floor", "v18-pending-report-parties", "v19-number-validity", "v20-pending-report-parties-index"], "opening upgrades the schema")
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

    /// Issue 16: an archive from before the key store (plain SHA-256 entries, the number secret
    /// in `index.sqlite`) gets its key store on first open: the secret moves out of the index with
    /// the same value (numbers searched before hash alike), the entries written before stay plain
    /// and verify, and the chain is keyed from the next entry on.
    @Test func theNumberSecretMovesToTheKeyStoreAndTheOldChainStillVerifies() throws {
        let source = TestArchive.samples.deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/archive-v1-core")
        let folder = TemporaryFolder()
        let root = folder.path("archive")
        try FileManager.default.copyItem(at: source, to: root)
        let index = root.appendingPathComponent("index.sqlite").path
        let secretHex = try Shell.run("/usr/bin/sqlite3", [index, "SELECT lower(hex(value)) FROM archive_secrets WHERE name = 'audit-number-key'"])
        #expect(secretHex.count == 64)
        let oldHead = try Shell.run("/usr/bin/sqlite3", [index, "SELECT count || '|' || last_hash FROM audit_head"])
        do {
            let archive = try Archive(root: root)
            let actor = Actor.test("tester", .compliance)
            let verification = try archive.verifyAudit(actor: actor)
            #expect(verification.ok, "\(verification.problem ?? "")")
            _ = try archive.search(SearchQuery(number: "040 123 4567"), actor: actor)
            #expect(try archive.verifyAudit(actor: actor).ok)
        }
        #expect(try Shell.run("/usr/bin/sqlite3", [index, "SELECT count(*) FROM archive_secrets"]) == "0")
        let stored = try String(contentsOf: folder.path("archive.keys/number.key"), encoding: .utf8)
        #expect(stored.trimmingCharacters(in: .whitespacesAndNewlines) == secretHex, "the same secret, now outside the index")
        // A number searched after the upgrade hashes as it did before it.
        let secret = Data((0..<32).map { UInt8(secretHex.dropFirst($0 * 2).prefix(2), radix: 16)! })
        let expected = "hmac:" + HMAC<SHA256>.authenticationCode(for: Data("+358401234567".utf8), using: SymmetricKey(data: secret))
            .prefix(16).map { String(format: "%02x", $0) }.joined()
        let logged = try Shell.run("/usr/bin/sqlite3", [index, "SELECT json_extract(details, '$.number') FROM audit_log WHERE action = 'search'"])
        #expect(logged == expected)
        // The plain entries stay as they were; keying starts after them, anchored at the old head.
        let old = oldHead.split(separator: "|")
        #expect(try Shell.run("/usr/bin/sqlite3", [index, "SELECT keyed_from FROM audit_head"]) == String(Int(old[0])! + 1))
        #expect(try Shell.run("/usr/bin/sqlite3", [index, "SELECT hash FROM audit_log WHERE seq = \(old[0])"]) == String(old[1]))
        let anchors = try String(contentsOf: folder.path("archive.anchors"), encoding: .utf8).split(separator: "\n")
        #expect(anchors.first?.contains(" \(old[0]) \(old[1]) \(Int(old[0])! + 1) ") == true)
        // Nothing of the secret is left in the file (secure_delete, and the log checkpointed).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: index)) + ((try? Data(contentsOf: URL(fileURLWithPath: index + "-wal"))) ?? Data())
        #expect(bytes.range(of: secret) == nil)
    }

    /// The move is safe to interrupt: a key file already written (the process stopped before the
    /// index's copy was deleted) is taken as it is; a key file of another archive is refused.
    @Test func anInterruptedMoveCompletesAndAForeignNumberKeyIsRefused() throws {
        let source = TestArchive.samples.deletingLastPathComponent().appendingPathComponent("Tests/Fixtures/archive-v1-core")
        let folder = TemporaryFolder()
        let root = folder.path("archive"), keys = folder.path("archive.keys")
        try FileManager.default.copyItem(at: source, to: root)
        let index = root.appendingPathComponent("index.sqlite").path
        let secretHex = try Shell.run("/usr/bin/sqlite3", [index, "SELECT lower(hex(value)) FROM archive_secrets"])
        try FileManager.default.createDirectory(at: keys, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let numberKey = keys.appendingPathComponent("number.key")
        // Another archive's key: refused before anything changes.
        try Data((String(repeating: "ab", count: 32) + "\n").utf8).write(to: numberKey)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: numberKey.path)
        let before = try Shell.run("/usr/bin/sqlite3", [index, ".dump"])
        #expect { _ = try Archive(root: root) } throws: { "\($0)".contains("differs") && "\($0)".contains(numberKey.path) }
        #expect(try Shell.run("/usr/bin/sqlite3", [index, ".dump"]) == before)
        // This archive's key, written before an interruption: the open completes the move.
        try Data((secretHex + "\n").utf8).write(to: numberKey)
        _ = try Archive(root: root)
        #expect(try Shell.run("/usr/bin/sqlite3", [index, "SELECT count(*) FROM archive_secrets"]) == "0")
        #expect(try Archive(root: root).verifyAudit(actor: Actor.test("tester", .compliance)).ok)
    }
}
