import Foundation
import Testing
import CallvaultArchive
import CallvaultIndex
import CallvaultModel
import CallvaultTesting

/// Legs of one call (Asterisk `linkedid`, FreeSWITCH a-leg/b-leg) are one conversation: a search
/// shows it once, as its primary leg, with every leg and every leg's recording.
@Suite struct ConversationTests {
    /// An inbound call answered by 1001, transferred to 1003, who transfers it out to 050 987 6543:
    /// three CDR records with their own uniqueid and the first channel's linkedid.
    func transfer() throws -> TestArchive {
        let fixture = try TestArchive()
        let linked = "1773473400.1"
        let lines = [
            Samples.cdrLine(uniqueID: linked, linkedID: linked, sequence: 1),
            Samples.cdrLine(src: "1001", dst: "1003", context: "from-internal", clid: "\"Mäkinen Jukka\" <0401234567>",
                            channel: "PJSIP/1001-00000003", dstChannel: "PJSIP/1003-00000004", start: "2026-03-14 09:31:00",
                            answer: "2026-03-14 09:31:04", end: "2026-03-14 09:33:04", duration: 124, billsec: 120,
                            uniqueID: "1773473460.5", linkedID: linked, sequence: 2),
            Samples.cdrLine(src: "1003", dst: "0509876543", context: "from-internal", clid: "\"Mäkinen Jukka\" <0401234567>",
                            channel: "PJSIP/1003-00000005", dstChannel: "PJSIP/trunk-00000006", start: "2026-03-14 09:32:30",
                            answer: "2026-03-14 09:32:40", end: "2026-03-14 09:35:40", duration: 190, billsec: 180,
                            uniqueID: "1773473550.7", linkedID: linked, sequence: 3),
        ]
        try fixture.ingest(fixture.input("Master.csv", lines.joined(separator: "\n") + "\n"))
        return fixture
    }

    func call(_ n: Int64) -> ItemID { ItemID(kind: .call, number: n) }

    @Test func anAsteriskTransferShowsOnceWithItsThreeLegs() throws {
        let fixture = try transfer()
        let result = try fixture.archive.search(SearchQuery(number: "040 123 4567"), actor: fixture.actor)
        #expect(result.total == 1)
        let item = try #require(result.items.first)
        #expect(item.id == call(1), "the leg whose uniqueid is the linkedid")
        #expect(item.legs == [call(1), call(2), call(3)])
        #expect(result.items.count == 1)
    }

    @Test func aSearchForTheTransferTargetFindsTheConversation() throws {
        let fixture = try transfer()
        let result = try fixture.archive.search(SearchQuery(number: "050 987 6543"), actor: fixture.actor)
        #expect(result.total == 1)
        #expect(result.items.map(\.id) == [call(1)])
        #expect(result.items[0].legs.contains(call(3)))
        let agent = try fixture.archive.search(SearchQuery(agent: "1001"), actor: fixture.actor)
        #expect(agent.items.map(\.id) == [call(1)])
    }

    /// A transfer leg whose first channel is not in the archive is a call of its own: it is not
    /// in `conversation_legs` (where each row fires the count and leg-name triggers) until its
    /// first channel arrives, in a later file, and then both are, as one conversation.
    @Test func aLegAloneWaitsForItsOtherLegsAndIsJoinedWhenTheyArrive() throws {
        let fixture = try TestArchive()
        let linked = "1773473400.1"
        let transferLeg = Samples.cdrLine(src: "1001", dst: "1003", context: "from-internal", channel: "PJSIP/1001-00000003",
                                          dstChannel: "PJSIP/1003-00000004", start: "2026-03-14 09:31:00",
                                          answer: "2026-03-14 09:31:04", end: "2026-03-14 09:33:04", duration: 124, billsec: 120,
                                          uniqueID: "1773473460.5", linkedID: linked, sequence: 2)
        try fixture.ingest(fixture.input("a/Master.csv", transferLeg + "\n"))
        #expect(try fixture.sql("SELECT count(*) FROM conversation_legs") == "0", "a leg alone was added")
        let alone = try fixture.archive.search(SearchQuery(agent: "1001"), actor: fixture.actor)
        #expect(alone.total == 1 && alone.items.first?.legs == [call(1)])

        try fixture.ingest(fixture.input("b/Master.csv", Samples.cdrLine(uniqueID: linked, linkedID: linked, sequence: 1) + "\n"))
        #expect(try fixture.sql("SELECT group_concat(id || ':' || number) FROM (SELECT id, number FROM conversation_legs ORDER BY id)") == "1:1,2:1")
        let joined = try fixture.archive.search(SearchQuery(number: "040 123 4567"), actor: fixture.actor)
        #expect(joined.total == 1, "two legs, one conversation")
        #expect(joined.items.first?.id == call(2), "the first channel is the conversation's primary leg")
        #expect(joined.items.first?.legs == [call(2), call(1)], "in the order they started")
        #expect(try fixture.archive.search(SearchQuery(agent: "1001"), actor: fixture.actor).items.map(\.id) == [call(2)])
    }

