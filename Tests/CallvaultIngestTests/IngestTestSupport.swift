import Foundation
import CallvaultTesting
import CallvaultIngest
import CallvaultModel

/// The PBX zone of the tests: Helsinki, EET (UTC+2) in winter, EEST (UTC+3) in summer.
let helsinki = TimeZone(identifier: "Europe/Helsinki")!

/// An instant written in ISO 8601 UTC, e.g. `2026-03-14T07:30:00Z`.
func utc(_ text: String) -> Date {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    guard let date = formatter.date(from: text) else { fatalError("bad test date \(text)") }
    return date
}

/// The fields of one CSV line, as the ingest reads them.
func csvFields(_ line: String) -> [String] {
    var fields: [String] = []
    try! CSVRecordReader().read(bytes: Array(line.utf8)) { event in
        if case .record(let record) = event, fields.isEmpty { fields = record.fields }
    }
    return fields
}

