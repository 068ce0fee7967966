import Foundation
import Testing
import CallvaultPolicy

@Suite struct RetentionPeriodTests {
    let helsinki = TimeZone(identifier: "Europe/Helsinki")!

    func date(_ text: String) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = helsinki
        let p = text.split(separator: "-").map { Int($0)! }
        return calendar.date(from: DateComponents(year: p[0], month: p[1], day: p[2], hour: 12))!
    }

    @Test(arguments: [("P12M", RetentionPeriod(months: 12)), ("P3Y", RetentionPeriod(years: 3)),
                      ("P2Y6M", RetentionPeriod(years: 2, months: 6)), ("P1W", RetentionPeriod(days: 7)),
                      ("P90D", RetentionPeriod(days: 90)), ("p1y", RetentionPeriod(years: 1))])
    func readsISO8601Periods(text: String, expected: RetentionPeriod) {
        #expect(RetentionPeriod(iso8601: text) == expected)
    }

    @Test(arguments: ["", "P", "12M", "PT1H", "P1M1M", "P-1Y", "P1.5Y", "P1X", "P999999Y"])
    func refusesWhatIsNotAWholeDatePeriod(text: String) {
        #expect(RetentionPeriod(iso8601: text) == nil)
    }

    @Test func printsAsISO8601() {
        #expect(RetentionPeriod(years: 2, months: 6).description == "P2Y6M")
        #expect(RetentionPeriod().description == "P0D")
        #expect(RetentionPeriod(iso8601: RetentionPeriod(years: 1, days: 3).description) == RetentionPeriod(years: 1, days: 3))
    }

    /// R15 (c) and R38 (c): calendar arithmetic, month ends clamp.
    @Test func addsInTheCalendarOfTheZone() {
        #expect(RetentionPeriod(years: 3).added(to: date("2025-01-10"), in: helsinki) == date("2028-01-10"))
        #expect(RetentionPeriod(months: 1).added(to: date("2026-01-31"), in: helsinki) == date("2026-02-28"))
        #expect(RetentionPeriod(months: 1).added(to: date("2024-01-31"), in: helsinki) == date("2024-02-29"))
        // Across the autumn DST change the wall-clock time stays.
        #expect(RetentionPeriod(days: 1).added(to: date("2026-10-24"), in: helsinki) == date("2026-10-25"))
    }

    @Test func comparesAgainstTheLawsFloor() {
        let twoYears = RetentionPeriod(years: 2)
        #expect(RetentionPeriod(years: 2).isAtLeast(twoYears))
        #expect(RetentionPeriod(months: 24).isAtLeast(twoYears))
        #expect(RetentionPeriod(years: 5).isAtLeast(twoYears))
        #expect(RetentionPeriod(days: 731).isAtLeast(twoYears))
        #expect(!RetentionPeriod(years: 1).isAtLeast(twoYears))
        #expect(!RetentionPeriod(months: 23, days: 27).isAtLeast(twoYears))
        #expect(!RetentionPeriod(days: 729).isAtLeast(twoYears))
    }
}
