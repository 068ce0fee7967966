import Foundation
import Testing
@testable import CallvaultIngest
import CallvaultTesting

/// The date in a FreeSWITCH source key must be SQLite's `strftime('%Y-%m-%d', …, 'unixepoch')`
/// of the same instant: the v7 migration wrote the keys of calls already stored with it.
@Suite struct UTCDateTests {
    @Test func theDateIsSQLitesForEveryKindOfDay() throws {
        var generator = SplitMix64(seed: 7)
        var seconds: [Int64] = [0, 86_399, 86_400, 951_782_400, 951_868_799, 951_868_800, 4_107_542_399, 1_792_713_599, 1_792_713_600]
        seconds += (0..<200).map { _ in Int64(generator.next() % 4_102_444_800) }   // 1970 to 2100, leap days included
        let sqlite = try Shell.run("/usr/bin/sqlite3", [":memory:", seconds.map { "SELECT strftime('%Y-%m-%d', \($0), 'unixepoch');" }.joined()])
        let ours = seconds.map { UTCDate.text(of: Date(timeIntervalSince1970: TimeInterval($0) + 0.75)) }
        #expect(ours == sqlite.split(separator: "\n").map(String.init))
    }

    @Test func aFreeSWITCHKeyCarriesTheUTCDateNotTheLocalOne() throws {
        // 01:30 in Helsinki on 23 October (UTC+3) is 22:30 UTC the day before.
        let call = try FSFixture.csvParser.parse(FSFixture.fields(FSFixture.csvLine(start: "2026-10-23 01:30:00", answer: "2026-10-23 01:30:05", end: "2026-10-23 01:33:00")))
        #expect(call.sourceKey == "freeswitch-csv:2026-10-22:\(FSFixture.aLeg)")
    }
}
