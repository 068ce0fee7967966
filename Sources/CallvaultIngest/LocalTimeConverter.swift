public import Foundation

/// Converts wall-clock times written by a PBX in its local zone to UTC instants.
///
/// Around a daylight-saving change a local time may not exist (spring gap) or exist twice
/// (autumn repeat); `candidates` returns every instant a written time can mean, earliest first.
public final class LocalTimeConverter: @unchecked Sendable {
    public let timeZone: TimeZone
    // Offsets by local hour; the converter is used by one ingest at a time.
    private var cache: [Int64: [Int]] = [:]

    /// Creates a converter for `timeZone`.
    public init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// Parses `YYYY-MM-DD HH:MM:SS` (or with `T`) into seconds since 1970 as if the wall clock were UTC.
    public static func wallClockSeconds(_ text: Substring.UTF8View) -> Int64? {
        let b = Array(text)
        guard b.count == 19, b[4] == 45, b[7] == 45, b[10] == 32 || b[10] == 84, b[13] == 58, b[16] == 58 else { return nil }
        func num(_ range: Range<Int>) -> Int? {
            var value = 0
            for i in range {
                let d = Int(b[i]) - 48
                guard d >= 0 && d <= 9 else { return nil }
                value = value * 10 + d
            }
            return value
        }
        guard let y = num(0..<4), let mo = num(5..<7), let d = num(8..<10),
              let h = num(11..<13), let mi = num(14..<16), let s = num(17..<19) else { return nil }
        guard (1...12).contains(mo), d >= 1, d <= daysInMonth(y, mo), h <= 23, mi <= 59, s <= 60 else { return nil }
        return daysFromCivil(y, mo, d) * 86_400 + Int64(h * 3600 + mi * 60 + s)
    }

    static func daysInMonth(_ y: Int, _ m: Int) -> Int {
        switch m {
        case 2: (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Every UTC instant the wall-clock time can denote, earliest first; for a time in the
    /// spring gap, the instant the clock shows after the change.
    public func candidates(wallClock: Int64) -> [Date] {
        let hour = wallClock / 3600
        let offsets: [Int]
        if let cached = cache[hour] {
            offsets = cached
        } else {
            offsets = resolveOffsets(wallClock: hour * 3600 + 1800)
            cache[hour] = offsets
        }
        return offsets.map { Date(timeIntervalSince1970: TimeInterval(wallClock - Int64($0))) }
    }

    /// The readings of a call's local start and end that agree with its `duration`: in the
    /// autumn repeated hour a wall-clock time has two readings, and the duration decides.
    public func resolveSpan(startWall: Int64, endWall: Int64?, duration: Int) -> (start: Date, end: Date) {
        let starts = candidates(wallClock: startWall)
        guard let endWall else {
            return (starts[0], starts[0].addingTimeInterval(TimeInterval(duration)))
        }
        let ends = candidates(wallClock: endWall)
        var best = (starts[0], ends[0])
        var bestError = Double.infinity
        for s in starts {
            for e in ends {
                let error = abs(e.timeIntervalSince(s) - Double(duration))
                if error < bestError { best = (s, e); bestError = error }
            }
        }
        return best
    }

    /// The first instant the wall-clock time can denote.
    public func instant(wallClock: Int64) -> Date {
        candidates(wallClock: wallClock)[0]
    }

    private func resolveOffsets(wallClock: Int64) -> [Int] {
        // Transitions are months apart, so within ±14 h there is at most one.
        let before = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wallClock - 14 * 3600)))
        let after = timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(wallClock + 14 * 3600)))
        var valid: [Int] = []
        for offset in [before, after] where !valid.contains(offset) {
            let instant = Date(timeIntervalSince1970: TimeInterval(wallClock - Int64(offset)))
            if timeZone.secondsFromGMT(for: instant) == offset { valid.append(offset) }
        }
        if valid.isEmpty { return [before] }   // spring gap: read with the offset before the change
        return valid.sorted(by: >)             // larger offset = earlier instant
    }
}
