import Foundation
import Testing
import CallvaultModel
@testable import CallvaultContract

/// The `item` document byte for byte: `ItemJSON` writes its fields one by one (not through the
/// generic Codable path), so these pin what it must keep writing: sorted keys, null for absent
/// list fields, times in UTC with Z, numbers as JSONEncoder writes them.
@Suite struct ItemJSONTests {
    let start = Date(timeIntervalSince1970: 1_773_473_400)  // 2026-03-14T07:30:00Z

    @Test func aSearchItemWritesEveryListedFieldAbsentOnesAsNull() {
        let item = ArchivedItem(id: ItemID(kind: .sms, number: 7), start: start, direction: nil, from: "+358401234567", to: nil,
                                durationSeconds: 0, disposition: nil, agent: nil, customers: [], recording: nil,
                                retainUntil: nil, holds: [])
        #expect(String(decoding: ContractJSON.encode(ItemJSON(item)), as: UTF8.self) == """
            {"agent":null,"customers":[],"direction":null,"disposition":null,"duration_s":0,"from":"+358401234567",\
            "holds":[],"id":"sms-7","kind":"sms","legs":[],"recording":null,"recordings":[],"restricted":false,\
            "retain_until":null,"retention_class":null,"start":"2026-03-14T07:30:00Z","to":null}
            """)
    }

    @Test func aCallWithLegsRecordingsHoldsAndQuotesInItsStrings() {
        let item = ArchivedItem(id: ItemID(kind: .call, number: 12), start: start, direction: .inbound, from: "+358401234567",
                                to: "ext \"2001\"/queue", durationSeconds: 124.5, disposition: "ANSWERED", agent: "SIP/2001",
                                customers: ["C001", "C002"], recording: ItemID(kind: .recording, number: 13),
                                retainUntil: Date(timeIntervalSince1970: 1_804_982_400), retentionClass: "calls",
                                holds: ["hold-1"], restricted: true,
                                legs: [ItemID(kind: .call, number: 12), ItemID(kind: .call, number: 14)],
                                recordings: [ItemID(kind: .recording, number: 13)])
        #expect(String(decoding: ContractJSON.encode(ItemJSON(item)), as: UTF8.self) == """
            {"agent":"SIP/2001","customers":["C001","C002"],"direction":"inbound","disposition":"ANSWERED","duration_s":124.5,\
            "from":"+358401234567","holds":["hold-1"],"id":"call-12","kind":"call","legs":["call-12","call-14"],\
            "recording":"rec-13","recordings":["rec-13"],"restricted":true,"retain_until":"2027-03-14T00:00:00Z",\
            "retention_class":"calls","start":"2026-03-14T07:30:00Z","to":"ext \\"2001\\"/queue"}
            """)
    }

    @Test func aShownRecordingAddsItsDetailAndBlob() throws {
        var item = ArchivedItem(id: ItemID(kind: .recording, number: 3), start: start, direction: .outbound, from: "+35891234567",
                                to: "+358401234567", durationSeconds: 1, disposition: nil, agent: nil, customers: ["C001"],
                                recording: nil, retainUntil: nil, holds: [])
        item.detail = ItemDetail(
            format: "asterisk-monitor", callerName: nil, context: nil, uniqueID: "1773473400.1", linkedID: nil,
            answer: start.addingTimeInterval(4), end: start.addingTimeInterval(64), billableSeconds: 60, fromRaw: "091234567",
            toRaw: "0401234567", sourceFields: ["file": "out.wav"], ingestedAt: start.addingTimeInterval(3600),
            call: ItemID(kind: .call, number: 1),
            blob: BlobDetail(sha256: String(repeating: "a", count: 64), bytes: 16044, storedBytes: 9000,
                             audio: AudioInfo(codec: "pcm_s16le", sampleRate: 8000, channels: 1, bitsPerSample: 16, durationSeconds: 1),
                             fileName: "out.wav"))
        let json = try #require(try JSONSerialization.jsonObject(with: ContractJSON.encode(ItemJSON(item))) as? [String: Any])
        #expect(json["answer"] as? String == "2026-03-14T07:30:04Z")
        #expect(json["end"] as? String == "2026-03-14T07:31:04Z")
        #expect(json["ingested_at"] as? String == "2026-03-14T08:30:00Z")
        #expect(json["billsec"] as? Int == 60)
        #expect(json["call"] as? String == "call-1")
        #expect(json["caller_name"] == nil, "absent detail fields are left out, not null")
        #expect(json["source_fields"] as? [String: String] == ["file": "out.wav"])
        let blob = try #require(json["blob"] as? [String: Any])
        #expect(blob["bytes"] as? Int == 16044)
        #expect(blob["sample_rate"] as? Int == 8000)
        #expect(blob["warning"] == nil)
    }

    /// The hand-written search result (`SearchResultJSON.jsonText`) is byte for byte what the
    /// contract's encoder writes, for items with every field absent or present, strings with
    /// quotes, backslashes, slashes, control characters and any Unicode, and any duration.
    @Test func aHandWrittenSearchResultIsWhatTheEncoderWrites() throws {
        var random = SplitMix64(seed: 20261126)
        let alphabet = Array("aZ09 \"\\/\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f}\u{7f}é€\u{2028}😀+-:")
        func text() -> String { String((0..<Int(random.next() % 12)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }) }
        func maybe(_ value: @autoclosure () -> String) -> String? { random.next() % 3 == 0 ? nil : value() }
        func ids(_ kind: ItemKind) -> [ItemID] { (0..<Int(random.next() % 4)).map { _ in ItemID(kind: kind, number: Int64(random.next() % 1_000_000)) } }
        let durations: [Double] = [0, 1, 124.5, 0.1, 1e-7, 305, 0.30000000000000004, 1e16, 2.5e15, 86_399.999]
        for round in 0..<200 {
            let items = (0..<Int(random.next() % 6)).map { _ in
                ArchivedItem(
                    id: ItemID(kind: [.call, .sms, .recording][Int(random.next() % 3)], number: Int64(random.next() % 10_000_000)),
                    start: Date(timeIntervalSince1970: Double(random.next() % 4_000_000_000)),
                    direction: [nil, .inbound, .outbound, .internal][Int(random.next() % 4)], from: maybe(text()), to: maybe(text()),
                    durationSeconds: durations[Int(random.next() % UInt64(durations.count))], disposition: maybe(text()), agent: maybe(text()),
                    customers: (0..<Int(random.next() % 3)).map { _ in text() }, recording: ids(.recording).first,
                    retainUntil: random.next() % 2 == 0 ? nil : Date(timeIntervalSince1970: Double(random.next() % 4_000_000_000)),
                    retentionClass: maybe(text()), holds: (0..<Int(random.next() % 3)).map { _ in "hold-\(random.next() % 100)" },
                    restricted: random.next() % 2 == 0, legs: ids(.call), recordings: ids(.recording))
            }
            let document = SearchResultJSON(SearchResult(total: Int(random.next() % 100_000), items: items))
            let written = try #require(document.jsonText, "a search result is written by hand")
            let encoded = try ContractJSON.encoder().encode(document)
            #expect(Data(written.bytes) == encoded, "round \(round): \(String(decoding: written.bytes, as: UTF8.self))")
        }
    }

    @Test func aResultWithShowsDetailIsLeftToTheEncoder() {
        var item = ArchivedItem(id: ItemID(kind: .call, number: 1), start: start, direction: nil, from: nil, to: nil, durationSeconds: 0,
                                disposition: nil, agent: nil, customers: [], recording: nil, retainUntil: nil, holds: [])
        #expect(SearchResultJSON(SearchResult(total: 1, items: [item])).jsonText != nil)
        item.detail = ItemDetail(format: "asterisk-csv", callerName: "Aino", context: nil, uniqueID: nil, linkedID: nil, answer: nil, end: nil,
                                 billableSeconds: nil, fromRaw: nil, toRaw: nil, sourceFields: [:], ingestedAt: start, call: nil, blob: nil)
        #expect(SearchResultJSON(SearchResult(total: 1, items: [item])).jsonText == nil)
        let json = String(decoding: ContractJSON.encode(SearchResultJSON(SearchResult(total: 1, items: [item]))), as: UTF8.self)
        #expect(json.contains("\"caller_name\":\"Aino\""))
    }
}

/// A seeded generator, so that a failing round can be run again.
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
