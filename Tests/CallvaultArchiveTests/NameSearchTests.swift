import Foundation
import Testing
@testable import CallvaultArchive
@testable import CallvaultIndex
import CallvaultModel
import CallvaultTesting

/// A name search matches every word typed, as a whole word of the caller's name or its start,
/// exactly as the FTS5 tokenizer reads a prefix term (a change to how the archive builds its
/// full-text query, such as expanding words into the index's exact words, must keep this).
@Suite struct NameSearchTests {
    /// Calls whose caller names are chosen for the edges: few and many continuations of a word,
    /// letters from ASCII to Latin Extended-A and beyond, and words no name holds.
    func archiveOfNames() throws -> (TestArchive, [String]) {
        let fixture = try TestArchive()
        var names = (1...40).map { "Virta\(String(format: "%02d", $0)) Anna" }  // 40 words start with "virta"
        names += ["Virtanen Päivi", "VIRTANEN Pekka", "Łukasz Żółw", "Øystein Ås", "Σοφία Παπαδοπούλου",
                  "Ǆemal Ǉubić", "O'Brien Seán", "Mäkinen Jukka", "Mäki Ari", "Mäkelä Ulla", "Ñandú Zoë"]
        let lines = names.enumerated().map { i, name in
            Samples.cdrLine(src: "04012345\(String(format: "%02d", i))", clid: "\"\(name)\" <04012345\(String(format: "%02d", i))>",
                                   uniqueID: "1773473400.\(i + 1)")
        }
        let summary = try fixture.ingest(fixture.input("Master.csv", lines.joined(separator: "\n") + "\n"))
        #expect(summary.calls == names.count && summary.rejected.isEmpty)
        return (fixture, names)
    }

    /// What FTS5 itself finds for `words` as prefix terms (the tokenizer folds their case).
    func prefixCount(_ fixture: TestArchive, _ words: [String]) throws -> Int {
        let match = words.map { "\"\($0)\"*" }.joined(separator: " ").replacingOccurrences(of: "'", with: "''")
        return try Int(fixture.sql("SELECT count(*) FROM names_fts WHERE names_fts MATCH '\(match)'"))!
    }

    @Test func everyWordMatchesWhatTheTokenizerReadsAsItsPrefix() throws {
        let (fixture, _) = try archiveOfNames()
        let queries = ["virta", "Virta0", "virta07", "VIRTANEN", "virtanen päivi", "Päivi virtanen", "mäki", "Mäki",
                       "mäkinen", "mäk", "MÄKELÄ", "łukasz", "ŁUKASZ", "żółw", "Żół", "øystein", "ås", "ÅS", "σοφία",
                       "ΣΟΦΊΑ", "ǆemal", "Ǆ", "o'brien", "brien seán", "ñandú", "ZOË", "anna virta1", "zzz", "virta zzz",
                       "mäkinen jukka ari"]
        for text in queries {
            let words = text.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
            let found = try fixture.archive.search(SearchQuery(text: text, limit: 100), actor: fixture.actor)
            #expect(found.total == (try prefixCount(fixture, words)), "\(text)")
            #expect(found.items.count == found.total, "\(text)")
        }
        // The totals themselves, so a tokenizer change cannot make both sides wrong together.
        func total(_ text: String) throws -> Int { try fixture.archive.search(SearchQuery(text: text, limit: 0), actor: fixture.actor).total }
        #expect(try total("virta") == 42, "40 Virta01…Virta40 and two Virtanen")
        #expect(try total("virtanen") == 2, "any case")
        #expect(try total("mäki") == 2, "Mäkinen and Mäki, not Mäkelä")
        #expect(try total("mäkinen jukka") == 1)
        #expect(try total("mäkinen ari") == 0, "every word must match the same name")
        #expect(try total("ŁUKASZ") == 1)
        #expect(try total("ΣΟΦΊΑ") == 1, "Greek: left to the tokenizer")
        #expect(try total("zzz") == 0)
    }

