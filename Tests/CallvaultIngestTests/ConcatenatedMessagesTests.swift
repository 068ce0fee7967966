import Foundation
import Testing
@testable import CallvaultIngest
import CallvaultModel

/// Concatenated MO messages logged one line per part are one message each: the parts are
/// joined by SMSC, sender, recipient, UDH reference and part count.
@Suite struct ConcatenatedMessagesTests {
    static let normalizer = PhoneNumberNormalizer(countryCode: "358")
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    static func part(_ reference: Int, _ sequence: Int, of total: Int, from: String = "+358400000105", seconds: Double = 0,
                     length: Int? = 10, direction: Direction = .inbound, smsc: String? = "fake") -> SMSRecord {
        SMSRecord(sourceKey: "k:\(from):\(reference):\(sequence):\(seconds)", format: "kannel-access-log", messageID: nil,
                  time: start.addingTimeInterval(seconds), direction: direction, from: normalizer.normalize(from),
                  to: normalizer.normalize("+358923456789"), status: "received", parts: total, length: length, smsc: smsc,
                  part: MessagePart(reference: reference, total: total, sequence: sequence))
    }

    /// Feeds `records` (line numbers 1, 2, …) and returns what comes out, with the end of the file.
    static func join(_ records: [SMSRecord], window: TimeInterval = 3_600, capacity: Int = 4_096) -> [(record: SMSRecord, line: Int?)] {
        var joiner = ConcatenatedMessages(window: window, capacity: capacity)
        var out: [(record: SMSRecord, line: Int?)] = []
        for (index, record) in records.enumerated() { out += joiner.add(record, line: index + 1) }
        return out + joiner.finish()
    }

    @Test func threePartsAreOneMessageWithTheFirstPartsKeyAndTheSumOfTheirLengths() {
        let out = Self.join([Self.part(0x2A, 1, of: 3, length: 38), Self.part(0x2A, 2, of: 3, length: 20), Self.part(0x2A, 3, of: 3, length: 17)])
        #expect(out.count == 1)
        #expect(out[0].record.parts == 3 && out[0].record.length == 75 && out[0].record.part == nil)
        #expect(out[0].record.sourceKey == Self.part(0x2A, 1, of: 3).sourceKey && out[0].line == 1)
    }

    @Test func interleavedAndOutOfOrderPartsOfTwoMessagesAreTwoMessages() {
        let out = Self.join([
            Self.part(7, 2, of: 2), Self.part(7, 1, of: 2, from: "+358400000106"), Self.part(8, 1, of: 2),
            Self.part(7, 1, of: 2), Self.part(7, 2, of: 2, from: "+358400000106"), Self.part(8, 2, of: 2),
        ])
        #expect(out.map(\.line) == [1, 2, 3], "each message once, keyed by its first line")
        #expect(out.allSatisfy { $0.record.parts == 2 && $0.record.length == 20 })
    }

    @Test func aMessageMissingAPartIsKeptAtTheEndWithThePartsItDeclares() {
        let out = Self.join([Self.part(9, 1, of: 3, length: 5), Self.part(9, 3, of: 3, length: 7)])
        #expect(out.count == 1 && out[0].record.parts == 3 && out[0].record.length == 12 && out[0].line == 1)
    }

    @Test func aReusedReferenceStartsTheNextMessage() {
        // The same reference again (an 8-bit reference wraps after 256 messages), or an hour later.
        let reused = Self.join([Self.part(1, 1, of: 2), Self.part(1, 1, of: 2, seconds: 5), Self.part(1, 2, of: 2, seconds: 6)])
        #expect(reused.map(\.line) == [1, 2])
        #expect(reused[0].record.length == 10 && reused[1].record.length == 20)
        let late = Self.join([Self.part(1, 1, of: 2), Self.part(1, 2, of: 2, seconds: 7_200)])
        #expect(late.map(\.line) == [1, 2])
    }

    @Test func sentMessagesSinglePartsAndBadPartNumbersPassThroughAsTheyAre() {
        let out = Self.join([
            Self.part(3, 1, of: 2, direction: .outbound), Self.part(3, 2, of: 2, direction: .outbound),
            Self.part(4, 1, of: 1), Self.part(5, 0, of: 2), Self.part(5, 3, of: 2),
        ])
        #expect(out.map(\.line) == [1, 2, 3, 4, 5])
    }

    @Test func aFileOfOnlyFirstPartsNeverHoldsMoreThanItsCapacity() {
        let records = (0..<50).map { Self.part($0, 1, of: 2) }
        var joiner = ConcatenatedMessages(capacity: 10)
        var early = 0
        for (index, record) in records.enumerated() { early += joiner.add(record, line: index + 1).count }
        #expect(early == 40)
        #expect(joiner.finish().map(\.line) == Array(41...50), "the oldest go first, the rest in order at the end")
    }

    /// A hostile file of first parts, each of another reference: the oldest waiting message is
    /// handed out in order, and the opening-order list follows the open messages instead of
    /// growing with the file (so finding the oldest never walks the whole file's history).
    @Test func manyOpenMessagesAreHandedOutOldestFirstWithBoundedBookkeeping() {
        let capacity = 512
        var joiner = ConcatenatedMessages(capacity: capacity)
        var out: [Int?] = []
        var largestBookkeeping = 0
        for n in 0..<40_000 {
            out += joiner.add(Self.part(n % 65_536, 1, of: 2, from: "+3584000\(n / 1_000)0105"), line: n + 1).map(\.line)
            largestBookkeeping = max(largestBookkeeping, joiner.openingOrderEntries)
        }
        out += joiner.finish().map(\.line)
        #expect(out == (1...40_000).map { $0 })
        #expect(largestBookkeeping <= 2 * capacity + 1_024, "the opening-order list held \(largestBookkeeping) entries")
    }

    @Test func unknownLengthsJoinToAnUnknownLength() {
        let out = Self.join([Self.part(2, 1, of: 2, length: nil), Self.part(2, 2, of: 2, length: 4)])
        #expect(out.count == 1 && out[0].record.length == nil)
    }
}
