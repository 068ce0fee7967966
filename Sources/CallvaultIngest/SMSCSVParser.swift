import Foundation
public import CallvaultModel

/// Reads SMS records of gateways other than Kannel (CLI.md): a CSV with the header
/// `time,direction,from,to,message_id,status,parts`, columns in any order.
///
/// `time` is ISO 8601 with or without an offset (without one, local in the configured zone);
/// `direction` is `inbound`/`outbound` (`in`/`out`, `mo`/`mt` accepted); `status` is kept lowercase;
/// `parts` is a whole number of 1 or more, 1 when empty; `message_id` may be empty. Any other
/// column is never read — a body column such as `text`, `message` or `body` never reaches a field
/// (or, with `rejectsRecordsWithText`, a record that has text in one is rejected).
public struct SMSCSVParser: Sendable {
    /// The format name recorded with each SMS and used in source keys.
    public static let format = "sms-csv"
    /// Columns the header must name.
    public static let requiredColumns = ["time", "direction", "from", "to", "status"]
    /// Columns that may be left out: `message_id` (no delivery reports can link), `parts` (1), `length`.
    public static let optionalColumns = ["message_id", "parts", "length"]
    /// Column names that hold message text; their content is never read into a record.
    public static let textColumns: Set<String> = [
        "text", "message", "body", "content", "msg", "message_text", "message_body", "sms_text", "sms_body", "payload",
    ]

    let normalizer: PhoneNumberNormalizer
    let clock: LocalTimeConverter
    let rejectsRecordsWithText: Bool
    private var columns: [String: Int] = [:]
    private var textColumnIndexes: [(Int, String)] = []

    /// Creates a parser that normalises numbers with `normalizer` and reads local times with `clock`.
    /// With `rejectsRecordsWithText`, a record with anything in a text column is rejected instead of
    /// having the text dropped (R8's configurable choice).
    public init(normalizer: PhoneNumberNormalizer, clock: LocalTimeConverter, rejectsRecordsWithText: Bool = false) {
        self.normalizer = normalizer
        self.clock = clock
        self.rejectsRecordsWithText = rejectsRecordsWithText
    }

    /// True when `fields` look like this format's header (used by format detection).
    public static func looksLikeHeader(_ fields: [String]) -> Bool {
        let names = Set(fields.map(columnName))
        return ["time", "direction", "from", "to"].allSatisfy(names.contains)
    }

    /// Reads the header record; throws when a required column is missing or a column is named twice.
    public mutating func readHeader(_ fields: [String]) throws(IngestLineError) {
        let names = fields.map(Self.columnName)
        for required in Self.requiredColumns where !names.contains(required) {
            throw IngestLineError("header lacks the column '\(required)' (expected time,direction,from,to,message_id,status,parts)")
        }
        columns = [:]
        textColumnIndexes = []
        for (i, name) in names.enumerated() {
            let known = Self.requiredColumns.contains(name) || Self.optionalColumns.contains(name)
            if known && columns[name] != nil {
                throw IngestLineError("header names the column '\(name)' twice")
            }
            if known { columns[name] = i }
            if Self.textColumns.contains(name) { textColumnIndexes.append((i, name)) }
        }
    }

