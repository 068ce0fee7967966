import Foundation
import Synchronization
import Testing
@testable import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// DESIGN.md invariant 5 and R16–R18: after an expiry run every item past its date and not
/// kept is gone — from the items table, the full-text index, the customer links, the
/// recordings table and the blob store; kept items are reported with their keeper; a dry
/// run changes nothing and reports what is overdue.
@Suite struct Invariant5ExpiryCompleteTests {
    typealias F = PolicyFixture

    @Test func anExpiredItemIsGoneFromEveryTableTheFullTextIndexAndTheBlobStore() throws {
        let fixture = try F.endedSamples()
        #expect(try fixture.sql("SELECT count(*) FROM names_fts WHERE names_fts MATCH 'Mäkinen'") != "0")
        #expect(!F.blobFiles(fixture).isEmpty)
        let counts = try fixture.sql("SELECT (SELECT count(*) FROM items WHERE kind = 'call') || ',' || (SELECT count(*) FROM items WHERE kind = 'recording')")
        let report = try fixture.expire(at: F.farFuture)
        #expect("\(report.deleted.calls),\(report.deleted.recordings)" == counts)
        for table in ["items", "item_customers", "recordings", "link_overrides", "blob_deletions"] {
            #expect(try fixture.sql("SELECT count(*) FROM \(table)") == "0", "\(table) still holds rows")
        }
        #expect(try fixture.sql("SELECT count(*) FROM names_fts WHERE names_fts MATCH 'Mäkinen'") == "0", "the caller's name is still in the full-text index")
        #expect(try fixture.sql("SELECT count(*) FROM names_fts WHERE names_fts MATCH 'Salo'") == "0")
        // Not only hidden by delete markers: the segments holding the names are merged away
        // (id 1 holds the averages, id 10 the structure record).
        #expect(try fixture.sql("SELECT count(*) FROM names_fts_data WHERE id NOT IN (1, 10)") == "0",
                "the deleted names are still in the full-text index's segments")
        #expect(F.blobFiles(fixture).isEmpty, "recording files left behind: \(F.blobFiles(fixture))")
        #expect(report.blobsRemoved > 0)
        #expect(try fixture.archive.search(SearchQuery(text: "Mäkinen"), actor: fixture.actor).total == 0)
        #expect(try fixture.archive.verifyAudit(actor: fixture.actor).ok)
    }

    @Test func itemsKeptWhileARelationshipLastsAndItemsNotYetDueStay() throws {
        let fixture = try TestArchive.withSamples()
        let live = try F.ids(fixture, "SELECT id FROM items WHERE retain_until >= 253402300799")
        #expect(!live.isEmpty)
        _ = try fixture.expire(at: F.date("9999-12-31"))
        #expect(try F.ids(fixture, "SELECT id FROM items") == live, "only items kept while a relationship lasts may remain")

        let fresh = try F.endedSamples()
        let notYet = try F.ids(fresh, "SELECT id FROM items WHERE kind <> 'recording'")
        let early = try fresh.expire(at: F.date("2028-01-01"))
        #expect(early.deleted.calls == 0 && early.deleted.recordings > 0)
        #expect(try F.ids(fresh, "SELECT id FROM items") == notYet)
    }

    @Test func aBlobSharedWithALiveRecordingStaysAndGoesWithTheLast() throws {
        let fixture = try TestArchive()
        let audio = Samples.wav(seconds: 2, seed: 7)
        try fixture.ingest(fixture.input("in-0501112233-1001-20261101-100000-1793000000.1.wav", audio),
                           fixture.input("in-0501112233-1001-20261101-110000-1793003600.2.wav", audio))
        #expect(try fixture.sql("SELECT count(DISTINCT sha256) || ',' || count(*) FROM recordings") == "1,2")
        let ids = try fixture.sql("SELECT group_concat(item_id) FROM recordings").split(separator: ",").map { "rec-\($0)" }
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", items: [ids[1]]), actor: fixture.actor)
        let first = try fixture.expire(at: F.farFuture)
        #expect(first.deleted.recordings == 1 && first.held == 1 && first.blobsRemoved == 0)
        #expect(F.blobFiles(fixture).count == 1, "the blob the held recording uses must stay")
        let out = fixture.folder.path("out.wav")
        _ = try fixture.archive.extractRecording(ids[1], to: out, purpose: "legal-claim", actor: fixture.actor)
        #expect(try Data(contentsOf: out) == audio)
        _ = try fixture.archive.releaseHold("hold-1", reason: "done", actor: fixture.actor)
        let second = try fixture.expire(at: F.farFuture)
        #expect(second.deleted.recordings == 1 && second.blobsRemoved == 1)
        #expect(F.blobFiles(fixture).isEmpty)
    }

    @Test func restrictedAndFrozenItemsAreKeptAndReportedWithTheirKeeper() throws {
        let fixture = try F.endedSamples()
        try fixture.sql("INSERT INTO restrictions (customer_id, reason, placed_by, placed_at) VALUES ('C001', 'disputed accuracy', 'anna', 0)")
        try fixture.sql("INSERT INTO requests (customer_id, type, received_at, due_at, opened_by) VALUES ('C002', 'access', 0, 0, 'anna')")
        let restricted = try F.ids(fixture, "SELECT item_id FROM item_customers WHERE customer_id = 'C001'")
        let frozen = try F.ids(fixture, "SELECT item_id FROM item_customers WHERE customer_id = 'C002'").subtracting(restricted)
        let report = try fixture.expire(at: F.farFuture)
        #expect(report.restricted == restricted.count && report.frozen == frozen.count && report.held == 0)
        #expect(try F.ids(fixture, "SELECT id FROM items") == restricted.union(frozen))
        for kept in report.kept {
            if restricted.contains(String(kept.id.number)) {
                #expect(kept.why == .restriction && kept.by == "customer:C001")
            } else {
                #expect(kept.why == .request && kept.by == "req-1")
            }
        }
        #expect(report.kept.count == restricted.count + frozen.count)
        // Lifted and answered: the next run deletes them (R18).
        try fixture.sql("UPDATE restrictions SET lifted_at = 1, lifted_by = 'anna'; UPDATE requests SET closed_at = 1")
        let after = try fixture.expire(at: F.farFuture)
        #expect(after.deleted.total == restricted.count + frozen.count)
        #expect(try fixture.sql("SELECT count(*) FROM items") == "0")
    }

    @Test func aDryRunChangesNothingAndReportsWhatWouldGoAndWhatIsOverdue() throws {
        let fixture = try F.endedSamples()
        _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", customers: ["C001"]), actor: fixture.actor)
        let snapshot = { try fixture.sql("SELECT count(*), sum(id), (SELECT count(*) FROM recordings), (SELECT count(*) FROM audit_log WHERE action <> 'expire-dry-run') FROM items") }
        let before = try snapshot()
        let blobs = F.blobFiles(fixture)
        let report = try fixture.archive.expire(now: F.farFuture, dryRun: true)
        #expect(try snapshot() == before)
        #expect(F.blobFiles(fixture) == blobs)
        #expect(report.deleted.total == 0)
        let due = try F.ids(fixture, "SELECT id FROM items WHERE id NOT IN (SELECT item_id FROM item_customers WHERE customer_id = 'C001')")
        #expect(report.due.total == due.count && Set(report.dueIDs.map { String($0.number) }) == due)
        #expect(report.held > 0 && report.kept.allSatisfy { $0.by == "hold-1" })
        #expect(report.overdueCount == due.count, "everything is years past its date")
        #expect(report.auditPruned > 0, "as of 2031 this year's log entries are past their two years")
        #expect(try fixture.sql("SELECT min(seq) FROM audit_log") == "1", "but a dry run prunes nothing")
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'expire-dry-run' AND outcome = 'failed'") == "1")

        // Due, but within the 48 h grace: reported as due, not as overdue (R17).
        let recordingDue = try #require(Double(try fixture.sql("SELECT min(retain_until) FROM items WHERE kind = 'recording'")))
        let soon = try fixture.archive.expire(now: Date(timeIntervalSince1970: recordingDue + 3600), dryRun: true)
        #expect(soon.due.total >= 1 && soon.overdueCount == 0)
        let late = try fixture.archive.expire(now: Date(timeIntervalSince1970: recordingDue + 3 * 86_400), dryRun: true)
        #expect(late.overdueCount >= 1)
        // A real run leaves nothing overdue.
        _ = try fixture.expire(at: F.farFuture)
        #expect(try fixture.archive.expire(now: F.farFuture, dryRun: true).overdueCount == 0)
    }

    @Test func eachBatchIsAuditedWithTheIdsItDeletedAsRanges() throws {
        let fixture = try F.endedSamples()
        let calls = try fixture.sql("SELECT count(*) FROM items WHERE kind = 'call'")
        var pacing = ExpiryPacing()
        pacing.initialBatch = 10
        pacing.minimumBatch = 10
        pacing.maximumBatch = 10
        pacing.pause = 0
        let report = try fixture.expire(at: F.farFuture, pacing: pacing)
        #expect(report.batches > 3)
        let entries = try fixture.sql("SELECT items FROM audit_log WHERE action = 'expire' AND actor = 'svc:expiry'").split(separator: "\n")
        #expect(entries.count == report.batches)
        var logged: [String] = []
        for entry in entries {
            for id in try JSONDecoder().decode([String].self, from: Data(entry.utf8)) {
                let ends = id.components(separatedBy: "..")
                let first = try #require(ItemID(ends[0])), last = try #require(ItemID(ends.last!))
                logged += (first.number...last.number).map { ItemID(kind: first.kind, number: $0).description }
            }
        }
        #expect(logged.filter { $0.hasPrefix("call-") }.count == Int(calls))
        #expect(Set(logged).count == logged.count)
        let summary = try fixture.sql("SELECT actor, details FROM audit_log WHERE action = 'expire-run'")
        #expect(summary.hasPrefix("svc:expiry|") && summary.contains("\"calls\":\"\(calls)\""))
    }

    @Test func startingTheWriteAheadLogOverBetweenBatchesKeepsEveryPromiseWhileSearchesRun() throws {
        let fixture = try F.endedSamples()
        var pacing = ExpiryPacing()
        pacing.initialBatch = 5
        pacing.minimumBatch = 5
        pacing.maximumBatch = 5
        pacing.pause = 0
        pacing.walRestartBytes = 0  // start the log over after every batch
        // Searches keep reading (and appending audit entries) the whole time.
        let done = Mutex(false), failures = Mutex<[String]>([]), searches = Mutex(0)
        let reader = Thread {
            while !done.withLock({ $0 }) {
                do {
                    _ = try fixture.archive.search(SearchQuery(number: "040 123 4567"), actor: fixture.actor)
                    searches.withLock { $0 += 1 }
                } catch { failures.withLock { $0.append("\(error)") } }
            }
        }
        reader.start()
        let report = try fixture.expire(at: F.farFuture, pacing: pacing)
        done.withLock { $0 = true }
        while searches.withLock({ $0 }) == 0 && failures.withLock({ $0.isEmpty }) { usleep(1000) }
        #expect(failures.withLock { $0 }.isEmpty)
        #expect(report.batches > 3 && report.overdueCount == 0)
        #expect(report.upkeep.walRestarts >= report.batches - 1, "after (nearly) every batch")
        #expect(try fixture.archive.expire(now: F.farFuture, dryRun: true).due.total == 0, "every item due went")
        #expect(try fixture.archive.verifyAudit(actor: fixture.actor).ok)
        let wal = (try? FileManager.default.attributesOfItem(atPath: fixture.root.appendingPathComponent("index.sqlite-wal").path))?[.size] as? Int ?? 0
        #expect(wal <= 64 << 20, "the log is cut back to journal_size_limit when it starts over")
    }
}
