import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultAudit
import CallvaultTesting

/// DESIGN.md invariant 7 and R1–R6: every read is logged with actor, action, item ids and purpose;
/// the log holds no phone number or name; `audit verify` detects any tampering.
@Suite struct Invariant7AuditTests {
    func loadedArchive() throws -> TestArchive { try TestArchive.withSamples() }

    @Test func everyReadIsLoggedWithTheIdsItReturned() throws {
        let fixture = try loadedArchive()
        let u1 = Actor.test("u1", .lead)
        let result = try fixture.archive.search(SearchQuery(number: "040 123 4567", limit: 7), actor: u1)
        #expect(result.items.count == 7)
        let row = try fixture.sql("SELECT actor, action, items, outcome FROM audit_log WHERE action = 'search' ORDER BY seq DESC LIMIT 1")
        // The items shown, then the other legs of their calls (a queue call that rang two agents).
        let shown = result.items.map(\.id) + result.items.flatMap(\.legs).filter { !result.items.map(\.id).contains($0) }
        #expect(shown.count == 8)
        let ids = shown.map { "\"\($0)\"" }.joined(separator: ",")
        #expect(row == "u1|search|[\(ids)]|allowed")

        _ = try fixture.archive.show(result.items[0].id.description, actor: u1)
        #expect(try fixture.sql("SELECT actor, action, items FROM audit_log ORDER BY seq DESC LIMIT 1") == "u1|show|[\"\(result.items[0].id)\"]")

        let recording = try #require(result.items.compactMap(\.recording).first)
        let out = fixture.folder.path("x.wav")
        _ = try fixture.archive.extractRecording(recording.description, to: out, purpose: "complaint", actor: u1)
        #expect(try fixture.sql("SELECT actor, action, items, purpose, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "u1|extract|[\"\(recording)\"]|complaint|allowed")
    }