    @Test func aWordIsAnExactWordOrAPrefixNeverAMiddle() throws {
        let (fixture, _) = try archiveOfNames()
        #expect(try fixture.archive.search(SearchQuery(text: "inen"), actor: fixture.actor).total == 0)
        #expect(try fixture.archive.search(SearchQuery(text: "irta"), actor: fixture.actor).total == 0)
        #expect(try fixture.archive.search(SearchQuery(text: "\"virta*"), actor: fixture.actor).total == 42, "FTS5 syntax in the text is not interpreted")
        #expect(try fixture.archive.search(SearchQuery(text: "-- ; '"), actor: fixture.actor).total > 40, "no word: no name filter")
    }

    // MARK: the time-keyed index (v10)

    /// Named calls whose ids are not in time order (the newer file is ingested first), with
    /// calls in the same second, transfers (two legs, both named) and names sharing prefixes.
    func archiveOutOfOrder() throws -> TestArchive {
        let fixture = try TestArchive()
        let names = ["Sanna Virtanen", "Sanna Mäkinen", "Sannamari Korhonen", "Virtanen Päivi", "Mäkelä Sanna"]
        func calls(day: Int, epoch: Int) -> String {
            (0..<30).map { i -> String in
                let name = names[(i + day) % names.count]
                let start = String(format: "2026-03-%02d %02d:%02d:00", day, 8 + i / 6, i % 3)  // three share each minute
                let unique = "\(epoch + i * 10).\(i)"
                var lines = [Samples.cdrLine(src: String(format: "0401%06d", day * 100 + i), clid: "\"\(name)\" <0401>",
                                             start: start, answer: start, end: start, uniqueID: unique)]
                if i % 4 == 0 {  // a transfer: a second leg of the same conversation, the same caller
                    lines.append(Samples.cdrLine(src: String(format: "0401%06d", day * 100 + i), dst: "1003", clid: "\"\(name)\" <0401>",
                                                 start: start, answer: start, end: start, uniqueID: "\(epoch + i * 10 + 5).\(i)",
                                                 linkedID: unique, sequence: 2))
                }
                return lines.joined(separator: "\n")
            }.joined(separator: "\n") + "\n"
        }
        try fixture.ingest(fixture.input("new.csv", calls(day: 20, epoch: 1_774_000_000)))
        try fixture.ingest(fixture.input("old.csv", calls(day: 5, epoch: 1_772_700_000)))
        try fixture.ingest(fixture.input("mid.csv", calls(day: 12, epoch: 1_773_300_000)))
        return fixture
    }

