public import Foundation
public import CallvaultModel
public import CallvaultIngest

/// The settings in `callvault.toml`.
///
/// The file is TOML; callvault reads the subset it writes (tables, strings, integers,
/// booleans, one-line arrays of strings) and names the line of anything else.
public struct ArchiveConfiguration: Sendable, Equatable {
    /// ISO country of the company (`FI`).
    public var country = "FI"
    /// Calling code of that country, digits only (`358`).
    public var countryCode = "358"
    /// The zone PBXs write local times in.
    public var sourceTimeZone = "Europe/Helsinki"
    /// The longest number that is an internal extension (an agent).
    public var extensionMaxDigits = 5
    /// Why personal data may be read; `--purpose` must be one of these.
    public var purposes = ["customer-service", "complaint", "billing-dispute", "legal-claim",
                           "data-subject-request", "security", "technical-fault"]
    /// Placeholder retention until the retention rules land: days kept from the item's start.
    public var retentionDays: [ItemKind: Int] = [.call: 365, .sms: 365, .recording: 365]
    /// Exports of PBXs without a parser of their own, read through a column mapping.
    public var sources: [SourceMapping] = []

    public init() {}

    /// The time zone, validated.
    public func timeZone() throws(ArchiveFailure) -> TimeZone {
        guard let zone = TimeZone(identifier: sourceTimeZone) else {
            throw ArchiveFailure(.badInput, "callvault.toml: source_time_zone '\(sourceTimeZone)' is not a known time zone (e.g. Europe/Helsinki)")
        }
        return zone
    }

    /// The text of a new archive's configuration file.
    public func rendered() -> String {
        """
        # callvault configuration. Times in PBX exports are read in source_time_zone.
        country = "\(country)"
        country_code = "\(countryCode)"
        source_time_zone = "\(sourceTimeZone)"
        # Numbers with at most this many digits are internal extensions (agents), never customers.
        extension_max_digits = \(extensionMaxDigits)
        # Allowed values of --purpose.
        purposes = [\(purposes.map { "\"\($0)\"" }.joined(separator: ", "))]

        [retention]
        # Placeholder until the retention rules are configured: days an item is kept from its start.
        call_days = \(retentionDays[.call] ?? 365)
        sms_days = \(retentionDays[.sms] ?? 365)
        recording_days = \(retentionDays[.recording] ?? 365)

        # A PBX without a parser of its own (3CX, …): name its columns, and `ingest` reads it.
        # [sources.3cx]
        # format = "csv"                  # or "jsonl" (one JSON object per line; the names below are keys)
        # delimiter = ","
        # header = true                   # false: the values below are column numbers from 1
        # start = "Call Time"             # required: start, from, to
        # end = "End Time"
        # answer = "Answer Time"
        # duration = "Duration"           # seconds or H:MM:SS
        # from = "Caller"
        # to = "Destination"
        # unique_id = "Call ID"
        # direction = "Direction"         # inbound/outbound/internal, in/out, incoming/outgoing
        # disposition = "Status"          # answered, no answer/missed, busy, failed, …
        # agent = "Agent"
        # caller_name = "Caller Name"
        # time_format = "dd.MM.yyyy HH:mm:ss"   # or "iso8601", "epoch", "epoch_ms"
        # time_zone = "Europe/Helsinki"   # default: source_time_zone

        """
    }

