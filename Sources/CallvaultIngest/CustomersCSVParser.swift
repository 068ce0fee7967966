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

    /// Parses one data record into a customer. Numbers that are not public ones (extensions,
    /// withheld) are dropped: they never link to a customer.
    public func parse(_ fields: [String]) throws(IngestLineError) -> Customer {
        func value(_ name: String) -> String {
            guard let i = columns[name], i < fields.count else { return "" }
            return fields[i].trimmingCharacters(in: .whitespaces)
        }
        let id = value("customer_id")
        guard !id.isEmpty else { throw IngestLineError("customer_id is empty") }
        guard id.count <= 128, !id.contains(where: { $0.isNewline }) else { throw IngestLineError("customer_id is too long or has a line break") }
        var phones: [PhoneNumber] = []
        for written in value("phones").split(separator: ";") {
            let number = normalizer.normalize(String(written))
            if number.category == .e164 {
                if !phones.contains(where: { $0.e164 == number.e164 }) { phones.append(number) }
            } else if number.category == .unknown {
                throw IngestLineError("phones: a number is not a phone number in any known form")
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
        return Customer(id: id, name: value("name"), phones: phones, relationshipEnded: ended)
    }
}
