import Foundation
import CallvaultModel
import CallvaultArchive
import CallvaultContract

/// Writes command results: JSON on stdout, or text for people.
enum Output {
    static func json(_ value: some Encodable) {
        FileHandle.standardOutput.write(ContractJSON.encode(value))
        FileHandle.standardOutput.write(Data("\n".utf8))
    }

    static func text(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func error(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func isoUTC(_ date: Date) -> String { ContractJSON.isoUTC(date) }

    /// A time for people, in the archive's zone.
    static func local(_ date: Date, _ zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }
}
