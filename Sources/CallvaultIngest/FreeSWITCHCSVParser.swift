import Foundation
public import CallvaultModel

/// Turns records of FreeSWITCH's `mod_cdr_csv` Master.csv into `Call` values.
///
/// Reads the templates FreeSWITCH ships, which all start with the same 13 columns
/// (`caller_id_name`, `caller_id_number`, `destination_number`, `context`, `start_stamp`,
/// `answer_stamp`, `end_stamp`, `duration`, `billsec`, `hangup_cause`, `uuid`, `bleg_uuid`,
/// `accountcode`): the built-in default and `sql` (13), `example`, the vanilla default (15, plus
/// `read_codec`, `write_codec`), `linksys` (17) and `snom` (20, ending in `sofia_record_file`).
/// Lines of the `sql` template (`INSERT INTO cdr VALUES ("…","…",…);`) are read with
/// `parse(sqlLine:)`. Times are local in the configured zone and converted to UTC.
///
/// The linked id of a leg is the smaller (in byte order) of its `uuid` and `bleg_uuid`, or its
/// `uuid` when `bleg_uuid` is empty: a CSV line does not say which leg it is, so with `legs="ab"`
/// the two lines of one call, which name each other, get the same linked id either way round.
/// Within a file, a leg takes the linked id its partner already got (`FreeSWITCHLegLinker`):
/// FreeSWITCH leaves the b-leg's `bleg_uuid` empty.
public struct FreeSWITCHCSVParser: Sendable {
    /// The format name recorded with each call and used in source keys.
    public static let format = "freeswitch-csv"
    /// Field counts of the templates FreeSWITCH ships.
    public static let fieldCounts: Set<Int> = [13, 15, 17, 20]

    let normalizer: PhoneNumberNormalizer
    let clock: LocalTimeConverter

    /// Creates a parser that normalises numbers with `normalizer` and reads times with `clock`.
    public init(normalizer: PhoneNumberNormalizer, clock: LocalTimeConverter) {
        self.normalizer = normalizer
        self.clock = clock
    }

    /// Column names, by position, shared by every shipped template.
    static let columnNames = [
        "caller_id_name", "caller_id_number", "destination_number", "context", "start_stamp", "answer_stamp",
        "end_stamp", "duration", "billsec", "hangup_cause", "uuid", "bleg_uuid", "accountcode", "read_codec",
        "write_codec",
    ]

    /// Columns kept as source fields for `show` (the others have columns of their own).
    static let detailColumns: [(Int, String)] = [(9, "hangup_cause"), (11, "bleg_uuid"), (12, "accountcode"), (13, "read_codec"), (14, "write_codec")]

    /// True when `fields` look like a cdr_csv record (used by format detection).
    public static func looksLikeRecord(_ fields: [String]) -> Bool {
        fieldCounts.contains(fields.count)
            && LocalTimeConverter.wallClockSeconds(fields[4].trimmedASCIIWhitespace.utf8) != nil
            && FreeSWITCHCall.isUUID(fields[10].trimmedASCIIWhitespace)
    }

    /// True when `line` is a record of the `sql` template (`INSERT INTO … VALUES (…);`).
    public static func looksLikeSQLLine(_ line: String) -> Bool {
        let text = line.trimmedASCIIWhitespace
        guard text.utf8.count >= 20, text.prefix(12).uppercased() == "INSERT INTO " else { return false }
        return valuesOpening(text) != nil && (text.hasSuffix(")") || text.hasSuffix(");"))
    }

    /// Parses one line of the `sql` template; throws `IngestLineError` with a reason that names the field.
    public func parse(sqlLine: String) throws(IngestLineError) -> Call {
        var legs = FreeSWITCHLegLinker(capacity: 1)
        return try parse(Self.sqlValues(sqlLine), legs: &legs)
    }

    /// Parses one line of the `sql` template of a file whose earlier lines `legs` has seen.
    public func parse(sqlLine: String, legs: inout FreeSWITCHLegLinker) throws(IngestLineError) -> Call {
        try parse(Self.sqlValues(sqlLine), legs: &legs)
    }

    /// Parses one record; throws `IngestLineError` with a reason that names the field.
    public func parse(_ raw: [String]) throws(IngestLineError) -> Call {
        var legs = FreeSWITCHLegLinker(capacity: 1)
        return try parse(raw, legs: &legs)
    }

