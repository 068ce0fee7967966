import Foundation
import Testing
import CallvaultArchive
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
        return try Int(fixture.sql("SELECT count(*) FROM items_fts WHERE items_fts MATCH '\(match)'"))!
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
}
