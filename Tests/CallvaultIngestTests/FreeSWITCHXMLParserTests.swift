import Foundation
import Testing
import CallvaultIngest
import CallvaultModel

@Suite struct FreeSWITCHXMLParserTests {
    let parser = FSFixture.xmlParser

    private func rejection(_ data: Data) -> String? {
        do {
            _ = try parser.parse(data: data)
            return nil
        } catch {
            return error.reason
        }
    }

    private func variables(_ changes: [String: String?]) -> [String: String] {
        var v = FSFixture.variables()
        for (name, value) in changes { v[name] = value }
        return v
    }

    // MARK: good documents

    @Test func anAnsweredInboundALegParsesWithItsValuesDecoded() throws {
        let data = FSFixture.xml()
        #expect(String(decoding: data, as: UTF8.self).contains("<start_stamp>2026-10-23%2008%3A12%3A03</start_stamp>"))
        let call = try parser.parse(data: data)
        #expect(call.format == "freeswitch-xml")
        #expect(call.sourceKey == "freeswitch-xml:2026-10-23:\(FSFixture.aLeg)")
        #expect(call.uniqueID == FSFixture.aLeg)
        #expect(call.linkedID == FSFixture.aLeg)
        #expect(call.callerName == "Öhman Pekka")
        #expect(call.from.e164 == "+358401112223")
        #expect(call.to.e164 == "+358923456789")
        #expect(call.direction == .inbound)
        #expect(call.agent == "1004")
        #expect(call.disposition == "answered")
        #expect(call.start == FSFixture.utc("2026-10-23T05:12:03Z"))
        #expect(call.answer == FSFixture.utc("2026-10-23T05:12:09Z"))
        #expect(call.end == FSFixture.utc("2026-10-23T05:15:40Z"))
        #expect(call.durationSeconds == 217)
        #expect(call.billableSeconds == 211)
        #expect(call.details["record_file_name"] == "\(FSFixture.aLeg).wav")
        #expect(call.details["sip_call_id"] == "5c2f9e8a-41d7@10.20.0.2")
    }

    @Test func urlEncodedUTF8AndReservedCharactersAreDecoded() throws {
        let call = try parser.parse(data: FSFixture.xml(variables: variables([
            "caller_id_name": "Kahvila \"Kulma\" Oy <&> 50% äö", "caller_id_number": "+358 9 612 3456",
        ])))
        #expect(call.callerName == "Kahvila \"Kulma\" Oy <&> 50% äö")
        #expect(call.from.e164 == "+35896123456", "%2B is a plus, never a space")
    }

    @Test func theBLegNamesTheALegAsItsLinkedID() throws {
        var v = FSFixture.variables(uuid: FSFixture.bLeg)
        v["direction"] = "outbound"
        v["originator"] = FSFixture.aLeg
        var profile = FSFixture.profile(uuid: FSFixture.bLeg)
        profile["destination_number"] = "1004"
        profile["context"] = "default"
        let bLeg = try parser.parse(data: FSFixture.xml(variables: v, profile: profile, originator: FSFixture.profile()))
        let aLeg = try parser.parse(data: FSFixture.xml())
        #expect(bLeg.linkedID == aLeg.linkedID)
        #expect(bLeg.linkedID == FSFixture.aLeg)
        #expect(bLeg.agent == "1004")
        var onlyProfile = FSFixture.variables(uuid: FSFixture.bLeg)
        onlyProfile["direction"] = "outbound"
        let fromProfile = try parser.parse(data: FSFixture.xml(variables: onlyProfile, profile: profile, originator: FSFixture.profile()))
        #expect(fromProfile.linkedID == FSFixture.aLeg, "the caller profile's <originator> names the a-leg too")
    }

    @Test func anUnansweredOutboundLegIsNoAnswer() throws {
        let v = variables(["answer_epoch": "0", "answer_uepoch": "0", "answer_stamp": nil, "billsec": "0",
                           "hangup_cause": "NO_ANSWER", "channel_name": "sofia/internal/1001@pbx.example",
                           "dialed_user": nil, "bridge_channel": nil, "last_arg": "sofia/gateway/operator/0046701234567"])
        var profile = FSFixture.profile()
        profile["caller_id_number"] = "1001"
        profile["caller_id_name"] = "Mikko Salo"
        profile["destination_number"] = "0046701234567"
        profile["context"] = "default"
        var times = FSFixture.times
        times["answered_time"] = "0"
        let call = try parser.parse(data: FSFixture.xml(variables: v, profile: profile, times: times))
        #expect(call.direction == .outbound)
        #expect(call.disposition == "no-answer")
        #expect(call.agent == "1001")
        #expect(call.to.e164 == "+46701234567")
    }

    @Test func theCallflowTimesAndUniqueIDAreUsedWhenVariablesLackThem() throws {
        let v = variables(["uuid": nil, "start_epoch": nil, "start_uepoch": nil, "answer_epoch": nil, "answer_uepoch": nil,
                           "end_epoch": nil, "end_uepoch": nil])
        // Only the callflow's unique-id attribute names the leg.
        let text = String(decoding: FSFixture.xml(variables: v), as: UTF8.self)
            .replacingOccurrences(of: "<uuid>\(FSFixture.aLeg)</uuid>", with: "")
        #expect(text.contains("unique-id=\"\(FSFixture.aLeg)\""))
        let call = try parser.parse(data: Data(text.utf8))
        #expect(call.uniqueID == FSFixture.aLeg, "from <callflow unique-id=…>")
        #expect(call.start == FSFixture.utc("2026-10-23T05:12:03Z"))
        #expect(call.answer == FSFixture.utc("2026-10-23T05:12:09Z"))
    }