    @Test func aSearchReturningFiftyItemsLogsAllFiftyIds() throws {
        let fixture = try loadedArchive()
        let result = try fixture.archive.search(SearchQuery(limit: 50), actor: fixture.actor)
        #expect(result.items.count == 50)
        let logged = try fixture.sql("SELECT items FROM audit_log WHERE action = 'search' ORDER BY seq DESC LIMIT 1")
        let ids = try JSONDecoder().decode([String].self, from: Data(logged.utf8))
        #expect(ids.count == Set(ids).count)
        #expect(Array(ids.prefix(50)) == result.items.map(\.id.description))
        #expect(Set(ids) == Set(result.items.map(\.id.description) + result.items.flatMap(\.legs).map(\.description)),
                "the other legs of a call shown are read too")
    }

    @Test func anExtractWithoutAnAllowedPurposeIsDeniedAndTheDenialLogged() throws {
        let fixture = try loadedArchive()
        for purpose in [nil, "curiosity"] as [String?] {
            #expect(throws: (any Error).self) {
                _ = try fixture.archive.extractRecording("rec-74", to: fixture.folder.path("x.wav"), purpose: purpose, actor: fixture.actor)
            }
            #expect(try fixture.sql("SELECT action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "extract|denied")
        }
        #expect(!FileManager.default.fileExists(atPath: fixture.folder.path("x.wav").path))
    }

    @Test func ingestIsAttributedToTheActorThatRanIt() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.ingest([fixture.input("Master.csv", Samples.cdrLine() + "\n")], actor: .test("pbx1-upload", .ingest, origin: "spool"))
        #expect(try fixture.sql("SELECT actor, action, items FROM audit_log WHERE action = 'ingest'") == "pbx1-upload|ingest|[\"call-1\"]")
    }

    @Test func theLogHoldsNoPhoneNumberOrName() throws {
        let fixture = try loadedArchive()
        _ = try fixture.archive.search(SearchQuery(number: "+358 40 123 4567"), actor: fixture.actor)
        _ = try fixture.archive.search(SearchQuery(number: "1234567"), actor: fixture.actor)
        _ = try fixture.archive.search(SearchQuery(text: "Mäkinen"), actor: fixture.actor)
        let log = try fixture.sql("SELECT * FROM audit_log")
        #expect(!log.isEmpty)
        // No run of 6+ digits that could be a number (hashes are hex, times are 13-digit ms stamps).
        let rows = try fixture.sql("SELECT actor || role || action || items || coalesce(purpose,'') || details || coalesce(reason,'') || origin FROM audit_log")
        for match in rows.matches(of: /\d{6,}/) {
            let digits = String(match.output)
            #expect(!digits.hasPrefix("358") && !digits.hasPrefix("040") && !digits.hasPrefix("1234567"), "a number-like value in the log: \(digits)")
        }
        #expect(!rows.contains("Mäkinen") && !rows.lowercased().contains("mäkinen"))
        #expect(!rows.contains("+358"))
    }

    @Test func verifyDetectsAChangedEntry() throws {
        let fixture = try loadedArchive()
        #expect(try fixture.archive.verifyAudit(actor: fixture.actor).ok)
        try fixture.sql("DROP TRIGGER audit_log_append_only_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == 3)
    }

    @Test func verifyDetectsADeletedMiddleEntry() throws {
        let fixture = try loadedArchive()
        try fixture.sql("DROP TRIGGER audit_log_append_only_delete; DELETE FROM audit_log WHERE seq = 2")
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == 2)
    }

    @Test func verifyDetectsAnInsertedEntry() throws {
        let fixture = try loadedArchive()
        try fixture.sql("""
            DROP TRIGGER audit_log_append_only_update;
            UPDATE audit_log SET seq = seq + 1000 WHERE seq >= 3;
            UPDATE audit_log SET seq = seq - 999 WHERE seq >= 1003;
            INSERT INTO audit_log SELECT 3, time_ms, 'mallory', role, action, items, purpose, details, outcome, reason,
                duration_ms, origin, prev_hash, hash FROM audit_log WHERE seq = 2;
            """)
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == 3)
    }

    @Test func verifyDetectsReorderedEntries() throws {
        let fixture = try loadedArchive()
        try fixture.sql("""
            DROP TRIGGER audit_log_append_only_update;
            UPDATE audit_log SET seq = -1 WHERE seq = 2;
            UPDATE audit_log SET seq = 2 WHERE seq = 3;
            UPDATE audit_log SET seq = 3 WHERE seq = -1;
            """)
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == 2)
    }

    @Test func verifyDetectsTruncation() throws {
        let fixture = try loadedArchive()
        let count = Int(try fixture.sql("SELECT count(*) FROM audit_log"))!
        try fixture.sql("DROP TRIGGER audit_log_append_only_delete; DELETE FROM audit_log WHERE seq > \(count - 3)")
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == Int64(count - 2))
    }

    // MARK: keyed chain and anchors, against someone with access to the archive's files

    /// What `sqlite3 .dump` shows of the index: to prove a refused open changed nothing.
    func dump(_ fixture: TestArchive) throws -> String {
        try Shell.run("/usr/bin/sqlite3", [fixture.root.appendingPathComponent("index.sqlite").path, ".dump"])
    }

    /// The log's rows as the sqlite3 shell shows them (`-json`), as entries: what an attacker
    /// recomputes plain hashes from.
    func storedEntries(_ fixture: TestArchive, where condition: String = "1") throws -> [AuditEntry] {
        let db = fixture.root.appendingPathComponent("index.sqlite").path
        let json = try Shell.run("/usr/bin/sqlite3", ["-json", db, "SELECT * FROM audit_log WHERE \(condition) ORDER BY seq"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        return try rows.map { row in
            AuditEntry(
                sequence: Int64(row["seq"] as! Int), time: Date(timeIntervalSince1970: Double(row["time_ms"] as! Int) / 1000),
                actor: row["actor"] as! String, role: row["role"] as! String, action: row["action"] as! String,
                items: try JSONDecoder().decode([String].self, from: Data((row["items"] as! String).utf8)),
                purpose: row["purpose"] as? String, details: row["details"] as! String,
                outcome: AuditEntry.Outcome(rawValue: row["outcome"] as! String)!, reason: row["reason"] as? String,
                durationMs: row["duration_ms"] as? Int, origin: row["origin"] as! String,
                previousHash: row["prev_hash"] as! String, hash: row["hash"] as! String)
        }
    }

    /// Rewrites the whole log as an attacker without the chain key would: triggers dropped,
    /// entry `target` changed, every hash and the head recomputed with plain SHA-256, the
    /// index's switch point to keyed hashes moved past the end (so a verifier trusting the index
    /// would check plain hashes).
    func rewriteWithPlainHashes(_ fixture: TestArchive, changing target: Int64) throws {
        var previous = AuditChain.genesis
        var sql = "DROP TRIGGER audit_log_append_only_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = \(target);"
        let entries = try storedEntries(fixture)
        for var entry in entries {
            if entry.sequence == target { entry.actor = "mallory" }
            entry.previousHash = previous
            entry.hash = AuditChain.hash(of: entry)
            sql += "UPDATE audit_log SET prev_hash = '\(previous)', hash = '\(entry.hash)' WHERE seq = \(entry.sequence);"
            previous = entry.hash
        }
        sql += "UPDATE audit_head SET count = \(entries.count), last_hash = '\(previous)', keyed_from = \(entries.count + 1);"
        try fixture.sql(sql)
    }

    @Test func aNewArchiveIsKeyedFromItsFirstEntryWithKeysBesideIt() throws {
        let fixture = try loadedArchive()
        #expect(try fixture.sql("SELECT keyed_from FROM audit_head") == "1")
        #expect(try fixture.sql("SELECT count(*) FROM archive_secrets") == "0", "the number secret lives in the key store")
        for name in ["chain.key", "number.key"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: fixture.keyDirectory.appendingPathComponent(name).path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        }
        let folder = try FileManager.default.attributesOfItem(atPath: fixture.keyDirectory.path)
        #expect((folder[.posixPermissions] as? NSNumber)?.intValue == 0o700)
        let lines = try fixture.anchorLines()
        #expect(lines.count == 1 && lines[0].hasPrefix("callvault-anchor v1 "), "keying starts with an anchor of the empty log")
        // A plain SHA-256 chain, as the log was before, no longer verifies.
        let first = try fixture.sql("SELECT hash FROM audit_log WHERE seq = 1")
        #expect(first.count == 64)
        #expect(try fixture.archive.verifyAudit(actor: fixture.actor).ok)
    }

    @Test func anEditOfOneEntryWithItsPlainHashRecomputedIsDetected() throws {
        let fixture = try loadedArchive()
        try fixture.archive.anchorAuditHead()
        // The edited entry hashes right in plain SHA-256; without the key it cannot carry its HMAC.
        var entry = try #require(try storedEntries(fixture, where: "seq = 5").first)
        entry.actor = "mallory"
        try fixture.sql("DROP TRIGGER audit_log_append_only_update; UPDATE audit_log SET actor = 'mallory', hash = '\(AuditChain.hash(of: entry))' WHERE seq = 5")
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == 5)
    }

    @Test func aCutOfTheNewestEntriesWithTheHeadRewoundIsDetectedByTheAnchors() throws {
        let fixture = try loadedArchive()
        _ = try fixture.archive.search(SearchQuery(limit: 1), actor: fixture.actor)
        let anchor = try #require(try fixture.archive.anchorAuditHead())
        let keep = anchor.sequence - 3
        // Consistent in itself: the head names the last remaining entry.
        try fixture.sql("""
            DROP TRIGGER audit_log_append_only_delete;
            DELETE FROM audit_log WHERE seq > \(keep);
            UPDATE audit_head SET count = \(keep), last_hash = (SELECT hash FROM audit_log WHERE seq = \(keep));
            """)
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == keep + 1)
        #expect(result.problem?.contains("cut") == true)
    }

    @Test func aFullConsistentRewriteWithPlainHashesIsDetected() throws {
        let fixture = try loadedArchive()
        try fixture.archive.anchorAuditHead()
        try rewriteWithPlainHashes(fixture, changing: 4)
        // The same archive reopened, as `audit verify` would.
        let reopened = try Archive(root: fixture.root)
        let result = try reopened.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.firstBad == 1, "keyed from entry 1, as the anchors say, whatever the index now says")
    }

    @Test func aRewriteWithTheAnchorFileRemovedIsStillDetected() throws {
        let fixture = try loadedArchive()
        try rewriteWithPlainHashes(fixture, changing: 2)
        try FileManager.default.removeItem(at: fixture.anchorFile)
        let result = try Archive(root: fixture.root).verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.problem?.contains("no anchor") == true)
    }

    @Test func anEditedAnchorLineIsDetected() throws {
        let fixture = try loadedArchive()
        try fixture.archive.anchorAuditHead()
        var lines = try fixture.anchorLines()
        let fields = lines[1].split(separator: " ")
        lines[1] = lines[1].replacingOccurrences(of: " \(fields[3]) ", with: " \(Int(fields[3])! + 5) ")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: fixture.anchorFile)
        let result = try fixture.archive.verifyAudit(actor: fixture.actor)
        #expect(!result.ok)
        #expect(result.problem?.contains("line 2") == true)
    }

    @Test(arguments: ["chain.key", "number.key"])
    func aKeyFileOpenToOthersIsRefusedAndNothingChanges(name: String) throws {
        let fixture = try TestArchive()
        let file = fixture.keyDirectory.appendingPathComponent(name)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        let before = try dump(fixture)
        let anchors = try fixture.anchorLines()
        #expect {
            _ = try Archive(root: fixture.root)
        } throws: { error in
            let message = "\(error)"
            return message.contains(file.path) && message.contains("chmod 600 \(file.path)")
        }
        #expect(try dump(fixture) == before)
        #expect(try fixture.anchorLines() == anchors)
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o644, "callvault does not fix it silently")
    }

    @Test(arguments: ["chain.key", "number.key"])
    func aMissingKeyFileOfAKeyedArchiveIsRefusedAndNothingChanges(name: String) throws {
        let fixture = try loadedArchive()
        let file = fixture.keyDirectory.appendingPathComponent(name)
        try FileManager.default.removeItem(at: file)
        let before = try dump(fixture)
        #expect {
            _ = try Archive(root: fixture.root)
        } throws: { error in
            let message = "\(error)"
            return message.contains(file.path) && message.contains("missing") && message.contains("backup")
        }
        #expect(try dump(fixture) == before)
        #expect(!FileManager.default.fileExists(atPath: file.path), "a lost key is not silently made again")
    }

    @Test func keysAndAnchorsInsideTheArchiveAreRefused() throws {
        let fixture = try TestArchive()
        #expect(throws: (any Error).self) {
            _ = try Archive(root: fixture.root, keys: AuditKeyOptions(keyDirectory: fixture.root.appendingPathComponent("keys")))
        }
        #expect(throws: (any Error).self) {
            _ = try Archive(root: fixture.root, keys: AuditKeyOptions(anchorFile: fixture.root.appendingPathComponent("tmp/anchors")))
        }
    }

    @Test func theArchiveAnchorsEveryNEntries() throws {
        let fixture = try TestArchive()
        let archive = try Archive(root: fixture.root, keys: AuditKeyOptions(anchorEvery: 5))
        let start = try archive.auditDigest(actor: fixture.actor).count
        for _ in 0..<12 { _ = try archive.search(SearchQuery(limit: 1), actor: fixture.actor) }
        let lines = try fixture.anchorLines()
        #expect(lines.count == 3, "the first anchor, then after entries 5 and 10: \(lines)")
        #expect(try archive.anchorAuditHead()?.sequence == start + 12)
        #expect(try archive.anchorAuditHead() == nil, "nothing new to anchor")
        #expect(try archive.verifyAudit(actor: fixture.actor).ok)
    }

    @Test func keysComeFromSystemdCredentialsWhenTheyAreThere() throws {
        let fixture = try loadedArchive()
        // As `LoadCredential=chain.key:…` and `LoadCredential=number.key:…` would provide them.
        let credentials = fixture.folder.path("credentials")
        try FileManager.default.moveItem(at: fixture.keyDirectory, to: credentials)
        let archive = try Archive(root: fixture.root, keys: AuditKeyOptions(credentialsDirectory: credentials))
        _ = try archive.search(SearchQuery(number: "040 123 4567"), actor: fixture.actor)
        #expect(try archive.verifyAudit(actor: fixture.actor).ok)
        #expect(!FileManager.default.fileExists(atPath: fixture.keyDirectory.path), "no new keys made beside the archive")
    }
}