    /// Parses one data record into an SMS record.
    /// - Throws: `IngestLineError` with a reason that names the column; it never echoes a value.
    public func parse(_ fields: [String]) throws(IngestLineError) -> SMSRecord {
        guard !columns.isEmpty else { throw IngestLineError("no header was read before the first record") }
        func value(_ name: String) -> String {
            guard let i = columns[name], i < fields.count else { return "" }
            return String(fields[i].trimmedASCIIWhitespace)
        }
        if rejectsRecordsWithText {
            for (i, name) in textColumnIndexes where i < fields.count && !fields[i].trimmedASCIIWhitespace.isEmpty {
                throw IngestLineError("column '\(name)' holds message text; this archive rejects SMS records that carry content")
            }
        }
        let timeText = value("time")
        guard !timeText.isEmpty else { throw IngestLineError("time is empty") }
        guard let time = Self.parseTime(timeText, clock: clock) else {
            throw IngestLineError("time is not an ISO 8601 time (2026-10-23T09:15:00, with or without an offset such as +03:00 or Z)")
        }
        guard let direction = Self.direction(value("direction")) else {
            throw IngestLineError("direction is not inbound, outbound, in or out")
        }
        let fromText = value("from"), toText = value("to")
        guard !fromText.isEmpty else { throw IngestLineError("from is empty") }
        guard !toText.isEmpty else { throw IngestLineError("to is empty") }
        let status = value("status").lowercased()
        guard !status.isEmpty else { throw IngestLineError("status is empty") }
        guard status.count <= 32, !status.contains(where: { $0.isNewline }) else {
            throw IngestLineError("status is longer than 32 characters or has a line break")
        }
        let partsText = value("parts")
        let parts: Int
        if partsText.isEmpty { parts = 1 } else {
            guard let n = Int(partsText), n >= 1, n <= 255 else {
                throw IngestLineError("parts is not a whole number from 1 to 255")
            }
            parts = n
        }
        let lengthText = value("length")
        var length: Int?
        if !lengthText.isEmpty {
            guard let n = Int(lengthText), n >= 0 else { throw IngestLineError("length is not a whole number of 0 or more") }
            length = n
        }
        let idText = value("message_id")
        guard idText.count <= 128, !idText.contains(where: { $0.isNewline }) else {
            throw IngestLineError("message_id is longer than 128 characters or has a line break")
        }
        let messageID = idText.isEmpty ? nil : idText
        let from = normalizer.normalize(fromText), to = normalizer.normalize(toText)
        let key: String
        if let messageID {
            key = "\(Self.format):\(messageID)"
        } else {
            let millis = Int64((time.timeIntervalSince1970 * 1000).rounded())
            key = "\(Self.format):\(Self.fingerprint([String(millis), from.display, to.display, direction.rawValue]))"
        }
        return SMSRecord(sourceKey: key, format: Self.format, messageID: messageID, time: time, direction: direction,
                         from: from, to: to, status: status, parts: parts, length: length, smsc: nil)
    }

    // MARK: helpers

    static func columnName(_ field: String) -> String {
        var name = field.trimmedASCIIWhitespace
        if name.first == "\u{FEFF}" { name = name.dropFirst() }   // a byte-order mark before the first column
        return name.lowercased()
    }

    static func direction(_ text: String) -> Direction? {
        switch text.lowercased() {
        case "inbound", "in", "mo": .inbound
        case "outbound", "out", "mt": .outbound
        default: nil
        }
    }

    /// Parses ISO 8601 `YYYY-MM-DDTHH:MM[:SS][.fff][Z|±HH[:MM]]` (a space for `T` accepted);
    /// without an offset the time is local to `clock`'s zone (the earlier reading in the repeated autumn hour).
    static func parseTime(_ text: String, clock: LocalTimeConverter) -> Date? {
        var b = Array(text.utf8)
        // Seconds may be left out: 2026-10-23T09:15 → 2026-10-23T09:15:00.
        if b.count >= 16, b.count == 16 || b[16] != UInt8(ascii: ":") {
            b.insert(contentsOf: Array(":00".utf8), at: 16)
        }
        guard b.count >= 19 else { return nil }
        let head = String(decoding: b[0..<19], as: UTF8.self)
        guard let wall = LocalTimeConverter.wallClockSeconds(head[...].utf8) else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
            i += 1
            var scale = 0.1
            let digitsStart = i
            while i < b.count, b[i] >= 0x30, b[i] <= 0x39 {
                fraction += Double(b[i] - 0x30) * scale
                scale /= 10
                i += 1
            }
            guard i > digitsStart else { return nil }
        }
        if i == b.count {
            return clock.instant(wallClock: wall).addingTimeInterval(fraction)
        }
        var offset: Int64
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            guard i + 1 == b.count else { return nil }
            offset = 0
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign: Int64 = b[i] == UInt8(ascii: "-") ? -1 : 1
            var digits: [Int64] = []
            var j = i + 1
            while j < b.count {
                if b[j] == UInt8(ascii: ":") && digits.count == 2 { j += 1; continue }
                guard b[j] >= 0x30, b[j] <= 0x39 else { return nil }
                digits.append(Int64(b[j] - 0x30))
                j += 1
            }
            guard digits.count == 2 || digits.count == 4 else { return nil }
            let hours = digits[0] * 10 + digits[1]
            let minutes = digits.count == 4 ? digits[2] * 10 + digits[3] : 0
            guard hours <= 14, minutes <= 59 else { return nil }
            offset = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(wall - offset) + fraction)
    }

    /// The fingerprint of `parts`, for source keys of records without a message id.
    static func fingerprint(_ parts: [String]) -> String { SourceFingerprint.of(parts) }
}
