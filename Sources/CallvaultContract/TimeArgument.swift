public import Foundation
import CallvaultModel

/// Reads command-line times: `2026-03-14`, `2026-03-14T09:30:00`, with or without an offset
/// (`Z`, `+02:00`); without one, in the archive's zone. The HTTP API's query and body times are the same.
public enum TimeArgument {
    /// - Parameter endOfDay: a bare date means the end of that day (for `--to`).
    public static func parse(_ text: String, option: String, zone: TimeZone, endOfDay: Bool = false) throws -> Date {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let bad = ArchiveFailure(.badInput, "\(option) '\(trimmed.prefix(40))' is not a time: use ISO 8601 such as 2026-03-14 or 2026-03-14T09:30:00+02:00")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let scanner = Array(trimmed)
        guard scanner.count >= 10 else { throw bad }
        let datePart = String(scanner[0..<10])
        let pieces = datePart.split(separator: "-").compactMap { Int($0) }
        guard pieces.count == 3, datePart.count == 10 else { throw bad }
        var components = DateComponents(year: pieces[0], month: pieces[1], day: pieces[2], hour: 0, minute: 0, second: 0)
        guard (1...12).contains(pieces[1]), (1...31).contains(pieces[2]) else { throw bad }
        if scanner.count == 10 {
            guard var date = calendar.date(from: components) else { throw bad }
            if endOfDay { date = calendar.date(byAdding: .day, value: 1, to: date) ?? date }
            return date
        }
        guard scanner[10] == "T" || scanner[10] == " ", scanner.count >= 16 else { throw bad }
        var rest = String(scanner[11...])
        var offset: Int?
        if rest.hasSuffix("Z") {
            offset = 0
            rest.removeLast()
        } else if let sign = rest.lastIndex(where: { $0 == "+" || $0 == "-" }) {
            let zoneText = rest[rest.index(after: sign)...].replacingOccurrences(of: ":", with: "")
            guard zoneText.count == 4, let hh = Int(zoneText.prefix(2)), let mm = Int(zoneText.suffix(2)) else { throw bad }
            offset = (hh * 3600 + mm * 60) * (rest[sign] == "-" ? -1 : 1)
            rest = String(rest[..<sign])
        }
        let time = rest.split(separator: ":").map { Int($0.split(separator: ".")[0]) }
        guard time.count >= 2, time.count <= 3, time.allSatisfy({ $0 != nil }) else { throw bad }
        components.hour = time[0]!
        components.minute = time[1]!
        components.second = time.count == 3 ? time[2]! : 0
        guard components.hour! < 24, components.minute! < 60, components.second! < 61 else { throw bad }
        if let offset {
            // Foundation knows offsets up to ±18 hours; a larger one is a typo, not a crash.
            guard let zone = TimeZone(secondsFromGMT: offset) else { throw bad }
            calendar.timeZone = zone
        }
        guard let date = calendar.date(from: components) else { throw bad }
        return date
    }
}
