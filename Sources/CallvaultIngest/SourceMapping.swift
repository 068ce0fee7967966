public import Foundation
import CallvaultModel

/// How to read a PBX export callvault has no parser for: a CSV or JSON-lines file whose
/// columns (or keys) are named in `callvault.toml` under `[sources.NAME]`.
public struct SourceMapping: Sendable, Equatable {
    /// The file's shape.
    public enum Shape: String, Sendable {
        case csv
        case jsonLines = "jsonl"
    }

    /// How times are written.
    public enum TimeFormat: Sendable, Equatable {
        /// ISO 8601, with or without an offset (without one: `timeZone`).
        case iso8601
        /// Seconds (or milliseconds when `milliseconds`) since 1970, UTC.
        case epoch(milliseconds: Bool)
        /// A pattern of `yyyy`, `MM`, `dd`, `HH`, `mm`, `ss` and literal characters, in `timeZone`.
        case pattern(String)
    }

    /// The fields a mapping can name; each maps to a column name (with a header), a 1-based
    /// column number (without one) or a JSON key.
    public enum Field: String, Sendable, CaseIterable {
        case start, answer, end, duration, from, to
        case uniqueID = "unique_id"
        case direction, disposition, agent
        case callerName = "caller_name"
        case context
    }

    public var name: String
    public var shape: Shape
    public var delimiter: UInt8
    public var hasHeader: Bool
    public var columns: [Field: String]
    public var timeFormat: TimeFormat
    public var timeZone: TimeZone

    public init(name: String, shape: Shape, delimiter: UInt8 = UInt8(ascii: ","), hasHeader: Bool = true,
                columns: [Field: String], timeFormat: TimeFormat, timeZone: TimeZone) {
        self.name = name
        self.shape = shape
        self.delimiter = delimiter
        self.hasHeader = hasHeader
        self.columns = columns
        self.timeFormat = timeFormat
        self.timeZone = timeZone
    }

    /// The format name ingest reports and `--format` takes: `source:NAME`.
    public var formatName: String { "source:\(name)" }

    /// Checks the mapping itself; the reason names what to fix in `callvault.toml`.
    public func validate() throws(IngestLineError) {
        for required in [Field.start, .from, .to] where columns[required] == nil {
            throw IngestLineError("[sources.\(name)] needs '\(required.rawValue)' (the column that holds it)")
        }
        if !hasHeader && shape == .csv {
            for (field, column) in columns where Int(column) == nil || Int(column)! < 1 {
                throw IngestLineError("[sources.\(name)] has header = false, so '\(field.rawValue)' must be a column number from 1")
            }
        }
    }

    /// Whether a file whose first record (CSV) or first line (JSON lines) is `head` is this source's.
    public func matches(head: [UInt8]) -> Bool {
        switch shape {
        case .csv:
            guard hasHeader else { return false }
            var first: [String]?
            try? CSVRecordReader(delimiter: delimiter).read(bytes: Array(head.prefix(64 * 1024))) { event in
                if first == nil, case .record(let record) = event { first = record.fields }
            }
            guard let names = first.map({ Set($0.map { String($0.trimmedASCIIWhitespace) }) }) else { return false }
            return columns.values.allSatisfy(names.contains)
        case .jsonLines:
            guard let line = head.split(separator: UInt8(ascii: "\n")).first,
                  let object = (try? JSONSerialization.jsonObject(with: Data(line))) as? [String: Any] else { return false }
            return [Field.start, .from, .to].allSatisfy { columns[$0].map { object[$0] != nil } ?? false }
        }
    }
}
