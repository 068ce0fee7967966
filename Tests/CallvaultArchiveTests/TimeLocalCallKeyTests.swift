import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// Call look-ups keyed by the start day (`v7-time-local-call-keys`): what they must still find
/// when the id alone says nothing of the time (FreeSWITCH uuids), across midnight, and in
/// archives whose FreeSWITCH calls were stored under the older source keys.
@Suite struct TimeLocalCallKeyTests {
    static let aLeg = "966fa72c-1436-438b-a093-2c1d82f32f57"
    var freeswitch: URL { TestArchive.samples.appendingPathComponent("freeswitch") }
    var recording: URL { freeswitch.appendingPathComponent("recordings/\(Self.aLeg).wav") }

    func callWithRecording(_ fixture: TestArchive) throws -> ArchivedItem? {
        try fixture.archive.search(SearchQuery(), actor: fixture.actor).items.first { !$0.recordings.isEmpty }
    }

    /// The sample calls started on 2026-10-23; the recording is ingested today, named by the
    /// uuid alone: found by probing every day with calls, not only the days around today.
    @Test func aFreeSWITCHRecordingIngestedWeeksAfterItsCallLinksToIt() throws {
        let fixture = try TestArchive()
        try fixture.ingest(freeswitch.appendingPathComponent("json_cdr"))
        let summary = try fixture.ingest(recording)
        #expect(summary.recordings == 1)
        let call = try #require(try callWithRecording(fixture))
        #expect(try fixture.archive.show(call.id.description, actor: fixture.actor).detail?.uniqueID == Self.aLeg)
        let stored = try fixture.archive.show(call.recordings[0].description, actor: fixture.actor)
        #expect(stored.start == call.start, "a FreeSWITCH recording takes its call's start")
    }

    @Test func aFreeSWITCHRecordingIngestedBeforeItsCallLinksWhenTheCallArrives() throws {
        let fixture = try TestArchive()
        try fixture.ingest(recording)
        #expect(try fixture.sql("SELECT count(*) FROM recordings WHERE call_item_id IS NULL") == "1")
        try fixture.ingest(freeswitch.appendingPathComponent("json_cdr"))
        #expect(try fixture.sql("SELECT count(*) FROM recordings WHERE call_item_id IS NULL") == "0")
        #expect(try callWithRecording(fixture) != nil)
    }

    /// An a-leg one second before midnight UTC and its b-leg three seconds after, in two files
    /// (so the file's leg linker cannot help): one conversation, found from either leg, and
    /// counted once by a name search.
    @Test func legsEitherSideOfMidnightAreOneConversation() throws {
        let fixture = try TestArchive()
        // b sorts before a: the a-leg's linked id (the smaller of its uuid and bleg_uuid) is b.
        let a = "f1000000-0000-4000-8000-000000000001", b = "01000000-0000-4000-8000-000000000002"
        // Helsinki is UTC+3 in October 2026 until the 25th: 02:59:59 local is 23:59:59 UTC.
        func line(_ uuid: String, _ bLeg: String, start: String) -> String {
            "\"Öhman Pekka\",\"+358401112223\",\"+358923456789\",\"public\",\"\(start)\",\"\(start)\",\"2026-10-24 03:05:00\",\"300\",\"300\",\"NORMAL_CLEARING\",\"\(uuid)\",\"\(bLeg)\",\"\",\"PCMA\",\"PCMA\"\n"
        }
        try fixture.ingest(fixture.input("a/Master.csv", line(a, b, start: "2026-10-24 02:59:59")))
        try fixture.ingest(fixture.input("b/Master.csv", line(b, "", start: "2026-10-24 03:00:03")))
        #expect(try fixture.sql("SELECT group_concat(day, ' ') FROM (SELECT substr(source_key, 16, 10) AS day FROM items ORDER BY id)") == "2026-10-23 2026-10-24")
        let result = try fixture.archive.search(SearchQuery(number: "040 111 2223"), actor: fixture.actor)
        #expect(result.total == 1)
        #expect(result.items.first?.legs.count == 2)
        #expect(try fixture.archive.show("call-1", actor: fixture.actor).legs.count == 2)
        #expect(try fixture.archive.search(SearchQuery(text: "Öhman"), actor: fixture.actor).total == 1)
        #expect(try fixture.sql("SELECT count(*) FROM conversation_legs") == "2")
    }

    /// An archive written before v7 keyed FreeSWITCH calls by `format:uuid`: opening it rewrites
    /// those keys, so ingesting the same files again stores nothing twice.
    @Test func anArchiveWithOlderFreeSWITCHKeysIsUpgradedAndIngestsNothingTwice() throws {
        let fixture = try TestArchive()
        let first = try fixture.ingest(freeswitch)
        #expect(first.calls > 0 && first.recordings == 1)
        let keys = try fixture.sql("SELECT source_key FROM items WHERE kind = 'call' ORDER BY id")
        // Back to the v6 schema and keys, as an older callvault left the archive.
        try fixture.sql("""
            UPDATE items SET source_key = format || ':' || pbx_unique_id
                WHERE kind = 'call' AND format LIKE 'freeswitch-%' AND source_key GLOB format || ':2026-*';
            DROP INDEX items_sms_message_id; DROP INDEX items_call_unique_id; DROP INDEX items_conversation_day;
            CREATE INDEX items_unique_id ON items(pbx_unique_id);
            CREATE INDEX items_conversation ON items(linked_id, start_utc) WHERE kind = 'call' AND linked_id IS NOT NULL;
            DELETE FROM grdb_migrations WHERE identifier = 'v7-time-local-call-keys';
            PRAGMA wal_checkpoint(TRUNCATE);
            """)
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE source_key GLOB 'freeswitch-*:2026-*'") == "0")
        let copy = TemporaryFolder()
        let root = copy.path("archive")
        try fixture.copy(to: root)
        let upgraded = try Archive(root: root)
        #expect(try upgraded.schemaMigrations().contains("v7-time-local-call-keys"))
        #expect(try Shell.run("/usr/bin/sqlite3", [root.appendingPathComponent("index.sqlite").path,
                                                   "SELECT source_key FROM items WHERE kind = 'call' ORDER BY id"]) == keys)
        let again = try upgraded.ingest([freeswitch], actor: fixture.admin)
        #expect(again.calls == 0 && again.recordings == 0)
        #expect(again.duplicates == first.calls + first.recordings)
    }
}
