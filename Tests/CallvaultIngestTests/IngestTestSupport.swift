import Foundation
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

/// A small deterministic random generator, so fuzz failures can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
