import Foundation
import CallvaultTesting
import Testing
import CallvaultIngest
import CallvaultModel

@Suite struct RecordingNameParserTests {
    let parser = RecordingNameParser(normalizer: PhoneNumberNormalizer(countryCode: "358"),
                                     clock: LocalTimeConverter(timeZone: helsinki))

    @Test func anInboundRecordingNamesTheDIDTheCallerTheTimeAndTheCall() {
        let name = "in-0923456789-0401234567-20261023-091422-1792736062.57.wav"
        let meta = parser.parse(fileName: name)
        #expect(meta.type == "in")
        #expect(meta.direction == .inbound)
        #expect(meta.to?.e164 == "+358923456789")
        #expect(meta.from?.e164 == "+358401234567")
        #expect(meta.callUniqueID == "1792736062.57")
        #expect(meta.start == utc("2026-10-23T06:14:22Z"))
        #expect(meta.sourceKey == "freepbx-monitor:1792736062.57:\(name)")
        #expect(meta.agent == nil)
        #expect(meta.queue == nil)
    }

    @Test func anOutboundRecordingNamesTheDialledNumberAndTheAgent() {
        let meta = parser.parse(fileName: "out-0401112223-1002-20261023-091422-1792736062.58.wav")
        #expect(meta.type == "out")
        #expect(meta.direction == .outbound)
        #expect(meta.to?.e164 == "+358401112223")
        #expect(meta.from?.category == .extension)
        #expect(meta.agent == "1002")
        #expect(meta.callUniqueID == "1792736062.58")
    }

    @Test func aQueueRecordingNamesTheQueueAndTheCaller() {
        let meta = parser.parse(fileName: "q-400-+358507654321-20261023-091422-1792736062.59.wav")
        #expect(meta.type == "q")
        #expect(meta.direction == .inbound)
        #expect(meta.queue == "400")
        #expect(meta.from?.e164 == "+358507654321")
        #expect(meta.callUniqueID == "1792736062.59")
    }

    @Test func aRingGroupRecordingNamesTheGroupAndTheCaller() {
        let meta = parser.parse(fileName: "rg-600-0401234567-20260115-120000-1768471200.3.wav")
        #expect(meta.type == "rg")
        #expect(meta.direction == .inbound)
        #expect(meta.queue == "600")
        #expect(meta.from?.e164 == "+358401234567")
        #expect(meta.start == utc("2026-01-15T10:00:00Z"))
    }

    @Test func anExtensionToExtensionRecordingIsInternal() {
        let meta = parser.parse(fileName: "exten-1004-1001-20261023-091422-1792736062.60.wav")
        #expect(meta.type == "exten")
        #expect(meta.direction == .internal)
        #expect(meta.to?.raw == "1004")
        #expect(meta.from?.raw == "1001")
        #expect(meta.agent == "1004")
    }

    @Test func anExtensionRecordingFromAnOutsideCallerIsInbound() {
        let meta = parser.parse(fileName: "exten-1004-0401234567-20261023-091422-1792736062.61.wav")
        #expect(meta.direction == .inbound)
        #expect(meta.agent == "1004")
        #expect(meta.from?.e164 == "+358401234567")
    }

    @Test func anExternalRecordingIsReadLikeAnExtensionRecording() {
        let meta = parser.parse(fileName: "external-0401234567-1001-20261023-091422-1792736062.62.wav")
        #expect(meta.type == "external")
        #expect(meta.direction == .outbound)
        #expect(meta.to?.e164 == "+358401234567")
        #expect(meta.from?.raw == "1001")
        #expect(meta.callUniqueID == "1792736062.62")
    }

    @Test func anOtherTypeStillLinksToItsCall() {
        let meta = parser.parse(fileName: "ondemand-1001-0401234567-20261023-091422-1792736062.63.wav")
        #expect(meta.type == "ondemand")
        #expect(meta.callUniqueID == "1792736062.63")
        #expect(meta.direction == nil)
    }

    @Test func aUniqueIDWithoutAFractionIsAccepted() {
        #expect(parser.parse(fileName: "in-0923456789-0401234567-20261023-091422-1792736062.wav").callUniqueID == "1792736062")
    }

    @Test func aNameWithoutNumbersStillLinksToItsCall() {
        let meta = parser.parse(fileName: "in--20261023-091422-1792736062.1.wav")
        #expect(meta.callUniqueID == "1792736062.1")
        #expect(meta.to == nil)
    }

    @Test func aRecordingAtTheRepeatedAutumnHourTakesTheFirstInstant() {
        let meta = parser.parse(fileName: "in-0923456789-0401234567-20261025-033000-1792900000.1.wav")
        #expect(meta.start == utc("2026-10-25T00:30:00Z"))
    }

    @Test(arguments: ["meeting.wav", "in-0923456789-0401234567.wav", "in-0923456789-0401234567-20261023-091422-abc.wav",
                      "in-0923456789-0401234567-20261323-091422-1792736062.57.wav",
                      "in-0923456789-0401234567-20261023-251422-1792736062.57.wav",
                      "in-0923456789-0401234567-2026102-091422-1792736062.57.wav",
                      "in-0923456789-0401234567-20261023-091422-1.2.3.wav",
                      "in-0923456789-0401234567-20261023-091422-.5.wav"])
    func anUnknownNameGivesTypeUnknownAndNoCall(name: String) {
        let meta = parser.parse(fileName: name)
        #expect(meta.type == "unknown")
        #expect(meta.callUniqueID == nil)
        #expect(meta.start == nil)
        #expect(meta.sourceKey == "freepbx-monitor:-:\(name)")
    }

    @Test(arguments: ["../../etc/passwd.wav", "in 0401234567 call.wav", "in-040 123 4567-0401234567-20261023-091422-1.2.wav",
                      "line\nbreak-1-2-20261023-091422-1.wav", "äö-€-😀-20261023-091422-1.wav", "", ".wav", "-", "----",
                      "-----.wav", "in-a-b-2026👍23-091422-1.wav", "in-a-b-20261023-0914🙂-1.wav", "in-a-b-2026102\u{301}3-091422-1.wav",
                      "\u{0}-\u{0}-20261023-091422-1.wav", String(repeating: "-", count: 300) + ".wav"])
    func hostileNamesDoNotCrash(name: String) {
        let meta = parser.parse(fileName: name)
        #expect(meta.sourceKey.hasSuffix(name))
    }

    @Test func randomNamesDoNotCrash() {
        var random = SplitMix64(seed: 42)
        let alphabet = Array("0123456789-.-_in-out-q-rg-20261023-091422-äö😀 \n\u{301}")
        for _ in 0..<2000 {
            let length = Int.random(in: 0...60, using: &random)
            let name = String((0..<length).map { _ in alphabet.randomElement(using: &random)! }) + ".wav"
            let meta = parser.parse(fileName: name)
            #expect(meta.type == "unknown" || meta.callUniqueID != nil)
        }
    }
}