    /// Parses one record of a file whose earlier records `legs` has seen (so that a b-leg whose
    /// `bleg_uuid` is empty joins its a-leg); throws `IngestLineError` with a reason that names the field.
    public func parse(_ raw: [String], legs: inout FreeSWITCHLegLinker) throws(IngestLineError) -> Call {
        guard Self.fieldCounts.contains(raw.count) else {
            throw IngestLineError("expected 13, 15, 17 or 20 fields (FreeSWITCH cdr_csv), found \(raw.count)")
        }
        // The 13-column templates write `, "${accountcode}"` with a space before the quote.
        let f = raw.map { String($0.trimmedASCIIWhitespace) }
        for (i, value) in f.enumerated() where value.utf8.count > FreeSWITCHCall.maxValueLength && i < 13 {
            throw IngestLineError("\(Self.label(i)) is longer than \(FreeSWITCHCall.maxValueLength) bytes")
        }
        guard let startWall = LocalTimeConverter.wallClockSeconds(f[4].utf8[...]) else {
            throw IngestLineError("\(Self.label(4)) is not a time YYYY-MM-DD HH:MM:SS")
        }
        let answerWall = try optionalWall(f, 5)
        let endWall = try optionalWall(f, 6)
        // At most Int32.max seconds, as the json_cdr and xml_cdr parsers allow (and `duration + 1` below must not overflow).
        guard let duration = Int(f[7]), duration >= 0, duration <= Int(Int32.max) else {
            throw IngestLineError("\(Self.label(7)) is not a whole number of seconds (0 to 2147483647)")
        }
        guard let billsec = Int(f[8]), billsec >= 0, billsec <= duration + 1 else {
            throw IngestLineError("\(Self.label(8)) is not a whole number of seconds up to duration")
        }
        guard FreeSWITCHCall.isHangupCause(f[9]) else {
            throw IngestLineError("\(Self.label(9)) is not a FreeSWITCH hangup cause such as NORMAL_CLEARING")
        }
        if answerWall == nil && billsec > 0 {
            throw IngestLineError("\(Self.label(5)) is empty but billsec is above 0")
        }

        let (start, end) = FreeSWITCHCall.resolve(startWall: startWall, endWall: endWall, duration: duration, clock: clock)
        let answer = answerWall.map { FreeSWITCHCall.closest($0, to: start, clock: clock) }
        let uuid = f[10].isEmpty ? nil : f[10]
        let linkedID = uuid.map { legs.linkedID(uuid: $0, bleg: f[11]) }
        var details: [String: String] = [:]
        for (i, name) in Self.detailColumns where i < f.count && !f[i].isEmpty && f[i].utf8.count <= FreeSWITCHCall.maxValueLength {
            details[name] = f[i]
        }
        if f.count == 20, let file = FreeSWITCHCall.basename(f[19]), file.utf8.count <= FreeSWITCHCall.maxValueLength {
            details["record_file_name"] = file
        }
        let leg = FreeSWITCHLeg(
            format: Self.format, uuid: uuid, linkedID: linkedID, start: start, answer: answer, end: end,
            duration: duration, billsec: billsec, callerIDName: f[0], callerIDNumber: f[1], destination: f[2],
            context: f[3], hangupCause: f[9], details: details, fingerprintFields: f)
        return leg.call(normalizer: normalizer)
    }

    func optionalWall(_ f: [String], _ i: Int) throws(IngestLineError) -> Int64? {
        if f[i].isEmpty { return nil }
        guard let value = LocalTimeConverter.wallClockSeconds(f[i].utf8[...]) else {
            throw IngestLineError("\(Self.label(i)) is not a time YYYY-MM-DD HH:MM:SS")
        }
        return value
    }

    /// `field 5 (start_stamp)`: the 1-based position and the template variable.
    static func label(_ index: Int) -> String {
        index < columnNames.count ? "field \(index + 1) (\(columnNames[index]))" : "field \(index + 1)"
    }

    // MARK: the sql template

    /// The offset just after the `(` that opens the value list, if the line has one.
    static func valuesOpening(_ text: Substring) -> String.Index? {
        // The first `VALUES (` wins: a later one may be inside a value.
        var searchFrom = text.startIndex
        while let values = text.range(of: "VALUES", options: .caseInsensitive, range: searchFrom..<text.endIndex) {
            var index = values.upperBound
            while index < text.endIndex, text[index] == " " || text[index] == "\t" { index = text.index(after: index) }
            if index < text.endIndex, text[index] == "(" { return text.index(after: index) }
            searchFrom = values.upperBound
        }
        return nil
    }

    /// The values of an `INSERT … VALUES (…)` line, quoted with `"` or `'`, or bare (numbers, NULL).
    ///
    /// FreeSWITCH does not escape quotes inside values, so a quote ends a value only when a comma
    /// or the closing parenthesis follows it; a doubled quote is one quote (SQL's escape).
    static func sqlValues(_ line: String) throws(IngestLineError) -> [String] {
        let text = line.trimmedASCIIWhitespace
        guard text.prefix(12).uppercased() == "INSERT INTO ", let open = valuesOpening(text) else {
            throw IngestLineError("not an INSERT INTO … VALUES (…) line of the cdr_csv sql template")
        }
        let bytes = Array(text[open...].utf8)
        var values: [String] = []
        var i = 0
        func skipSpaces() { while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 { i += 1 } }
        while true {
            skipSpaces()
            guard i < bytes.count else { throw IngestLineError("the value list has no closing parenthesis") }
            var value: [UInt8] = []
            let quote = bytes[i]
            if quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
                i += 1
                var closed = false
                while i < bytes.count {
                    if bytes[i] == quote {
                        if i + 1 < bytes.count, bytes[i + 1] == quote {
                            value.append(quote)
                            i += 2
                            continue
                        }
                        var next = i + 1
                        while next < bytes.count, bytes[next] == 32 || bytes[next] == 9 { next += 1 }
                        if next < bytes.count, bytes[next] == UInt8(ascii: ",") || bytes[next] == UInt8(ascii: ")") {
                            i = next
                            closed = true
                            break
                        }
                    }
                    value.append(bytes[i])
                    i += 1
                }
                guard closed else { throw IngestLineError("value \(values.count + 1) has no closing quote") }
            } else {
                while i < bytes.count, bytes[i] != UInt8(ascii: ","), bytes[i] != UInt8(ascii: ")") {
                    value.append(bytes[i])
                    i += 1
                }
                guard i < bytes.count else { throw IngestLineError("the value list has no closing parenthesis") }
                while value.last == 32 || value.last == 9 { value.removeLast() }
                if value.count == 4, String(decoding: value, as: UTF8.self).uppercased() == "NULL" { value = [] }
            }
            values.append(TextDecoding.decode(value))
            if bytes[i] == UInt8(ascii: ")") {
                i += 1
                skipSpaces()
                guard i == bytes.count || (bytes[i] == UInt8(ascii: ";") && i + 1 == bytes.count) else {
                    throw IngestLineError("unexpected text after the value list")
                }
                return values
            }
            i += 1 // the comma
        }
    }
}