    @Test func totalAndLimitCountConversationsNotLegs() throws {
        let fixture = try transfer()
        // Four single-leg calls after the transfer, one a minute.
        let singles = (0..<4).map { i in
            Samples.cdrLine(src: "04012300\(10 + i)", start: "2026-03-14 10:0\(i):00", answer: "2026-03-14 10:0\(i):05",
                            end: "2026-03-14 10:0\(i):30", duration: 30, billsec: 25, uniqueID: "1773475\(i)00.\(20 + i)")
        }
        try fixture.ingest(fixture.input("more.csv", singles.joined(separator: "\n") + "\n"))
        let all = try fixture.archive.search(SearchQuery(), actor: fixture.actor)
        #expect(all.total == 5)
        #expect(all.items.map(\.id) == [call(7), call(6), call(5), call(4), call(1)])
        #expect(all.items.map(\.start) == all.items.map(\.start).sorted(by: >))
        for limit in 0...6 {
            let page = try fixture.archive.search(SearchQuery(limit: limit), actor: fixture.actor)
            #expect(page.total == 5)
            #expect(page.items.map(\.id) == Array(all.items.map(\.id).prefix(limit)))
        }
        let byName = try fixture.archive.search(SearchQuery(text: "mäkinen", limit: 1), actor: fixture.actor)
        #expect(byName.total == 5, "three legs named Mäkinen are one conversation, plus four single calls")
        #expect(byName.items.map(\.id) == [call(7)])
        let customerLike = try fixture.archive.search(SearchQuery(number: "234567", limit: 10), actor: fixture.actor)
        #expect(customerLike.total == 1)
    }

    @Test func theRecordingOfATransferLegIsListedOnTheConversation() throws {
        let fixture = try transfer()
        // FreePBX names the recording after the channel that recorded: here the second leg's.
        try fixture.ingest(fixture.input("exten-1003-1001-20260314-093100-1773473460.5.wav", Samples.wav(seconds: 1)))
        let result = try fixture.archive.search(SearchQuery(number: "0401234567"), actor: fixture.actor)
        let item = try #require(result.items.first)
        #expect(result.total == 1, "the linked recording is shown on its call, not on its own")
        #expect(item.id == call(1))
        #expect(item.recording == nil, "`recording` stays the item's own recording")
        #expect(item.recordings == [ItemID(kind: .recording, number: 4)])
        let leg = try fixture.archive.show("call-2", actor: fixture.actor)
        #expect(leg.recording == ItemID(kind: .recording, number: 4))
        #expect(leg.recordings == [ItemID(kind: .recording, number: 4)])
    }

