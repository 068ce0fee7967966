import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// A text file with a few bad bytes is still read by its good lines: a NUL byte, a stray
/// control byte or a cut last line rejects only its own line, named by number, and every other
/// record is kept exactly as if the damaged lines had not been there. Only a file that is
/// mostly not text is refused whole as binary.
@Suite struct TolerantDetectionTests {
    enum Source: String, CaseIterable, Sendable {
        case asteriskCSV, freeswitchCSV, freeswitchSQL, kannelLog, smsCSV

        var sample: String {
            switch self {
            case .asteriskCSV: "asterisk/cdr-csv/Master.csv"
            case .freeswitchCSV: "freeswitch/cdr-csv/Master.csv"
            case .freeswitchSQL: "freeswitch/cdr-sql/Master.csv"
            case .kannelLog: "sms/kannel-access.log"
            case .smsCSV: "sms/sms-gateway.csv"
            }
        }

        /// The 0-based index of the first line that holds a record.
        var firstRecordLine: Int { self == .smsCSV || self == .kannelLog ? 1 : 0 }
    }

    /// The sample's lines with damage done: a NUL in the first record, a NUL and a control
    /// byte in two later lines, and the last line cut off part-way (no line break).
    static func damaged(_ lines: [String], source: Source) -> (text: [UInt8], damagedLines: [Int]) {
        let first = source.firstRecordLine
        let targets = [first, first + 1, min(first + 2, lines.count - 2)]
        var out: [UInt8] = []
        for (i, line) in lines.enumerated() {
            var bytes = Array(line.utf8)
            if i == lines.count - 1 {
                out += bytes.prefix(bytes.count * 2 / 5)   // cut, and no line break
                continue
            }
            if let which = targets.firstIndex(of: i) { bytes[5] = which == 2 ? 0x01 : 0x00 }
            out += bytes + [0x0A]
        }
        return (out, (Set(targets).sorted() + [lines.count - 1]).map { $0 + 1 })
    }

    @Test(arguments: Source.allCases)
    func aFewBadBytesRejectOnlyTheirLines(source: Source) throws {
        let text = try String(contentsOf: TestArchive.samples.appendingPathComponent(source.sample), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        #expect(lines.count >= 3)
        let (damaged, damagedLines) = Self.damaged(lines, source: source)
        let name = (source.sample as NSString).lastPathComponent

        let withDamage = try TestArchive()
        let read = try withDamage.ingest(withDamage.input(name, Data(damaged)))
        let withoutThem = try TestArchive()
        let kept = lines.enumerated().filter { !damagedLines.contains($0.offset + 1) }.map(\.element)
        let reference = try withoutThem.ingest(withoutThem.input(name, kept.joined(separator: "\n") + "\n"))

        #expect(read.files == 1, "\(source): the file was read")
        #expect(read.rejected.allSatisfy { $0.line != nil }, "\(source): no whole-file rejection: \(read.rejected)")
        #expect(read.calls == reference.calls && read.sms == reference.sms,
                "\(source): \(read.calls) calls, \(read.sms) SMS vs \(reference.calls), \(reference.sms) without the damaged lines")
        let rejectedLines = Set(read.rejected.compactMap(\.line))
        #expect(Set(damagedLines).isSubset(of: rejectedLines), "\(source): damaged \(damagedLines), rejected \(rejectedLines.sorted())")
        // (A reference left with no line at all is refused whole as empty: only line rejects count.)
        #expect(read.rejected.count == reference.rejected.filter { $0.line != nil }.count + damagedLines.count,
                "\(source): each damaged line is rejected once, nothing else: \(read.rejected) vs \(reference.rejected)")
        if source != .kannelLog {
            for reject in read.rejected where damagedLines.dropLast().contains(reject.line ?? 0) {
                #expect(reject.reason.contains("NUL byte") || reject.reason.contains("control byte 0x01"), "\(source): \(reject.reason)")
            }
        }
    }

    @Test func aFileThatIsMostlyNotTextIsRefusedWholeAsBinary() throws {
        let archive = try TestArchive()
        var generator = SplitMix64(seed: 7)
        let noise = (0..<8192).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let summary = try archive.ingest(archive.input("dump.csv", Data(noise)))
        #expect(summary.calls == 0 && summary.sms == 0)
        #expect(summary.rejected.count == 1)
        #expect(summary.rejected.first?.line == nil)
        #expect(summary.rejected.first?.reason.contains("binary file") == true)
    }
}