    /// Reads a configuration file's text.
    public static func parse(_ text: String, file: String = "callvault.toml") throws(ArchiveFailure) -> ArchiveConfiguration {
        var config = ArchiveConfiguration()
        var section = ""
        var sourceValues: [(name: String, line: Int, values: [String: Value])] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = stripComment(String(rawLine)).trimmingCharacters(in: .whitespaces)
            if line.isEmpty { continue }
            func fail(_ reason: String) -> ArchiveFailure {
                ArchiveFailure(.badInput, "\(file) line \(lineNumber): \(reason)")
            }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else { throw fail("a table header must end with ]") }
                section = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                if section.hasPrefix("sources.") {
                    let name = String(section.dropFirst("sources.".count)).trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
                    guard !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                        throw fail("a source name may hold letters, digits, - and _ only")
                    }
                    sourceValues.append((name, lineNumber, [:]))
                }
                continue
            }
            guard let eq = line.firstIndex(of: "=") else { throw fail("expected key = value") }
            let key = line[..<eq].trimmingCharacters(in: .whitespaces)
            let value = try parseValue(line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces), fail)
            switch (section, key, value) {
            case ("", "country", .string(let s)): config.country = s
            case ("", "country_code", .string(let s)):
                guard !s.isEmpty, s.allSatisfy(\.isASCIIDigit) else { throw fail("country_code must be digits, e.g. \"358\"") }
                config.countryCode = s
            case ("", "source_time_zone", .string(let s)): config.sourceTimeZone = s
            case ("", "extension_max_digits", .integer(let n)):
                guard (2...8).contains(n) else { throw fail("extension_max_digits must be 2–8") }
                config.extensionMaxDigits = n
            case ("", "purposes", .array(let list)):
                guard !list.isEmpty else { throw fail("purposes must name at least one purpose") }
                config.purposes = list
            case ("retention", let name, .integer(let days)) where name.hasSuffix("_days"):
                guard let kind = ItemKind(rawValue: String(name.dropLast(5))) else { throw fail("unknown key retention.\(name)") }
                guard days > 0 else { throw fail("\(name) must be a positive number of days") }
                config.retentionDays[kind] = days
            case ("server", _, _):
                continue // read by the service
            case (let table, let key, let value) where table.hasPrefix("sources."):
                sourceValues[sourceValues.count - 1].values[key] = value
            default:
                throw fail("unknown key '\(section.isEmpty ? key : section + "." + key)' or wrong type of value")
            }
        }
        for source in sourceValues {
            config.sources.append(try mapping(source.name, source.values, defaultZone: config.sourceTimeZone,
                                              at: "\(file) line \(source.line)"))
        }
        return config
    }

    /// Builds and checks one `[sources.NAME]` table.
    static func mapping(_ name: String, _ values: [String: Value], defaultZone: String, at place: String) throws(ArchiveFailure) -> SourceMapping {
        func fail(_ reason: String) -> ArchiveFailure { ArchiveFailure(.badInput, "\(place): [sources.\(name)] \(reason)") }
        func string(_ key: String) throws(ArchiveFailure) -> String? {
            switch values[key] {
            case nil: return nil
            case .string(let s)?: return s
            case .integer(let n)?: return String(n)
            default: throw fail("'\(key)' must be a string")
            }
        }
        let known = Set(SourceMapping.Field.allCases.map(\.rawValue)).union(["format", "delimiter", "header", "time_format", "time_zone"])
        if let unknown = values.keys.sorted().first(where: { !known.contains($0) }) { throw fail("has an unknown key '\(unknown)'") }
        guard let shape = SourceMapping.Shape(rawValue: try string("format") ?? "csv") else { throw fail("format must be csv or jsonl") }
        let delimiterText = try string("delimiter") ?? ","
        let delimiterBytes = Array((delimiterText == "\\t" ? "\t" : delimiterText).utf8)
        guard delimiterBytes.count == 1 else { throw fail("delimiter must be one character") }
        var hasHeader = true
        if case .bool(let b)? = values["header"] { hasHeader = b } else if values["header"] != nil { throw fail("header must be true or false") }
        var columns: [SourceMapping.Field: String] = [:]
        for field in SourceMapping.Field.allCases {
            if let column = try string(field.rawValue), !column.isEmpty { columns[field] = column }
        }
        let timeFormat: SourceMapping.TimeFormat
        switch try string("time_format") ?? "iso8601" {
        case "iso8601": timeFormat = .iso8601
        case "epoch": timeFormat = .epoch(milliseconds: false)
        case "epoch_ms": timeFormat = .epoch(milliseconds: true)
        case let pattern where pattern.contains("yyyy") && pattern.contains("MM") && pattern.contains("dd"): timeFormat = .pattern(pattern)
        default: throw fail("time_format must be iso8601, epoch, epoch_ms or a pattern with yyyy, MM, dd (HH, mm, ss)")
        }
        let zoneName = try string("time_zone") ?? defaultZone
        guard let zone = TimeZone(identifier: zoneName) else { throw fail("time_zone '\(zoneName)' is not a known time zone") }
        let mapping = SourceMapping(name: name, shape: shape, delimiter: delimiterBytes[0], hasHeader: hasHeader,
                                    columns: columns, timeFormat: timeFormat, timeZone: zone)
        do { try mapping.validate() } catch { throw fail(String(error.reason.drop { $0 != " " }.dropFirst())) }
        return mapping
    }

    enum Value: Equatable {
        case string(String), integer(Int), bool(Bool), array([String])
    }

    static func parseValue(_ text: String, _ fail: (String) -> ArchiveFailure) throws(ArchiveFailure) -> Value {
        if text.hasPrefix("\"") {
            guard text.count >= 2, text.hasSuffix("\"") else { throw fail("unterminated string") }
            return .string(String(text.dropFirst().dropLast()).replacingOccurrences(of: "\\\"", with: "\""))
        }
        if text == "true" || text == "false" { return .bool(text == "true") }
        if let n = Int(text.replacingOccurrences(of: "_", with: "")) { return .integer(n) }
        if text.hasPrefix("[") {
            guard text.hasSuffix("]") else { throw fail("an array must close on the same line") }
            let inner = text.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
            if inner.isEmpty { return .array([]) }
            var items: [String] = []
            for piece in inner.split(separator: ",") {
                let item = piece.trimmingCharacters(in: .whitespaces)
                if item.isEmpty { continue }
                guard case .string(let s) = try parseValue(item, fail) else { throw fail("arrays hold strings only") }
                items.append(s)
            }
            return .array(items)
        }
        throw fail("cannot read the value '\(text.prefix(40))'")
    }

    static func stripComment(_ line: String) -> String {
        var inString = false
        for (i, ch) in zip(line.indices, line) {
            if ch == "\"" { inString.toggle() }
            if ch == "#" && !inString { return String(line[..<i]) }
        }
        return line
    }
}
