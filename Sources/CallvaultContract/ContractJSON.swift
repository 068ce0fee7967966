public import Foundation
import CallvaultModel

/// How CLI.md's JSON documents are written, the same for `--json` and the HTTP API: sorted
/// keys, unescaped slashes, times in UTC as ISO 8601 with `Z`.
public enum ContractJSON {
    /// A new encoder with the contract's settings.
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(isoUTC(date))
        }
        return encoder
    }

    /// `value` as one JSON document (`{}` if it cannot be encoded, which the contract's types never cause).
    public static func encode(_ value: some Encodable) -> Data {
        if let written = (value as? any HandWrittenJSON)?.jsonText { return Data(written.bytes) }
        return (try? encoder().encode(value)) ?? Data("{}".utf8)
    }

    /// A time as the contract writes it: UTC, ISO 8601 with `Z`.
    public static func isoUTC(_ date: Date) -> String {
        date.formatted(utcFormat)
    }

    static let utcFormat = Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC")!)
}

extension KeyedEncodingContainer {
    /// `value`, or null when absent (the concrete String call, not the generic Optional one).
    mutating func encodeOrNull(_ value: String?, forKey key: Key) throws {
        if let value { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    /// A list of strings, each through the concrete String call.
    mutating func encodeStrings(_ values: [String], forKey key: Key) throws {
        var list = nestedUnkeyedContainer(forKey: key)
        for value in values { try list.encode(value) }
    }
}

/// A contract document that can write its own JSON text (`JSONText`), the bytes the contract's
/// encoder would write, where the encoder's cost shows.
protocol HandWrittenJSON {
    /// The document's JSON text, or nil to leave it to the encoder.
    var jsonText: JSONText? { get }
}
