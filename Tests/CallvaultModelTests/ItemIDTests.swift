import Foundation
import Testing
import CallvaultModel

@Suite struct ItemIDTests {
    @Test(arguments: ["call-1", "call-42", "sms-3", "rec-7", "call-9223372036854775807"])
    func parsedIdsPrintAsWritten(text: String) throws {
        let id = try #require(ItemID(text))
        #expect(id.description == text)
    }

    @Test func parsedIdsHaveTheirKindAndNumber() throws {
        let call = try #require(ItemID("call-42"))
        #expect(call.kind == .call)
        #expect(call.number == 42)
        #expect(ItemID("rec-7")?.kind == .recording)
        #expect(ItemID("sms-3")?.kind == .sms)
    }

    @Test(arguments: ItemKind.allCases)
    func printedIdsParseBack(kind: ItemKind) {
        for number: Int64 in [1, 2, 99, 123_456_789] {
            let id = ItemID(kind: kind, number: number)
            #expect(ItemID(id.description) == id)
        }
    }

    @Test(arguments: ["call-0", "foo-1", "call-x", "call-", "-1", "call", "", "call--1", "CALL-1", "call-1.5",
                      "recording-1", "call-99999999999999999999", " call-1"])
    func malformedIdsAreRejected(text: String) {
        #expect(ItemID(text) == nil)
    }

    @Test(arguments: ["call-+5", "call-007"])
    func idsThatWouldNotPrintBackAreRejected(text: String) {
        #expect(ItemID(text) == nil)
    }

    @Test func idsRoundTripThroughJSON() throws {
        let ids = [ItemID(kind: .call, number: 1), ItemID(kind: .recording, number: 77)]
        let data = try JSONEncoder().encode(ids)
        #expect(String(decoding: data, as: UTF8.self) == #"["call-1","rec-77"]"#)
        #expect(try JSONDecoder().decode([ItemID].self, from: data) == ids)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ItemID].self, from: Data(#"["call-0"]"#.utf8)) }
    }
}