    @Test func aNameAloneIsReadNewestFirstFromTheTimeKeyedIndexAsTheGeneralPathReadsIt() throws {
        let fixture = try archiveOutOfOrder()
        let farFuture = Date(timeIntervalSince1970: 4_000_000_000)
        for text in ["sanna", "Sanna Virtanen", "virtanen", "mäk", "korhonen", "sannam", "päivi virtanen", "zzz"] {
            var pages: [[ArchivedItem]] = []
            var offset = 0
            repeat {
                var alone = SearchQuery(text: text, limit: 7)
                alone.offset = offset
                // A window (here: all of time) makes the search read the `items` rows and the time index.
                var windowed = SearchQuery(to: farFuture, text: text, limit: 7)
                windowed.offset = offset
                let fast = try fixture.archive.search(alone, actor: fixture.actor)
                let general = try fixture.archive.search(windowed, actor: fixture.actor)
                #expect(fast == general, "'\(text)' at \(offset)")
                pages.append(fast.items)
                offset += 7
            } while !(pages.last ?? []).isEmpty
            let all = pages.joined()
            #expect(all.map(\.start) == all.map(\.start).sorted(by: >), "'\(text)': newest first")
            #expect(Set(all.map(\.id)).count == all.count, "'\(text)': a conversation is shown once")
        }
        #expect(try fixture.archive.search(SearchQuery(text: "sanna", limit: 0), actor: fixture.actor).total == 72,
                "3 × 30 calls, 4 names in 5 hold a word starting 'sanna'; transfers counted once")
    }

    /// A call the time key cannot hold (here: one from 2107) is keyed by its id; name searches
    /// then take the general path, and still find every call newest first.
    @Test func aStartBeyondTheTimeKeyIsFoundByTheGeneralPath() throws {
        let fixture = try archiveOutOfOrder()
        let before = try fixture.archive.search(SearchQuery(text: "korhonen", limit: 100), actor: fixture.actor)
        try fixture.ingest(fixture.input("future.csv", Samples.cdrLine(
            src: "0409999999", clid: "\"Sannamari Korhonen\" <0409999999>", start: "2107-01-01 10:00:00",
            answer: "2107-01-01 10:00:05", end: "2107-01-01 10:01:00", uniqueID: "4323000000.1") + "\n"))
        #expect(try fixture.sql("SELECT count(*) FROM names_fts_docsize WHERE id < 0") == "1")
        let after = try fixture.archive.search(SearchQuery(text: "korhonen", limit: 100), actor: fixture.actor)
        #expect(after.total == before.total + 1)
        #expect(after.items.first?.from == "+358409999999", "the 2107 call is the newest")
        #expect(Array(after.items.dropFirst()) == before.items)
        // Deleting it removes its entry, and the time-keyed path is back.
        let id = try #require(after.items.first?.id.number)
        _ = try fixture.archive.index.write { try $0.deleteItems([id], now: Date()) }
        #expect(try fixture.sql("SELECT count(*) FROM names_fts_docsize WHERE id < 0") == "0")
        #expect(try fixture.archive.search(SearchQuery(text: "korhonen", limit: 100), actor: fixture.actor) == before)
    }

    // MARK: whole words typed (v11)

    /// A typed word that no longer indexed word starts with is asked for alone (FTS5 then reads
    /// its entries in order); one that starts longer words, or that `NameWords` cannot fold,
    /// stays a prefix term. `everyWordMatchesWhatTheTokenizerReadsAsItsPrefix` checks that both
    /// find what the prefix term finds.
    @Test func aWordNoLongerWordStartsWithIsAskedForAlone() throws {
        let (fixture, _) = try archiveOfNames()
        func query(_ text: String) throws -> String? { try fixture.archive.index.read { try $0.fullTextQuery(text) } }
        #expect(try query("VIRTANEN päivi") == "\"VIRTANEN\" \"päivi\"")
        #expect(try query("virta mäki Mäkinen") == "\"virta\"* \"mäki\"* \"Mäkinen\"", "virta01…, mäkinen")
        #expect(try query("virta0") == "\"virta0\"*")
        #expect(try query("Virta07") == "\"Virta07\"")
        #expect(try query("zzz") == "\"zzz\"", "no word: nothing to merge either way")
        #expect(try query("Σοφία") == "\"Σοφία\"*", "outside the letters NameWords folds")
        #expect(try query("-- ;") == nil)
    }

    /// Swift's lowercasing and the tokenizer's folding agree on every character `NameWords`
    /// folds: a name of each, ingested, is stored as exactly the word `folded` gives.
    @Test func theFoldedLettersAreFoldedAsTheTokenizerFoldsThem() throws {
        let fixture = try TestArchive()
        let scalars: [UInt32] = Array(0x30...0x39) + Array(0x41...0x5A) + Array(0x61...0x7A) + Array(0xC0...0x24F)
        let all = scalars.compactMap(Unicode.Scalar.init).map { "Q\(Character($0))z" }
        let words = all.filter { NameWords.folded($0[...]) != nil }
        #expect(all.count - words.count == 4, "all but × ÷ İ ſ")
        let lines = words.enumerated().map { i, word in
            Samples.cdrLine(src: "0401\(100_000 + i)", clid: "\"\(word)\" <0401>", uniqueID: "1773473400.\(i + 1)")
        }
        try fixture.ingest(fixture.input("Master.csv", lines.joined(separator: "\n") + "\n"))
        // Each folded word is stored as itself, holding exactly the names that fold to it (a
        // capital and its small letter fold together).
        let byFolded = Dictionary(grouping: words, by: { NameWords.folded($0[...]) })
        for case let (folded?, names) in byFolded {
            #expect(try fixture.sql("SELECT count(DISTINCT doc) FROM names_vocabulary WHERE term = '\(folded)'") == "\(names.count)",
                    "\(names) → \(folded)")
        }
    }
}