    @Test func showOfAnyLegShowsTheConversationAndAuditsItsLegs() throws {
        let fixture = try transfer()
        let item = try fixture.archive.show("call-3", actor: fixture.actor)
        #expect(item.id == call(3))
        #expect(item.legs == [call(1), call(2), call(3)])
        #expect(try fixture.sql("SELECT items FROM audit_log WHERE action = 'show' ORDER BY seq DESC LIMIT 1")
                == "[\"call-3\",\"call-1\",\"call-2\"]")
        _ = try fixture.archive.search(SearchQuery(number: "050 987 6543"), actor: fixture.actor)
        #expect(try fixture.sql("SELECT items FROM audit_log WHERE action = 'search' ORDER BY seq DESC LIMIT 1")
                == "[\"call-1\",\"call-2\",\"call-3\"]")
    }

    @Test func freeSWITCHJSONALegAndBLegShowOnce() throws {
        let fixture = try TestArchive()
        try fixture.ingest(TestArchive.samples.appendingPathComponent("freeswitch/json_cdr"))
        let result = try fixture.archive.search(SearchQuery(), actor: fixture.actor)
        #expect(result.total == 3, "4 documents, 3 calls")
        let twoLegs = try #require(result.items.first { $0.legs.count == 2 })
        let shown = try fixture.archive.show(twoLegs.id.description, actor: fixture.actor)
        #expect(shown.detail?.uniqueID == "966fa72c-1436-438b-a093-2c1d82f32f57", "the a-leg is the primary leg")
        let bLeg = try #require(twoLegs.legs.first { $0 != twoLegs.id })
        #expect(try fixture.archive.show(bLeg.description, actor: fixture.actor).detail?.linkedID == shown.detail?.uniqueID)
    }

    @Test func freeSWITCHCSVLinesThatNameEachOtherShowOnce() throws {
        let fixture = try TestArchive()
        let a = "33bb93bb-c763-44e3-83af-a66540c132de", b = "92bf6b29-3d9f-475a-9a4f-dea4889e317b"
        let csv = """
            "Öhman Pekka","+358401112223","+358923456789","public","2026-10-23 08:12:03","2026-10-23 08:12:09","2026-10-23 08:15:40","217","211","NORMAL_CLEARING","\(a)","\(b)","","PCMA","PCMA"
            "Öhman Pekka","+358401112223","1004","default","2026-10-23 08:12:04","2026-10-23 08:12:09","2026-10-23 08:15:40","216","211","NORMAL_CLEARING","\(b)","\(a)","","PCMA","PCMA"

            """
        try fixture.ingest(fixture.input("Master.csv", csv))
        let result = try fixture.archive.search(SearchQuery(number: "040 111 2223"), actor: fixture.actor)
        #expect(result.total == 1)
        #expect(result.items.first?.legs.count == 2)
    }

    /// As FreeSWITCH writes them: the b-leg's `bleg_uuid` is empty. Whichever uuid is smaller
    /// and whichever line comes first, a search shows each call once with both legs.
    @Test func freeSWITCHCSVBLegsWithAnEmptyBLegUUIDShowOnce() throws {
        let fixture = try TestArchive()
        let small = "1a000000-0000-4000-8000-0000000000", large = "fa000000-0000-4000-8000-0000000000"
        var lines: [String] = []
        for (n, (a, b)) in [(small, large), (large, small)].enumerated() {
            for aFirst in [true, false] {
                let tag = "\(n)\(aFirst ? 1 : 0)"
                let aLine = freeSWITCH("Öhman Pekka", uuid: a + tag, bLeg: b + tag)
                let bLine = freeSWITCH("Öhman Pekka", uuid: b + tag, bLeg: "")
                lines += aFirst ? [aLine, bLine] : [bLine, aLine]
            }
        }
        let summary = try fixture.ingest(fixture.input("Master.csv", lines.joined(separator: "\n") + "\n"))
        #expect(summary.calls == 8 && summary.rejected.isEmpty, "\(summary.rejected)")
        let result = try fixture.archive.search(SearchQuery(number: "040 111 2223"), actor: fixture.actor)
        #expect(result.total == 4, "4 calls of two legs each")
        #expect(result.items.allSatisfy { $0.legs.count == 2 })
    }

    // MARK: name-search totals from conversation_legs

    /// A conversation count computed from every matched row (what search did before
    /// `conversation_legs`): the exact answer a name search's total must equal.
    func exactNameTotal(_ fixture: TestArchive, _ word: String) throws -> Int {
        Int(try fixture.sql("""
            SELECT count(DISTINCT CASE WHEN kind = 'call' THEN linked_id END)
                 + count(*) FILTER (WHERE (CASE WHEN kind = 'call' THEN linked_id END) IS NULL)
            FROM items WHERE id IN (SELECT CASE WHEN rowid >= 0 THEN rowid & 2147483647 ELSE -rowid END FROM names_fts WHERE names_fts MATCH '"\(word)"*')
            """)) ?? -1
    }

    /// The invariant the name-search total relies on: every leg of every conversation with two
    /// or more legs is in `conversation_legs`, and nothing in it outlives its item.
    func expectLegsIndexed(_ fixture: TestArchive, _ when: String) throws {
        #expect(try fixture.sql("""
            SELECT count(*) FROM items WHERE kind = 'call' AND linked_id IN
                (SELECT linked_id FROM items WHERE kind = 'call' GROUP BY linked_id HAVING count(*) >= 2)
              AND id NOT IN (SELECT id FROM conversation_legs)
            """) == "0", "a leg of a multi-leg conversation is missing from conversation_legs \(when)")
        #expect(try fixture.sql("SELECT count(*) FROM conversation_legs WHERE id NOT IN (SELECT id FROM items)") == "0",
                "a deleted leg stayed in conversation_legs \(when)")
        // Each linked id in `conversation_legs` (these conversations' legs start within a day of
        // each other) has one number, the id of one of its legs.
        #expect(try fixture.sql("SELECT count(*) FROM (SELECT linked_id FROM conversation_legs GROUP BY linked_id HAVING count(DISTINCT number) <> 1)") == "0",
                "legs of one conversation with different numbers \(when)")
        #expect(try fixture.sql("SELECT count(*) FROM (SELECT number FROM conversation_legs GROUP BY number HAVING count(DISTINCT linked_id) <> 1)") == "0",
                "one number for two conversations \(when)")
        // The legs' full-text index holds exactly the named legs in `conversation_legs`, each
        // keyed by its conversation's number.
        #expect(try fixture.sql("SELECT count(*) FROM leg_names_fts_docsize") == fixture.sql("""
            SELECT count(*) FROM conversation_legs l JOIN items i ON i.id = l.id WHERE i.caller_name IS NOT NULL
            """), "leg_names_fts holds other rows than the named legs \(when)")
        #expect(try fixture.sql("""
            SELECT count(*) FROM conversation_legs l JOIN items i ON i.id = l.id
            WHERE i.caller_name IS NOT NULL AND (l.number << 31) | i.id NOT IN (SELECT id FROM leg_names_fts_docsize)
            """) == "0", "a named leg is missing from leg_names_fts under its conversation's key \(when)")
        for word in ["Mäkinen", "Virtanen", "Jukka", "Pekka", "Aino", "Öhman"] {
            let indexed = try fixture.sql("SELECT count(*) FROM leg_names_fts WHERE leg_names_fts MATCH '\"\(word)\"*'")
            let legs = try fixture.sql("SELECT count(*) FROM conversation_legs WHERE id IN (SELECT CASE WHEN rowid >= 0 THEN rowid & 2147483647 ELSE -rowid END FROM names_fts WHERE names_fts MATCH '\"\(word)\"*')")
            #expect(indexed == legs, "'\(word)': \(indexed) in leg_names_fts, \(legs) named legs \(when)")
        }
    }

    func expectNameTotalsExact(_ fixture: TestArchive, _ when: String) throws {
        try expectLegsIndexed(fixture, when)
        for word in ["Mäkinen", "Virtanen", "Jukka", "Pekka", "Aino"] {
            let exact = try exactNameTotal(fixture, word)
            for limit in [0, 2, 50] {
                let result = try fixture.archive.search(SearchQuery(text: word, limit: limit), actor: fixture.actor)
                #expect(result.total == exact, "'\(word)' limit \(limit) \(when)")
            }
            let calls = try fixture.archive.search(SearchQuery(kind: .call, text: word), actor: fixture.actor)
            #expect(calls.total == exact, "'\(word)' among calls \(when)")
        }
    }

    func asterisk(_ name: String, uniqueID: String, linkedID: String? = nil, sequence: Int = 1, minute: Int = 0) -> String {
        let time = String(format: "2026-03-15 10:%02d:00", minute), end = String(format: "2026-03-15 10:%02d:50", minute)
        return Samples.cdrLine(clid: "\"\(name)\" <0401234567>", start: time, answer: time, end: end, duration: 50, billsec: 50,
                               uniqueID: uniqueID, linkedID: linkedID, sequence: sequence)
    }

    func freeSWITCH(_ name: String, uuid: String, bLeg: String) -> String {
        "\"\(name)\",\"+358401112223\",\"1004\",\"default\",\"2026-10-23 08:12:04\",\"2026-10-23 08:12:09\",\"2026-10-23 08:15:40\",\"216\",\"211\",\"NORMAL_CLEARING\",\"\(uuid)\",\"\(bLeg)\",\"\",\"PCMA\",\"PCMA\""
    }

    @Test func nameSearchTotalsEqualTheExactConversationCount() throws {
        let fixture = try TestArchive()
        func ingest(_ name: String, _ lines: [String]) throws {
            let summary = try fixture.ingest(fixture.input(name, lines.joined(separator: "\n") + "\n"))
            #expect(summary.calls == lines.count && summary.rejected.isEmpty, "\(name): \(summary.rejected)")
        }
        let fsA1 = "33bb93bb-c763-44e3-83af-a66540c132de", fsB1 = "92bf6b29-3d9f-475a-9a4f-dea4889e317b"
        let fsA2 = "11aa93bb-c763-44e3-83af-a66540c132de", fsB2 = "c2bf6b29-3d9f-475a-9a4f-dea4889e317b"
        // One file, one transaction: single calls, a whole 3-leg transfer, a queue that rang two
        // agents (two rows with uniqueid = linkedid), the first parts of conversations to come.
        try ingest("first.csv", [
            asterisk("Mäkinen Jukka", uniqueID: "100.1"), asterisk("Mäkinen Aino", uniqueID: "100.2", minute: 1),
            asterisk("Virtanen Jukka", uniqueID: "100.3", minute: 2),
            asterisk("Mäkinen Jukka", uniqueID: "200.1", minute: 3),
            asterisk("Mäkinen Jukka", uniqueID: "200.5", linkedID: "200.1", sequence: 2, minute: 4),
            asterisk("Virtanen Aino", uniqueID: "200.7", linkedID: "200.1", sequence: 3, minute: 5),
            asterisk("Mäkinen Pekka", uniqueID: "300.1", sequence: 1, minute: 6),
            asterisk("Mäkinen Pekka", uniqueID: "300.1", sequence: 2, minute: 6),
            asterisk("Virtanen Pekka", uniqueID: "400.1", minute: 7),          // a transfer's first leg; the rest later
            asterisk("Mäkinen Aino", uniqueID: "500.4", linkedID: "500.1", sequence: 2, minute: 9),  // a transfer leg before its first
            asterisk("Mäkinen Jukka", uniqueID: "600.1", sequence: 1, minute: 10),  // a queue's first row; its second later
        ])
        try expectNameTotalsExact(fixture, "after one file")
        // Later files, later transactions: the legs that complete those conversations.
        try ingest("second.csv", [
            asterisk("Mäkinen Pekka", uniqueID: "400.5", linkedID: "400.1", sequence: 2, minute: 8),
            asterisk("Virtanen Jukka", uniqueID: "400.7", linkedID: "400.1", sequence: 3, minute: 8),
            asterisk("Mäkinen Aino", uniqueID: "500.1", minute: 8),
        ])
        try ingest("third.csv", [asterisk("Mäkinen Jukka", uniqueID: "600.1", sequence: 2, minute: 11)])
        // FreeSWITCH: a- and b-leg in one file; another call's b-leg a file before its a-leg.
        try ingest("fs-1.csv", [freeSWITCH("Mäkinen Pekka", uuid: fsA1, bLeg: fsB1), freeSWITCH("Mäkinen Pekka", uuid: fsB1, bLeg: fsA1)])
        try ingest("fs-2.csv", [freeSWITCH("Virtanen Aino", uuid: fsB2, bLeg: fsA2)])
        try expectNameTotalsExact(fixture, "with a lone b-leg")
        try ingest("fs-3.csv", [freeSWITCH("Mäkinen Aino", uuid: fsA2, bLeg: fsB2)])
        try expectNameTotalsExact(fixture, "after several files")
        #expect(try exactNameTotal(fixture, "Mäkinen") == 9, "2 singles and 7 conversations of two or more legs")
        #expect(try fixture.archive.search(SearchQuery(text: "Mäkinen"), actor: fixture.actor).total == 9)
        #expect(try fixture.sql("SELECT count(*) FROM names_fts WHERE names_fts MATCH '\"Mäkinen\"*'") == "14", "14 legs match")

        // Expiry takes the first leg of the whole transfer and one of the queue's rows.
        func id(_ uniqueID: String, nth: Int = 0) throws -> Int64 {
            Int64(try fixture.sql("SELECT id FROM items WHERE pbx_unique_id = '\(uniqueID)' ORDER BY id LIMIT 1 OFFSET \(nth)"))!
        }
        let expiring = [try id("200.1"), try id("300.1", nth: 1)]
        try fixture.sql("UPDATE items SET retain_until = 1 WHERE id IN (\(expiring.map(String.init).joined(separator: ",")))")
        let report = try fixture.archive.expire()
        #expect(report.deleted.calls == 2)
        #expect(try fixture.sql("SELECT count(*) FROM items WHERE id IN (\(expiring.map(String.init).joined(separator: ",")))") == "0")
        try expectNameTotalsExact(fixture, "after expiry")
        // The deletion primitive takes a transfer leg and a FreeSWITCH b-leg.
        let index = try ArchiveIndex(path: fixture.root.appendingPathComponent("index.sqlite"))
        let doomed = [try id("400.5"), try id(fsB1)]
        let deleted = try index.write { try $0.deleteItems(doomed, now: Date()) }
        #expect(deleted.calls == doomed.sorted())
        try expectNameTotalsExact(fixture, "after deleteItems")
        // A conversation left with one leg gains one again.
        try ingest("fourth.csv", [asterisk("Mäkinen Jukka", uniqueID: "300.1", sequence: 3, minute: 12)])
        try expectNameTotalsExact(fixture, "after a leg joined a conversation that had lost one")
        // Every file again: the deleted legs come back (their source keys are gone), the rest are duplicates.
        let again = try fixture.ingest(fixture.folder.path("input"))
        #expect(again.calls + again.duplicates == 20)
        try expectNameTotalsExact(fixture, "at the end")
    }

    /// A page is read in chunks of item ids (lists of 1, 8, 64 and 500 values): a page of 700
    /// conversations crosses every chunk size and must equal the same conversations read in
    /// pages of 9, with the legs that `show` gives, for a number, a name and a time range.
    @Test func aLargePageEqualsSmallPagesAcrossReadChunks() throws {
        let fixture = try TestArchive()
        var lines: [String] = []
        for i in 0..<700 {
            let minute = String(format: "%02d:%02d", 8 + i / 60, i % 60)
            let unique = "17734\(String(format: "%05d", i)).1"
            lines.append(Samples.cdrLine(start: "2026-03-14 \(minute):00", answer: "2026-03-14 \(minute):05",
                                         end: "2026-03-14 \(minute):30", duration: 30, billsec: 25, uniqueID: unique))
            if i % 3 == 0 {  // every third call is transferred: a second leg in the same conversation
                lines.append(Samples.cdrLine(src: "1001", dst: "1003", context: "from-internal", start: "2026-03-14 \(minute):10",
                                             answer: "2026-03-14 \(minute):12", end: "2026-03-14 \(minute):40", duration: 30, billsec: 28,
                                             uniqueID: "17735\(String(format: "%05d", i)).2", linkedID: unique, sequence: 2))
            }
        }
        try fixture.ingest(fixture.input("Master.csv", lines.joined(separator: "\n") + "\n"))
        let queries = [SearchQuery(number: "040 123 4567", limit: 700), SearchQuery(text: "Mäkinen", limit: 700),
                       SearchQuery(from: Date(timeIntervalSince1970: 1_773_460_000), limit: 700)]
        for query in queries {
            let whole = try fixture.archive.search(query, actor: fixture.actor)
            #expect(whole.total == 700, "\(query)")
            #expect(whole.items.count == 700)
            #expect(whole.items.map(\.start) == whole.items.map(\.start).sorted(by: >), "newest first")
            var paged: [ArchivedItem] = []
            var small = query
            small.limit = 9
            while paged.count < whole.items.count {
                small.offset = paged.count
                let page = try fixture.archive.search(small, actor: fixture.actor)
                #expect(page.total == 700)
                guard !page.items.isEmpty else { break }
                paged += page.items
            }
            #expect(paged.map(\.id) == whole.items.map(\.id), "\(query)")
            #expect(paged.map(\.legs) == whole.items.map(\.legs))
            #expect(whole.items.filter { $0.legs.count == 2 }.count == 234)
            for item in [whole.items[0], whole.items[350], whole.items[699]] {
                #expect(try fixture.archive.show(item.id.description, actor: fixture.actor).legs == item.legs)
            }
        }
    }
}
