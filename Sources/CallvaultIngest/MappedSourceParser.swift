import Foundation
public import CallvaultModel

/// Reads the records of a source described by a `SourceMapping` into `Call` values.
public struct MappedSourceParser: Sendable {
    public let mapping: SourceMapping
    let normalizer: PhoneNumberNormalizer
    let clock: LocalTimeConverter
    private var indices: [SourceMapping.Field: Int] = [:]

    /// Creates a parser; local times are read in the mapping's zone.
    public init(mapping: SourceMapping, normalizer: PhoneNumberNormalizer) {
        self.mapping = mapping
        self.normalizer = normalizer
        self.clock = LocalTimeConverter(timeZone: mapping.timeZone)
        if !mapping.hasHeader {
            for (field, column) in mapping.columns { if let n = Int(column) { indices[field] = n - 1 } }
        }
    }

    /// Reads the header record: every mapped column must be there.
    public mutating func readHeader(_ fields: [String]) throws(IngestLineError) {
        let names = fields.map { String($0.trimmedASCIIWhitespace) }
        for (field, column) in mapping.columns {
            guard let index = names.firstIndex(of: column) else {
                throw IngestLineError("header lacks the column '\(column.prefix(64))' that [sources.\(mapping.name)] maps to \(field.rawValue)")
            }
            indices[field] = index
        }
    }

    /// Parses one CSV record.
    public func parse(_ fields: [String]) throws(IngestLineError) -> Call {
        try build { (field) throws(IngestLineError) -> String? in
            guard let index = indices[field] else { return nil }
            guard index < fields.count else {
                throw IngestLineError("the record has \(fields.count) fields; \(field.rawValue) is in column \(index + 1)")
            }
            let value = String(fields[index].trimmedASCIIWhitespace)
            return value.isEmpty ? nil : value
        }
    }

