import Foundation
public import CallvaultModel

/// Reads the customers CSV of CLI.md: `customer_id,name,phones[,relationship_ended]`.
public struct CustomersCSVParser {
    let normalizer: PhoneNumberNormalizer
    private var columns: [String: Int] = [:]

    /// Creates a parser that normalises phone numbers with `normalizer`.
    public init(normalizer: PhoneNumberNormalizer) {
        self.normalizer = normalizer
    }

    /// Reads the header record; throws when a required column is missing.
    public mutating func readHeader(_ fields: [String]) throws(IngestLineError) {
        let names = fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        for required in ["customer_id", "name", "phones"] where !names.contains(required) {
            throw IngestLineError("header lacks the column '\(required)' (expected customer_id,name,phones[,relationship_ended])")
        }
        for (i, name) in names.enumerated() { columns[name] = i }
    }

    /// One data record: the customer, and each written number that could not be used (why, for
    /// the rejected list; the customer is imported with the numbers that could).
    public struct Line: Sendable {
        public var customer: Customer
        public var unusableNumbers: [String]
    }

    /// Parses one data record into a customer. Numbers that are not public ones (extensions,
    /// withheld) are dropped: they never link to a customer; a number in no known form is
    /// named in `unusableNumbers` and the rest of the record is still read.
    public func parse(_ fields: [String]) throws(IngestLineError) -> Line {
        func value(_ name: String) -> String {
            guard let i = columns[name], i < fields.count else { return "" }
            return fields[i].trimmingCharacters(in: .whitespaces)
        }
        let id = value("customer_id")
        guard !id.isEmpty else { throw IngestLineError("customer_id is empty") }
        guard id.count <= 128, !id.contains(where: { $0.isNewline }) else { throw IngestLineError("customer_id is too long or has a line break") }
        var phones: [PhoneNumber] = []
        var unusable: [String] = []
        for written in value("phones").split(separator: ";") {
            let number = normalizer.normalize(String(written))
            if number.category == .e164 {
                if !phones.contains(where: { $0.e164 == number.e164 }) { phones.append(number) }
            } else if number.category == .unknown {
                let why = normalizer.unusableReason(String(written)) ?? "not a phone number in any known form"
                unusable.append("phones: '\(Self.shown(number.raw))' was not imported: \(why)")
            }
        }
        var ended: Date?
        let endedText = value("relationship_ended")
        if !endedText.isEmpty {
            guard let wall = LocalTimeConverter.wallClockSeconds((endedText + " 00:00:00").utf8[...]) else {
                throw IngestLineError("relationship_ended is not a date YYYY-MM-DD")
            }
            ended = Date(timeIntervalSince1970: TimeInterval(wall))
        }
        return Line(customer: Customer(id: id, name: value("name"), phones: phones, relationshipEnded: ended), unusableNumbers: unusable)
    }

    /// A written value as a rejected list shows it: at most 40 characters, control characters as `?`.
    static func shown(_ value: String) -> String {
        let cleaned = String(value.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return cleaned.count > 40 ? String(cleaned.prefix(40)) + "…" : cleaned
    }
}
