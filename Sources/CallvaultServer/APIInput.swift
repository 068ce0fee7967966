import Foundation

/// The shapes the HTTP API accepts for ids, times, phone numbers, file names and free-text
/// statements: exactly the `pattern`s of `docs/openapi.json` (`OpenAPIDocumentTests` holds the
/// document to these), checked before the archive sees the value. The archive accepts more
/// (the CLI's `--item " call-7"`, `--number "(040) 123 4567"`); the API takes one written form
/// of each, so what the document allows is served and what it does not is refused with 400.
/// Only ASCII classes, so ICU (here) and the document's readers agree on every string.
enum APIInput {
    static let itemID = "^(call|sms|rec)-[1-9][0-9]{0,17}$"
    /// A recording, or the call whose recording is meant.
    static let recordingID = "^(rec|call)-[1-9][0-9]{0,17}$"
    static let holdID = "^hold-[1-9][0-9]{0,17}$"
    static let requestID = "^req-[1-9][0-9]{0,17}$"
    /// ISO 8601: a date, or a date and time (minutes or seconds), with `Z` or an offset up to ±14:59.
    static let time = "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])?)?$"
    /// A number to search: digits (6–20) with single spaces or dashes between them, an optional `+`.
    static let searchNumber = "^\\+?[0-9]([ -]?[0-9]){5,19}$"
    /// A number a hold covers: international, `+` and 7–15 digits (spaces or dashes between them).
    static let holdNumber = "^\\+[1-9]([ -]?[0-9]){6,14}$"
    /// A case name or reason: says something (at least one ASCII letter or digit somewhere).
    static let statement = "[A-Za-z0-9]"
    /// An upload's file name: printable ASCII without `/` or `\`, not starting with a dot, ≤ 200
    /// characters (the published API's limit; the spool itself files any name the file system takes).
    static let fileName = "^[ -\\-0-\\[\\]-~][ -.0-\\[\\]-~]{0,199}$"

    private static let compiled: [String: NSRegularExpression] = {
        var result: [String: NSRegularExpression] = [:]
        for pattern in [itemID, recordingID, holdID, requestID, time, searchNumber, holdNumber, statement, fileName] {
            result[pattern] = try! NSRegularExpression(pattern: pattern)
        }
        return result
    }()

    /// Whether `value` matches `pattern` (one of the patterns above), as JSON Schema's `pattern`
    /// does: anywhere in the value unless anchored. A line break never passes an anchored pattern.
    static func matches(_ value: String, _ pattern: String) -> Bool {
        guard let regex = compiled[pattern] else { return false }
        if pattern.hasPrefix("^"), value.contains(where: \.isNewline) { return false }
        return regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }

    /// `value` if it matches `pattern`; else 400 naming the field and the form it takes.
    @discardableResult
    static func require(_ value: String, _ pattern: String, _ field: String, _ form: String) throws -> String {
        guard matches(value, pattern) else {
            throw APIError(.badRequest, "\(field) must be \(form)")
        }
        return value
    }
}
