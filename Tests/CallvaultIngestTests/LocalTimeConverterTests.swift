import Foundation
import Testing
import CallvaultIngest

@Suite struct LocalTimeConverterTests {
    let clock = LocalTimeConverter(timeZone: helsinki)

    private func wall(_ text: String) throws -> Int64 {
        try #require(LocalTimeConverter.wallClockSeconds(text.utf8[...]))
    }

    @Test func aWinterTimeIsTwoHoursAheadOfUTC() throws {
        #expect(clock.candidates(wallClock: try wall("2026-01-15 12:00:00")) == [utc("2026-01-15T10:00:00Z")])
        #expect(clock.instant(wallClock: try wall("2026-03-14 09:30:00")) == utc("2026-03-14T07:30:00Z"))
    }

    @Test func aSummerTimeIsThreeHoursAheadOfUTC() throws {
        #expect(clock.candidates(wallClock: try wall("2026-07-01 12:00:00")) == [utc("2026-07-01T09:00:00Z")])
        #expect(clock.instant(wallClock: try wall("2026-10-23 09:14:22")) == utc("2026-10-23T06:14:22Z"))
    }

    @Test func theRepeatedAutumnHourHasTwoCandidatesOneHourApartEarliestFirst() throws {
        let candidates = clock.candidates(wallClock: try wall("2026-10-25 03:30:00"))
        #expect(candidates == [utc("2026-10-25T00:30:00Z"), utc("2026-10-25T01:30:00Z")])
        #expect(clock.instant(wallClock: try wall("2026-10-25 03:30:00")) == utc("2026-10-25T00:30:00Z"))
    }

    @Test func theHoursAroundTheAutumnChangeAreUnambiguous() throws {
        #expect(clock.candidates(wallClock: try wall("2026-10-25 02:59:59")) == [utc("2026-10-24T23:59:59Z")])
        #expect(clock.candidates(wallClock: try wall("2026-10-25 04:00:00")) == [utc("2026-10-25T02:00:00Z")])
    }

    @Test func aTimeInTheSpringGapGivesOneInstant() throws {
        let candidates = clock.candidates(wallClock: try wall("2026-03-29 03:30:00"))
        #expect(candidates.count == 1)
        // Read with the winter offset: the clock showed 04:30 at that instant.
        #expect(candidates == [utc("2026-03-29T01:30:00Z")])
    }

    @Test func theHoursAroundTheSpringChangeAreUnambiguous() throws {
        #expect(clock.candidates(wallClock: try wall("2026-03-29 02:59:59")) == [utc("2026-03-29T00:59:59Z")])
        #expect(clock.candidates(wallClock: try wall("2026-03-29 04:00:00")) == [utc("2026-03-29T01:00:00Z")])
    }

    @Test func aUTCConverterIsTheIdentity() throws {
        let utcClock = LocalTimeConverter(timeZone: TimeZone(identifier: "UTC")!)
        #expect(utcClock.candidates(wallClock: try wall("2026-10-25 03:30:00")) == [utc("2026-10-25T03:30:00Z")])
    }

    @Test func wallClockSecondsAcceptsSpaceOrT() throws {
        #expect(try wall("2026-03-14 09:30:00") == Int64(utc("2026-03-14T09:30:00Z").timeIntervalSince1970))
        #expect(try wall("2026-03-14T09:30:00") == Int64(utc("2026-03-14T09:30:00Z").timeIntervalSince1970))
        #expect(try wall("1970-01-01 00:00:00") == 0)
    }

    @Test func leapDaysFollowTheGregorianRules() throws {
        #expect(LocalTimeConverter.wallClockSeconds("2024-02-29 00:00:00".utf8[...]) != nil)
        #expect(LocalTimeConverter.wallClockSeconds("2000-02-29 00:00:00".utf8[...]) != nil)
        #expect(LocalTimeConverter.wallClockSeconds("2026-02-29 00:00:00".utf8[...]) == nil)
        #expect(LocalTimeConverter.wallClockSeconds("2100-02-29 00:00:00".utf8[...]) == nil)
    }

    @Test(arguments: [
        "2026-02-30 10:00:00", "2026-13-01 10:00:00", "2026-00-10 10:00:00", "2026-04-31 10:00:00",
        "2026-01-00 10:00:00", "2026-01-01 25:00:00", "2026-01-01 24:00:00", "2026-01-01 12:60:00",
        "2026-01-01 12:00:61", "2026-1-01 12:00:00", "2026-01-01 12:00", "2026/01/01 12:00:00",
        "2026-01-01_12:00:00", "2026-0a-01 12:00:00", "+026-01-01 12:00:00", "2026-01-01 12:00:00Z",
        "", "14.3.2026 9:30:00", "２０２６-01-01 12:00:00",
    ])
    func invalidWallClockTimesAreRejected(text: String) {
        #expect(LocalTimeConverter.wallClockSeconds(text.utf8[...]) == nil)
    }

    @Test func wallClockSecondsAgreesWithTheGregorianCalendar() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var date = calendar.date(from: DateComponents(year: 1999, month: 12, day: 25, hour: 13, minute: 7, second: 9))!
        for _ in 0..<3000 {
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
            let text = String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            #expect(LocalTimeConverter.wallClockSeconds(text.utf8[...]) == Int64(date.timeIntervalSince1970), "\(text)")
            date = date.addingTimeInterval(86_400 * 11 + 3_613)
        }
    }

    @Test func everyHourOfAYearConvertsLikeFoundation() throws {
        // Each wall-clock time outside the repeated hour has one candidate that Foundation agrees with.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = helsinki
        let start = utc("2026-01-01T00:00:00Z").timeIntervalSince1970
        for hour in 0..<(365 * 24) {
            let instant = Date(timeIntervalSince1970: start + Double(hour) * 3600 + 1234)
            let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: instant)
            let text = String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
            let candidates = clock.candidates(wallClock: try wall(text))
            #expect(candidates.contains(instant), "\(text)")
        }
    }
}
