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
}
