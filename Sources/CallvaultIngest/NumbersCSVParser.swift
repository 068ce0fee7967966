public import Foundation
public import CallvaultModel

/// Reads a numbers file: `customer_id,number,valid_from,valid_to`, one row a customer's number
/// and the days it is theirs (dates `YYYY-MM-DD` in the archive's zone, both days included,
/// empty = open-ended), for numbers that pass from one customer to another.
public struct NumbersCSVParser: Sendable {
    /// The header that tells a numbers file from a customers file.
    public static let columns = ["customer_id", "number", "valid_from", "valid_to"]

    let normalizer: PhoneNumberNormalizer
    let clock: LocalTimeConverter

    /// Creates a parser that normalises numbers with `normalizer` and reads days in `clock`'s zone.
    public init(normalizer: PhoneNumberNormalizer, clock: LocalTimeConverter) {
        self.normalizer = normalizer
        self.clock = clock
    }

    /// Whether `fields` is a numbers file's header.
    public static func isHeader(_ fields: [String]) -> Bool {
        fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } == columns
    }

    /// One row: whose number, which, and from when until when (the first instant of `valid_from`
    /// and the first instant after `valid_to`).
    public struct Line: Sendable, Equatable {
        public var customer: String
        public var number: PhoneNumber
        public var from: Date?
        public var to: Date?
    }

    /// Parses one data row.
    /// - Throws: `IngestLineError` naming the field: an empty or overlong id, a number in no
    ///   usable form, a date that is not `YYYY-MM-DD`, a `valid_to` before `valid_from`.
    public func parse(_ fields: [String]) throws(IngestLineError) -> Line {
        guard fields.count <= 4 || fields.dropFirst(4).allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) else {
            throw IngestLineError("the row has \(fields.count) fields; a numbers file has 4 (customer_id,number,valid_from,valid_to)")
        }
        func value(_ i: Int) -> String { i < fields.count ? fields[i].trimmingCharacters(in: .whitespaces) : "" }
        let id = value(0)
        guard !id.isEmpty else { throw IngestLineError("customer_id is empty") }
        guard id.count <= 128, !id.contains(where: { $0.isNewline }) else { throw IngestLineError("customer_id is too long or has a line break") }
        let written = value(1)
        let number = normalizer.normalize(written)
        guard number.category == .e164 else {
            let why = normalizer.unusableReason(written) ?? "not a customer's phone number (an extension or a withheld number)"
            throw IngestLineError("number '\(CustomersCSVParser.shown(written))' cannot be used: \(why)")
        }
        func day(_ i: Int, _ name: String) throws(IngestLineError) -> Int64? {
            let text = value(i)
            if text.isEmpty { return nil }
            guard text.utf8.count == 10, let wall = LocalTimeConverter.wallClockSeconds((text + " 00:00:00").utf8[...]) else {
                throw IngestLineError("\(name) '\(CustomersCSVParser.shown(text))' is not a date YYYY-MM-DD")
            }
            return wall
        }
        let from = try day(2, "valid_from")
        let to = try day(3, "valid_to")
        if let from, let to, to < from { throw IngestLineError("valid_to is before valid_from") }
        return Line(customer: id, number: number, from: from.map { clock.instant(wallClock: $0) },
                    to: to.map { clock.instant(wallClock: $0 + 86_400) })
    }
}
