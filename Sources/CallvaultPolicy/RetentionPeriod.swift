public import Foundation

/// An ISO 8601 duration of whole years, months, weeks and days (`P12M`, `P3Y`, `P2Y6M`, `P90D`),
/// added in the calendar of the archive's time zone (31 Jan + P1M = the last day of February).
public struct RetentionPeriod: Sendable, Hashable, CustomStringConvertible {
    public var years: Int
    public var months: Int
    public var days: Int

    public init(years: Int = 0, months: Int = 0, days: Int = 0) {
        self.years = years
        self.months = months
        self.days = days
    }

    /// Reads `PnYnMnWnD` (any of the parts, at least one); times of day are refused.
    public init?(iso8601 text: String) {
        var rest = Substring(text.uppercased())
        guard rest.first == "P", rest.count > 1, !rest.contains("T") else { return nil }
        rest = rest.dropFirst()
        var years = 0, months = 0, days = 0
        var seen: Set<Character> = []
        while !rest.isEmpty {
            let digits = rest.prefix(while: \.isASCIIDigitCharacter)
            guard !digits.isEmpty, digits.count <= 5, let value = Int(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            guard let unit = rest.first, !seen.contains(unit) else { return nil }
            seen.insert(unit)
            rest = rest.dropFirst()
            switch unit {
            case "Y": years = value
            case "M": months = value
            case "W": days += value * 7
            case "D": days += value
            default: return nil
            }
        }
        self.init(years: years, months: months, days: days)
    }

    /// The period as ISO 8601 (`P1Y6M`, `P0D` when empty).
    public var description: String {
        var text = "P"
        if years > 0 { text += "\(years)Y" }
        if months > 0 { text += "\(months)M" }
        if days > 0 { text += "\(days)D" }
        return text == "P" ? "P0D" : text
    }

    /// `date` plus this period, in `zone`'s calendar.
    public func added(to date: Date, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var components = DateComponents()
        components.year = years
        components.month = months
        components.day = days
        return calendar.date(byAdding: components, to: date) ?? date
    }

    /// Whether this period is at least `other` from every starting day.
    public func isAtLeast(_ other: RetentionPeriod) -> Bool {
        let months = years * 12 + self.months, otherMonths = other.years * 12 + other.months
        if months >= otherMonths && days >= other.days { return true }
        // Mixed units: the shortest this period can be against the longest the other can.
        let shortest = years * 365 + self.months * 28 + days
        let longest = other.years * 365 + (other.years + 3) / 4 + other.months * 31 + other.days
        return shortest >= longest
    }
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}
