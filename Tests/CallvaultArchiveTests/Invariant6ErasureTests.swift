import Foundation
import Testing
import CallvaultArchive
import CallvaultIndex
import CallvaultModel
import CallvaultTesting

/// Invariant 6 (R21, R23): erasure runs as a plan with one decision per item, keeps what a
/// hold, the law or another customer needs (and says why and until when), and leaves no
/// residue of the customer in any file of the archive.
@Suite struct Invariant6ErasureTests {
    typealias F = PolicyFixture
    static let name = "Zyxwvinen Erkki"
    static let customers = """
        customer_id,name,phones,relationship_ended
        C100,\(name),040 555 1234,2026-01-31
        C200,Toinen Tiina,050 777 8888,

        """

    /// Three calls of C100 (one to C200's number too), one of C200, one SMS of C100.
    static func cdrs() -> String {
        [
            Samples.cdrLine(src: "0405551234", dst: "1001", clid: "\"\(name)\" <0405551234>", start: "2026-03-14 09:30:00",
                            answer: "2026-03-14 09:30:05", end: "2026-03-14 09:32:05", uniqueID: "1773473400.1"),
            Samples.cdrLine(src: "040 555 1234", dst: "1002", clid: "\"\(name)\" <040 555 1234>", start: "2026-03-15 10:00:00",
                            answer: "2026-03-15 10:00:05", end: "2026-03-15 10:02:05", uniqueID: "1773561600.2"),
            Samples.cdrLine(src: "0507778888", dst: "1001", clid: "\"Toinen Tiina\" <0507778888>", start: "2026-03-16 11:00:00",
                            answer: "2026-03-16 11:00:05", end: "2026-03-16 11:02:05", uniqueID: "1773651600.3"),
            Samples.cdrLine(src: "+358405551234", dst: "1003", clid: "\"\(name)\" <+358405551234>", start: "2026-03-17 12:00:00",
                            answer: "2026-03-17 12:00:05", end: "2026-03-17 12:02:05", uniqueID: "1773741600.4"),
        ].joined(separator: "\n") + "\n"
    }

    static let sms = """
        time,direction,from,to,message_id,status,parts
        2026-03-18T10:00:00+02:00,outbound,+358923456789,040-555 1234,m-77,sent,1

        """

    /// Every file under `root` holding `needle`.
    static func filesContaining(_ needle: Data, under root: URL) -> [String] {
        var hits: [String] = []
        let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!
        for case let url as URL in walker {
            guard let data = try? Data(contentsOf: url) else { continue }
            if data.range(of: needle) != nil { hits.append(url.path) }
        }
        return hits
    }

    static func filesContaining(_ text: String, under root: URL) -> [String] {
        filesContaining(Data(text.utf8), under: root) + filesContaining(text.data(using: .utf16LittleEndian)!, under: root)
    }

    /// Drops a file into the spool the way hooks do, and lets the watcher take it.
    static func drop(_ name: String, _ data: Data, into fixture: TestArchive) throws {
        let incoming = fixture.root.appendingPathComponent("spool/incoming")
        try data.write(to: incoming.appendingPathComponent(".\(name).part"))
        try FileManager.default.moveItem(at: incoming.appendingPathComponent(".\(name).part"), to: incoming.appendingPathComponent(name))
        _ = try SpoolWatcher(archive: fixture.archive, actor: Archive.spoolActor).drain()
    }

    static let later = ISO8601DateFormatter().date(from: "2030-01-01T00:00:00Z")!