    /// Parses one line of a JSON-lines file.
    public func parse(jsonLine: some Collection<UInt8>) throws(IngestLineError) -> Call {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(jsonLine))) as? [String: Any] else {
            throw IngestLineError("the line is not a JSON object")
        }
        return try build { (field) throws(IngestLineError) -> String? in
            guard let key = mapping.columns[field], let value = object[key], !(value is NSNull) else { return nil }
            if let text = value as? String { return text.isEmpty ? nil : text }
            if let number = value as? NSNumber { return number.stringValue }
            throw IngestLineError("\(field.rawValue) ('\(key.prefix(64))') is not a string or number")
        }
    }

    func build(_ value: (SourceMapping.Field) throws(IngestLineError) -> String?) throws(IngestLineError) -> Call {
        guard let startText = try value(.start) else { throw IngestLineError("start is empty") }
        let start = try time(startText, field: "start")
        let answer = try value(.answer).map { (text: String) throws(IngestLineError) -> Date in try time(text, field: "answer") }
        let end = try value(.end).map { (text: String) throws(IngestLineError) -> Date in try time(text, field: "end") }
        var duration = 0
        if let text = try value(.duration) {
            guard let seconds = Self.seconds(text) else { throw IngestLineError("duration is not seconds or H:MM:SS") }
            duration = seconds
        } else if let end {
            duration = max(0, Int(end.timeIntervalSince(start)))
        }
        guard let fromText = try value(.from) else { throw IngestLineError("from is empty") }
        let from = normalizer.normalize(fromText)
        let to = normalizer.normalize(try value(.to) ?? "")
        let disposition = Self.disposition(try value(.disposition), answered: answer != nil)
        let direction: Direction
        if let written = try value(.direction) {
            guard let parsed = Self.direction(written) else { throw IngestLineError("direction is not inbound, outbound or internal") }
            direction = parsed
        } else if from.category == .extension {
            direction = to.category == .extension ? .internal : .outbound
        } else {
            direction = .inbound
        }
        var agent = try value(.agent)
        if agent == nil {
            agent = direction == .inbound ? (to.category == .extension ? to.raw : nil) : (from.category == .extension ? from.raw : nil)
        }
        let uniqueID = try value(.uniqueID)
        let billable = answer.map { a in end.map { max(0, Int($0.timeIntervalSince(a))) } ?? duration } ?? 0
        let key = "\(mapping.formatName):\(uniqueID ?? "-"):\(uniqueID == nil ? Self.fingerprint(startText, fromText, try value(.to) ?? "") : "")"
        return Call(sourceKey: key, format: mapping.formatName, uniqueID: uniqueID, linkedID: uniqueID, start: start,
                    answer: answer, end: end ?? start.addingTimeInterval(TimeInterval(duration)),
                    durationSeconds: duration, billableSeconds: min(billable, duration),
                    from: from, to: to, callerName: try value(.callerName), direction: direction,
                    disposition: disposition, agent: agent, context: try value(.context), details: [:])
    }

    func time(_ text: String, field: String) throws(IngestLineError) -> Date {
        let bad = IngestLineError("\(field) does not match the time format of [sources.\(mapping.name)]")
        switch mapping.timeFormat {
        case .epoch(let milliseconds):
            guard let number = Double(text), number > 0 else { throw bad }
            let seconds = milliseconds ? number / 1000 : number
            // Before the year 10000, as every time callvault reads: `1e300` or `inf` is no time
            // (and the duration taken from such an end would not fit an Int).
            guard seconds < 253_402_300_800 else { throw bad }
            return Date(timeIntervalSince1970: seconds)
        case .iso8601:
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: false)) { return date }
            if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return date }
            // No offset: a wall-clock time in the source's zone.
            let wall = text.replacingOccurrences(of: "T", with: " ").prefix(19)
            guard let seconds = LocalTimeConverter.wallClockSeconds(Substring(wall).utf8) else { throw bad }
            return clock.instant(wallClock: seconds)
        case .pattern(let pattern):
            guard let seconds = Self.wallClock(text, pattern: pattern) else { throw bad }
            return clock.instant(wallClock: seconds)
        }
    }

    /// Reads `text` laid out as `pattern` (`yyyy`, `MM`, `dd`, `HH`, `mm`, `ss`, literals).
    static func wallClock(_ text: String, pattern: String) -> Int64? {
        let t = Array(text.utf8), p = Array(pattern.utf8)
        guard t.count == p.count else { return nil }
        var parts: [UInt8: Int] = [:]
        var i = 0
        while i < p.count {
            let c = p[i]
            if "yMdHms".utf8.contains(c) {
                var j = i
                var value = 0
                while j < p.count && p[j] == c {
                    let d = Int(t[j]) - 48
                    // A run of more than 8 letters (`yyyyyyyyyyyy`) is no date part; its digits would overflow.
                    guard d >= 0 && d <= 9, j - i < 8 else { return nil }
                    value = value * 10 + d
                    j += 1
                }
                parts[c] = value
                i = j
            } else {
                guard t[i] == c else { return nil }
                i += 1
            }
        }
        guard let y = parts[UInt8(ascii: "y")], let mo = parts[UInt8(ascii: "M")], let d = parts[UInt8(ascii: "d")] else { return nil }
        let text = String(format: "%04d-%02d-%02d %02d:%02d:%02d", y, mo, d, parts[UInt8(ascii: "H")] ?? 0,
                          parts[UInt8(ascii: "m")] ?? 0, parts[UInt8(ascii: "s")] ?? 0)
        return LocalTimeConverter.wallClockSeconds(text.utf8[...])
    }

    /// Seconds written as a whole or decimal number or as `[H:]M:S`, from 0 to Int32.max (68 years,
    /// the limit of the FreeSWITCH documents); nil for anything else, `1e300`, `inf` and `nan` included.
    static func seconds(_ text: String) -> Int? {
        let limit = Int(Int32.max)
        if let n = Int(text) { return (0...limit).contains(n) ? n : nil }
        if let n = Double(text) { return n >= 0 && n <= Double(limit) ? Int(n.rounded()) : nil }
        let parts = text.split(separator: ":").map { Int($0) }
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0 != nil && $0! >= 0 && $0! <= limit }) else { return nil }
        let total = parts.reduce(0) { $0 * 60 + $1! }
        return total <= limit ? total : nil
    }

    static func direction(_ text: String) -> Direction? {
        switch text.lowercased() {
        case "inbound", "in", "incoming", "inbound call", "received": .inbound
        case "outbound", "out", "outgoing", "outbound call", "dialed": .outbound
        case "internal", "local", "extension": .internal
        default: nil
        }
    }

    static func disposition(_ text: String?, answered: Bool) -> String {
        guard let text else { return answered ? "answered" : "no-answer" }
        switch text.lowercased() {
        case "answered", "answer", "connected", "completed", "ok", "success": return "answered"
        case "no answer", "noanswer", "no-answer", "missed", "unanswered", "not answered", "abandoned": return "no-answer"
        case "busy": return "busy"
        case "failed", "error", "rejected": return "failed"
        case "congestion": return "congestion"
        default: return String(text.lowercased().prefix(32))
        }
    }

    static func fingerprint(_ values: String...) -> String { SourceFingerprint.of(values) }
}