    @Test func missingOptionalVariablesStillGiveACall() throws {
        let v = ["uuid": FSFixture.aLeg, "start_stamp": "2026-10-23 08:12:03", "end_stamp": "2026-10-23 08:12:33",
                 "hangup_cause": "ORIGINATOR_CANCEL"]
        let call = try parser.parse(data: FSFixture.xml(variables: v, profile: nil))
        #expect(call.start == FSFixture.utc("2026-10-23T05:12:03Z"))
        #expect(call.durationSeconds == 30)
        #expect(call.disposition == "no-answer")
        #expect(call.from.category == .withheld)
    }

    // MARK: rejected documents

    @Test(arguments: ["", "not xml at all", "{\"variables\": {}}", "<cdr><variables><uuid>x</uuid></variables>", "<cdr><a></b></cdr>"])
    func somethingThatIsNotWellFormedXMLIsRejected(text: String) throws {
        let reason = try #require(rejection(Data(text.utf8)))
        #expect(reason.contains("XML") || reason.contains("empty"))
    }

    @Test func anXMLDocumentThatIsNotACDRIsRejected() throws {
        let reason = try #require(rejection(Data("<?xml version=\"1.0\"?><html><body>0409876543</body></html>".utf8)))
        #expect(reason.contains("<cdr>"))
        #expect(!reason.contains("9876543"))
    }

    @Test func aCDRWithoutVariablesIsRejected() throws {
        let reason = try #require(rejection(Data("<cdr core-uuid=\"x\"><channel_data></channel_data></cdr>".utf8)))
        #expect(reason.contains("variables"))
    }

    @Test func badValuesAreRejectedNamingTheVariable() throws {
        let cases: [([String: String?], String)] = [
            (["start_uepoch": "soon"], "start_uepoch"),
            (["billsec": "9999"], "billsec"),
            (["hangup_cause": "who knows"], "hangup_cause"),
            (["uuid": nil], "uuid"),
        ]
        for (changes, field) in cases {
            let text = try #require(rejection(FSFixture.xml(variables: variables(changes), profile: nil)), "\(field)")
            #expect(text.contains(field), "\(text)")
        }
    }

    @Test func aTenMegabyteValueDoesNotCrash() throws {
        let huge = String(repeating: "a=rtpmap:8 PCMA/8000 ", count: 10 * 1024 * 1024 / 21)
        // libxml2 refuses a text node over 10 MB: the document is rejected with a reason, never a crash.
        let tooBig = try #require(rejection(FSFixture.xml(variables: variables(["switch_r_sdp": huge]))))
        #expect(tooBig.contains("10 MB"))
        #expect(tooBig.utf8.count < 200)
    }

    @Test func aLargeVariableTheCallDoesNotUseIsSkipped() throws {
        let large = String(repeating: "a=rtpmap:8 PCMA/8000 ", count: 3 * 1024 * 1024 / 21)
        let call = try parser.parse(data: FSFixture.xml(variables: variables(["switch_r_sdp": large])))
        #expect(call.uniqueID == FSFixture.aLeg)
        let text = try #require(rejection(FSFixture.xml(variables: variables(["caller_id_name": large]))))
        #expect(text.contains("caller_id_name"))
        #expect(text.utf8.count < 200)
    }

    @Test func noRejectReasonEchoesTheCallersNumber() throws {
        var profile = FSFixture.profile()
        profile["caller_id_number"] = "0409876543"
        let bad: [Data] = [
            FSFixture.xml(variables: variables(["hangup_cause": "call 0409876543"]), profile: profile),
            FSFixture.xml(variables: variables(["start_uepoch": "0409876543x"]), profile: profile),
            FSFixture.xml(variables: variables(["caller_id_number": "0409876543", "billsec": "99999"]), profile: profile),
            Data("<cdr><variables><caller_id_number>0409876543</caller_id_number>".utf8),
            Data("<list><n>0409876543</n></list>".utf8),
        ]
        for data in bad {
            let text = rejection(data) ?? ""
            #expect(!text.isEmpty)
            #expect(!text.contains("9876543"), "\(text)")
        }
    }

    // MARK: detection

    @Test func looksLikeDocumentWantsACDRRoot() {
        #expect(FreeSWITCHXMLParser.looksLikeDocument(Array(FSFixture.xml())))
        #expect(FreeSWITCHXMLParser.looksLikeDocument(Array("<cdr core-uuid=\"x\">".utf8)))
        #expect(!FreeSWITCHXMLParser.looksLikeDocument(Array("<?xml version=\"1.0\"?><html></html>".utf8)))
        #expect(!FreeSWITCHXMLParser.looksLikeDocument(Array(FSFixture.json())))
        #expect(!FreeSWITCHXMLParser.looksLikeDocument(Array(FSFixture.csvLine().utf8)))
        #expect(!FreeSWITCHXMLParser.looksLikeDocument([]))
    }
}