    /// A reader that keeps an older snapshot open (a long export, another process) stops the
    /// write-ahead log from being truncated, so it may still hold the erased content: the
    /// report says so (`index_purged` false) instead of claiming a clean purge, and the next
    /// `expire` run finishes the purge and corrects the stored report.
    @Test func aLongReaderDelaysThePurgeAndTheReportSaysSoUntilExpiryFinishesIt() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", Self.customers), actor: fixture.actor)
        try fixture.ingest(fixture.input("Master.csv", Self.cdrs()))
        let impatient = try fixture.reopened(purgePatience: 0.3)
        fixture.clock.now = Self.later
        do {
            let reader = try ArchiveIndex(path: fixture.root.appendingPathComponent("index.sqlite"))
            let reading = DispatchSemaphore(value: 0), done = DispatchSemaphore(value: 0), finished = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                _ = try? reader.read { index in
                    _ = try index.pendingErasures()
                    reading.signal()
                    done.wait()
                }
                finished.signal()
            }
            reading.wait()
            let report = try impatient.erase(customer: "C100", reason: "req-2", actor: Actor.test("dpo", .compliance))
            #expect(report.completedAt != nil && report.indexPurged == false)
            // Only the log is read here: opening and closing the index file itself in this process
            // would drop SQLite's POSIX locks on it (the sqlite3 shell below could then wreck the log).
            let log = try Data(contentsOf: fixture.root.appendingPathComponent("index.sqlite-wal"))
            #expect(log.range(of: Data("Zyxwvinen".utf8)) != nil, "the log kept old pages: the flag is not idle talk")
            #expect(try fixture.sql("SELECT json_extract(report, '$.index_purged') FROM erasures") == "0")
            done.signal()
            finished.wait()
        }
        _ = try impatient.expire()
        #expect(try fixture.sql("SELECT json_extract(report, '$.index_purged') FROM erasures") == "1")
        for needle in ["Zyxwvinen", "0405551234", "040 555 1234"] {
            #expect(Self.filesContaining(needle, under: fixture.root).isEmpty, "\(needle) left after the purge")
        }
    }

    @Test func noNumberNameOrRecordingByteOfAnErasedCustomerRemainsInAnyFile() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", Self.customers), actor: fixture.actor)
        try Self.drop("Master.csv", Data(Self.cdrs().utf8), into: fixture)
        try Self.drop("sms.csv", Data(Self.sms.utf8), into: fixture)
        let wav = Samples.wav(seconds: 2, seed: 4242)
        try Self.drop("in-0923456789-0405551234-20260314-093000-1773473400.1.wav", wav, into: fixture)
        let other = Samples.wav(seconds: 1, seed: 77)
        try Self.drop("in-0923456789-0507778888-20260316-110000-1773651600.3.wav", other, into: fixture)
        // Call 1 was transferred: its second leg makes it a conversation of two legs, whose names
        // are in the legs' full-text index too.
        let transfer = Samples.cdrLine(src: "0405551234", dst: "1003", clid: "\"\(Self.name)\" <0405551234>", start: "2026-03-14 09:31:00",
                                       answer: "2026-03-14 09:31:05", end: "2026-03-14 09:32:05", uniqueID: "1773473460.5",
                                       linkedID: "1773473400.1", sequence: 2)
        try Self.drop("Transfer.csv", Data((transfer + "\n").utf8), into: fixture)
        #expect(try fixture.sql("SELECT count(*) FROM leg_names_fts WHERE leg_names_fts MATCH 'zyxwvinen'") == "2")

        // Used as a support lead would: searched by number, by name, shown.
        let before = try fixture.archive.search(SearchQuery(number: "040 555 1234"), actor: fixture.actor)
        #expect(before.total >= 3)
        _ = try fixture.archive.search(SearchQuery(text: "Zyxwvinen"), actor: fixture.actor)
        for item in before.items { _ = try fixture.archive.show(item.id.description, actor: fixture.actor) }
        let recording = try #require(try fixture.archive.search(SearchQuery(customer: "C100", kind: .recording), actor: fixture.actor).items.first)
        let blob = try #require(try fixture.archive.show(recording.id.description, actor: fixture.actor).detail?.blob)
        #expect(try fixture.archive.secureDeleteIsOn)
        // The search below is meaningful: before the erasure every needle is in some file.
        for needle in ["Zyxwvinen", "zyxwvinen", "0405551234", "040 555 1234", "040-555 1234", "432155504853"] {
            #expect(!Self.filesContaining(needle, under: fixture.root).isEmpty, "\(needle) not found before the erasure")
        }
        #expect(!Self.filesContaining(wav.subdata(in: 4000..<4064), under: fixture.root).isEmpty)

        // The relationship ended in January 2026: by 2030 nothing is kept by law.
        fixture.clock.now = Self.later
        let report = try fixture.archive.erase(customer: "C100", reason: "req-1: erasure request by letter",
                                               actor: Actor.test("dpo", .compliance))
        #expect(report.kept.isEmpty)
        #expect(report.deleted == ErasureReport.Counts(calls: 4, sms: 1, recordings: 1))
        #expect(report.customerRemoved && report.completedAt != nil)
        #expect(report.spoolFilesScrubbed >= 3)

        // Nothing readable through callvault…
        #expect(try fixture.archive.search(SearchQuery(number: "040 555 1234"), actor: fixture.actor).total == 0)
        #expect(try fixture.archive.search(SearchQuery(text: "Zyxwvinen"), actor: fixture.actor).total == 0)
        #expect(throws: (any Error).self) { try fixture.archive.show(recording.id.description, actor: fixture.actor) }
        // …and nothing in any file: index, WAL, shm, blobs, spool copies, reason notes.
        let root = fixture.root
        let blobPath = root.appendingPathComponent("blobs/\(blob.sha256.prefix(2))/\(blob.sha256.dropFirst(2).prefix(2))/\(blob.sha256)")
        #expect(!FileManager.default.fileExists(atPath: blobPath.path))
        for needle in [Self.name, "Zyxwvinen", "zyxwvinen", "+358405551234", "358405551234", "0405551234", "040 555 1234",
                       "040-555 1234", "432155504853"] {
            #expect(Self.filesContaining(needle, under: root).isEmpty, "\(needle) found")
        }
        let slice = wav.subdata(in: 4000..<4064)
        #expect(Self.filesContaining(slice, under: root).isEmpty, "recording bytes found")
        // The other customer is untouched, in the index and in the spool's raw copy.
        #expect(try fixture.archive.search(SearchQuery(number: "050 777 8888"), actor: fixture.actor).total == 1)
        #expect(!Self.filesContaining("0507778888", under: root.appendingPathComponent("spool/processed")).isEmpty)
        #expect(!Self.filesContaining(other.subdata(in: 4000..<4064), under: root.appendingPathComponent("spool/processed")).isEmpty)
        // One audit entry with ids, counts and the reason; the chain still verifies.
        let erase = try fixture.sql("SELECT items, reason, outcome FROM audit_log WHERE action = 'erase'")
        #expect(erase.contains("\"customer:C100\"") && erase.contains("\"erasure-1\""))
        #expect(erase.hasSuffix("|req-1: erasure request by letter|allowed"))
        #expect(try fixture.archive.verifyAudit(actor: fixture.actor).ok)
    }

    @Test func thePlanNamesADecisionForEveryItem() throws {
        let fixture = try TestArchive()
        let customers = Self.customers.replacingOccurrences(of: "2026-01-31", with: "")
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", customers), actor: fixture.actor)
        try fixture.ingest(fixture.input("Master.csv", Self.cdrs()))
        // Recordings: one of C100's call 1 (erasable), one held, one shared with C200.
        let own = fixture.input("in-0923456789-0405551234-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 1, seed: 1))
        let held = fixture.input("in-0923456789-0405551234-20260315-100000-1773561600.2.wav", Samples.wav(seconds: 1, seed: 2))
        let shared = fixture.input("in-0507778888-0405551234-20260319-100000-1773907200.9.wav", Samples.wav(seconds: 1, seed: 3))
        try fixture.ingest(own, held, shared)
        let recordings = try fixture.archive.search(SearchQuery(customer: "C100", kind: .recording), actor: fixture.actor).items
        #expect(recordings.count == 3)
        func recording(named part: String) throws -> ArchivedItem {
            try #require(try recordings.first { try fixture.archive.show($0.id.description, actor: fixture.actor).detail?.blob?.fileName.contains(part) == true })
        }
        let heldID = try recording(named: "1773561600.2")
        let sharedID = try recording(named: "1773907200.9")
        let ownID = try recording(named: "1773473400.1")
        #expect(sharedID.customers == ["C100", "C200"])
        let hold = try fixture.archive.placeHold(HoldRequest(caseName: "Case 7", reason: "dispute", items: [heldID.id.description]),
                                                 actor: fixture.actor)
        let calls = try fixture.archive.search(SearchQuery(customer: "C100", kind: .call), actor: fixture.actor).items
        #expect(calls.count == 3)

        let actor = Actor.test("dpo", .compliance)
        let plan = try fixture.archive.erase(customer: "C100", reason: "req-2", dryRun: true, actor: actor)
        #expect(plan.dryRun && plan.erasure == nil)
        #expect(plan.deleted == ErasureReport.Counts(recordings: 1))
        #expect(Set(plan.kept.map(\.id)) == Set(calls.map(\.id.description) + [heldID.id.description, sharedID.id.description]))
        #expect(try fixture.archive.search(SearchQuery(customer: "C100"), actor: fixture.actor).total > 0, "a dry run changes nothing")

        let report = try fixture.archive.erase(customer: "C100", reason: "req-2", actor: actor)
        #expect(report.erasure == "erasure-1")
        #expect(report.deleted == ErasureReport.Counts(recordings: 1))
        // Traffic data: kept while the relationship lasts (until null), by contract.
        for call in calls {
            let kept = try #require(report.kept.first { $0.id == call.id.description })
            #expect(kept.why == .retention && kept.until == nil && kept.retentionClass == "traffic-data" && kept.legalBasis == "contract")
        }
        let keptHeld = try #require(report.kept.first { $0.id == heldID.id.description })
        #expect(keptHeld.why == .hold && keptHeld.holds == [hold.id] && keptHeld.until == nil)
        #expect(report.deferred == 1 && report.completedAt == nil && !report.customerRemoved)
        #expect(report.review == [sharedID.id.description])
        #expect(report.kept.first { $0.id == sharedID.id.description }?.why == .linkedToAnotherCustomer)
        // The shared recording stays for C200 only; C100's own recording is gone.
        let sharedNow = try fixture.archive.show(sharedID.id.description, actor: fixture.actor)
        #expect(sharedNow.customers == ["C200"])
        #expect(throws: (any Error).self) { try fixture.archive.show(ownID.id.description, actor: fixture.actor) }
        #expect(throws: (any Error).self) {
            try fixture.archive.erase(customer: "C100", reason: "again", actor: actor)
        }

        // The hold's release lets the erasure finish by itself.
        _ = try fixture.archive.releaseHold(hold.id, reason: "case closed", actor: fixture.actor)
        _ = try fixture.archive.resumePendingErasures(actor: Actor.test("dpo", .compliance))
        #expect(throws: (any Error).self) { try fixture.archive.show(heldID.id.description, actor: fixture.actor) }
        let final = try fixture.archive.erasureReport("erasure-1", actor: .test("dpo", .compliance))
        #expect(final.completedAt != nil && final.deferred == 0)
        #expect(final.deleted == ErasureReport.Counts(recordings: 2))
        #expect(final.customerBlanked && !final.customerRemoved, "the calls kept by contract still link to the record")
        #expect(final.kept.allSatisfy { $0.why != .hold })
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'erase-resume'") != "0")
        // The blanked record has no name and no numbers: the kept calls no longer find C100 by number.
        #expect(try fixture.sql("SELECT name FROM customers WHERE id = 'C100'") == "(erased)")
        #expect(try fixture.sql("SELECT count(*) FROM customer_numbers WHERE customer_id = 'C100'") == "0")
        let kept = try fixture.archive.search(SearchQuery(customer: "C100"), actor: fixture.actor)
        #expect(kept.total == 3)
    }

    /// A hold scoped to the erased customer's number keeps matching their later calls through a
    /// keyed hash; no hold, request or scope table keeps the number, and the report names the
    /// free-text notes that were kept for a person to review.
    @Test func noNumberOfAnErasedCustomerStaysInAHoldScopeYetTheHoldStillMatches() throws {
        let fixture = try TestArchive()
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", Self.customers), actor: fixture.actor)
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "H-9", reason: "fraud case", numbers: ["040 555 1234"]), actor: fixture.actor)
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "H-10", reason: "complaint of the customer", customers: ["C100"]), actor: fixture.actor)
        _ = try fixture.archive.releaseHold("hold-2", reason: "withdrawn", actor: fixture.actor)
        _ = try fixture.archive.openRequest(customer: "C100", type: .erasure, note: "by letter", actor: fixture.actor)
        #expect(try fixture.sql("SELECT count(*) FROM hold_scopes WHERE value = '+358405551234'") == "1")

        let report = try fixture.archive.erase(customer: "C100", reason: "req-1", actor: Actor.test("dpo", .compliance))
        #expect(report.completedAt != nil)
        #expect(report.holdScopesHashed == 1)
        #expect(report.keptNotes == ["hold-2", "req-1"])
        #expect(try fixture.sql("SELECT count(*) FROM hold_scopes WHERE value LIKE '%405551234%'") == "0")
        #expect(try fixture.sql("SELECT value FROM hold_scopes WHERE hold_id = 1").hasPrefix("hmac:"))
        for needle in ["405551234", "40 555 1234"] {
            #expect(Self.filesContaining(needle, under: fixture.root).isEmpty, "\(needle) left in \(Self.filesContaining(needle, under: fixture.root))")
        }
        // The person calls again: the hold on the number covers the new call.
        try fixture.ingest(fixture.input("Master.csv", Self.cdrs()))
        let theirs = try F.ids(fixture, "SELECT id FROM items WHERE from_e164 = '+358405551234'")
        #expect(theirs.count == 3)
        #expect(Set(try fixture.archive.hold("hold-1", actor: fixture.actor).items.map { String($0.number) }) == theirs)
        let expiry = try fixture.expire(at: F.farFuture)
        #expect(expiry.held == 3)
        #expect(theirs.isSubset(of: try F.ids(fixture, "SELECT id FROM items")), "held by the hashed scope")
    }

    /// A customers file is the company's own list and may lag behind an erasure: it never
    /// re-creates an erased customer, and while an erasure waits for a hold it leaves the
    /// customer's record (name, numbers) as the request found it, so a number moved meanwhile
    /// neither takes their held items out of the erasure nor brings another person's in. Each
    /// such line is reported with file, line and reason; the other lines are imported.
    @Test func aCustomersFileNeitherRecreatesAnErasedCustomerNorChangesOneBeingErased() throws {
        let fixture = try TestArchive()
        let actor = Actor.test("dpo", .compliance)
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", Self.customers), actor: fixture.actor)
        try fixture.ingest(fixture.input("Master.csv", Self.cdrs()))
        try fixture.ingest(fixture.input("in-0923456789-0405551234-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 1, seed: 1)))
        let recording = try #require(try fixture.archive.search(SearchQuery(customer: "C100", kind: .recording), actor: fixture.actor).items.first)
        let hold = try fixture.archive.placeHold(HoldRequest(caseName: "Case 9", reason: "dispute", items: [recording.id.description]), actor: actor)
        let waiting = try fixture.archive.erase(customer: "C100", reason: "req-5", actor: actor)
        #expect(waiting.completedAt == nil)

        // The company's file still lists C100, now with another number, and gives C200 C100's number too.
        let moved = fixture.input("customers-2.csv", """
            customer_id,name,phones,relationship_ended
            C200,Toinen Tiina,050 777 8888;040 555 1234,
            C100,\(Self.name),045 111 2222,2026-01-31

            """)
        let summary = try fixture.archive.importCustomers(from: moved, actor: fixture.actor)
        #expect(summary.customers == 1)
        let line = try #require(summary.rejected.first)
        #expect(summary.rejected.count == 1 && line.file == moved.path && line.line == 3)
        #expect(line.reason.contains("C100 is being erased (erasure-1"))
        #expect(try fixture.sql("SELECT group_concat(e164) FROM customer_numbers WHERE customer_id = 'C100'") == "+358405551234")
        #expect(try fixture.archive.show(recording.id.description, actor: fixture.actor).customers == ["C100", "C200"])

        // The release finishes the erasure: C100's link goes, the item stays for C200.
        _ = try fixture.archive.releaseHold(hold.id, reason: "case closed", actor: actor)
        let final = try fixture.archive.erasureReport("erasure-1", actor: actor)
        #expect(final.completedAt != nil && final.review.contains(recording.id.description))
        #expect(try fixture.archive.show(recording.id.description, actor: fixture.actor).customers == ["C200"])

        // An erased customer is not re-created by the next file that still lists them.
        let again = try fixture.archive.importCustomers(from: fixture.input("customers-3.csv", Self.customers), actor: fixture.actor)
        #expect(again.customers == 1 && again.rejected.map(\.line) == [2])
        #expect(again.rejected.first?.reason.contains("C100 was erased (erasure-1) and is not re-created") == true)
        #expect(try fixture.sql("SELECT coalesce(group_concat(name), '-') FROM customers WHERE id = 'C100'") != Self.name)
        #expect(try fixture.sql("SELECT count(*) FROM customer_numbers WHERE customer_id = 'C100'") == "0")
    }

    /// An item's id names one item for the archive's whole life: after the newest items are
    /// erased or expired, later items get new ids, so an audit entry, an erasure report or an
    /// export that names `rec-7` never comes to mean another recording.
    @Test func theIdOfAnErasedOrExpiredItemIsNeverGivenToALaterItem() throws {
        let fixture = try TestArchive()
        let actor = Actor.test("dpo", .compliance)
        let customers = Self.customers.replacingOccurrences(of: "2026-01-31", with: "")
        _ = try fixture.archive.importCustomers(from: fixture.input("customers.csv", customers), actor: fixture.actor)
        try fixture.ingest(fixture.input("Master.csv", Self.cdrs()))
        try fixture.ingest(fixture.input("in-0923456789-0405551234-20260314-093000-1773473400.1.wav", Samples.wav(seconds: 1, seed: 1)))
        let newest = try #require(Int64(try fixture.sql("SELECT max(id) FROM items")))
        #expect(try fixture.sql("SELECT kind FROM items WHERE id = \(newest)") == "recording")

        _ = try fixture.archive.erase(customer: "C100", reason: "req-6", actor: actor)
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE id = \(newest)") == "0", "the recording is erased")
        try fixture.ingest(fixture.input("in-0923456789-0507778888-20260316-110000-1773651600.3.wav", Samples.wav(seconds: 1, seed: 2)))
        let afterErasure = try #require(Int64(try fixture.sql("SELECT max(id) FROM items")))
        #expect(afterErasure == newest + 1)

        // Expiry deletes the newest item (a recording, 12 months after its call); the next ingest still counts up.
        _ = try fixture.expire(at: F.farFuture)
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE id = \(afterErasure)") == "0", "the recording has expired")
        try fixture.ingest(fixture.input("Master-2.csv", Samples.cdrLine(src: "0507778888", dst: "1001", start: "2026-04-01 10:00:00",
                                                                          answer: "2026-04-01 10:00:05", end: "2026-04-01 10:01:05",
                                                                          uniqueID: "1775030400.9") + "\n"))
        #expect(try fixture.sql("SELECT max(id) FROM items") == String(afterErasure + 1))
    }
}
