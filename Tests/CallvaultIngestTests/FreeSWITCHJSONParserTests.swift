import Foundation
import Testing
import CallvaultIngest
import CallvaultModel

@Suite struct FreeSWITCHJSONParserTests {
    let parser = FSFixture.jsonParser

    private func rejection(_ data: Data) -> String? {
        do {
            _ = try parser.parse(data: data)
            return nil
        } catch {
            return error.reason
        }
    }

    /// The variables of an a-leg with `changes` applied (nil removes a variable).
    private func variables(_ changes: [String: String?]) -> [String: String] {
        var v = FSFixture.variables()
        for (name, value) in changes { v[name] = value }
        return v
    }

    // MARK: good documents

    @Test func anAnsweredInboundALegParses() throws {
        let call = try parser.parse(data: FSFixture.json())
        #expect(call.format == "freeswitch-json")
        #expect(call.sourceKey == "freeswitch-json:2026-10-23:\(FSFixture.aLeg)")
        #expect(call.uniqueID == FSFixture.aLeg)
        #expect(call.linkedID == FSFixture.aLeg)
        #expect(call.callerName == "Öhman Pekka")
        #expect(call.from.e164 == "+358401112223")
        #expect(call.to.e164 == "+358923456789")
        #expect(call.context == "public")
        #expect(call.direction == .inbound)
        #expect(call.agent == "1004", "from dialed_user / bridge_channel")
        #expect(call.disposition == "answered")
        #expect(call.start == FSFixture.utc("2026-10-23T05:12:03Z"))
        #expect(call.answer == FSFixture.utc("2026-10-23T05:12:09Z"))
        #expect(call.end == FSFixture.utc("2026-10-23T05:15:40Z"))
        #expect(call.durationSeconds == 217)
        #expect(call.billableSeconds == 211)
        #expect(call.details["record_file_name"] == "\(FSFixture.aLeg).wav")
        #expect(call.details["sip_call_id"] == "5c2f9e8a-41d7@10.20.0.2")
        #expect(call.details["hangup_cause"] == "NORMAL_CLEARING")
        #expect(call.details["read_codec"] == "PCMA")
        #expect(call.details["leg"] == "a")
        #expect(call.details["start_uepoch"] == nil, "variables are not dumped")
        #expect(call.details.count <= 8)
    }

    @Test func theBLegNamesTheALegAsItsLinkedID() throws {
        var v = FSFixture.variables(uuid: FSFixture.bLeg)
        v["direction"] = "outbound"
        v["originator"] = FSFixture.aLeg
        v["originating_leg_uuid"] = FSFixture.aLeg
        v["channel_name"] = "sofia/internal/1004@10.20.0.14:5060"
        v["record_file_name"] = nil
        var profile = FSFixture.profile(uuid: FSFixture.bLeg)
        profile["destination_number"] = "1004"
        profile["context"] = "default"
        profile["chan_name"] = "sofia/internal/1004@10.20.0.14:5060"
        let aLeg = try parser.parse(data: FSFixture.json())
        let bLeg = try parser.parse(data: FSFixture.json(variables: v, profile: profile, originator: FSFixture.profile()))
        #expect(bLeg.uniqueID == FSFixture.bLeg)
        #expect(bLeg.linkedID == aLeg.linkedID)
        #expect(bLeg.linkedID == FSFixture.aLeg)
        #expect(bLeg.sourceKey != aLeg.sourceKey)
        #expect(bLeg.direction == .inbound)
        #expect(bLeg.agent == "1004")
        #expect(bLeg.details["leg"] == "b")
    }

    @Test func aBLegNamedOnlyInTheCallerProfilesOriginatorIsLinkedToo() throws {
        var v = FSFixture.variables(uuid: FSFixture.bLeg)
        v["direction"] = "outbound"
        let bLeg = try parser.parse(data: FSFixture.json(variables: v, profile: FSFixture.profile(uuid: FSFixture.bLeg),
                                                         originator: FSFixture.profile()))
        #expect(bLeg.linkedID == FSFixture.aLeg)
    }

    @Test func anOutboundCallWhoseCallerIDWasRewrittenKeepsTheAgentFromTheChannel() throws {
        var v = variables(["channel_name": "sofia/internal/1003@pbx.example", "answer_epoch": "0", "answer_uepoch": "0",
                           "answer_stamp": nil, "billsec": "0", "hangup_cause": "USER_BUSY", "dialed_user": nil,
                           "bridge_channel": nil, "last_arg": "sofia/gateway/operator/0449876543"])
        v["caller_id_number"] = "+358923456789"
        var profile = FSFixture.profile()
        profile["caller_id_name"] = "Jari Lahtinen"
        profile["destination_number"] = "0449876543"
        profile["context"] = "default"
        profile["chan_name"] = "sofia/internal/1003@pbx.example"
        var times = FSFixture.times
        times["answered_time"] = "0"
        let call = try parser.parse(data: FSFixture.json(variables: v, profile: profile, times: times))
        #expect(call.direction == .outbound)
        #expect(call.agent == "1003")
        #expect(call.disposition == "busy")
        #expect(call.answer == nil)
        #expect(call.to.e164 == "+358449876543")
    }

    @Test func anInternalCallIsInternal() throws {
        var profile = FSFixture.profile()
        profile["caller_id_number"] = "1001"
        profile["caller_id_name"] = "Mikko Salo"
        profile["destination_number"] = "1004"
        profile["context"] = "default"
        let call = try parser.parse(data: FSFixture.json(profile: profile))
        #expect(call.direction == .internal)
        #expect(call.agent == "1001")
    }

    @Test func fusionPBXsCallDirectionWins() throws {
        let call = try parser.parse(data: FSFixture.json(variables: variables(["call_direction": "local"])))
        #expect(call.direction == .internal)
    }

    @Test(arguments: [("NO_ANSWER", "no-answer"), ("ORIGINATOR_CANCEL", "no-answer"), ("USER_BUSY", "busy"),
                      ("CALL_REJECTED", "failed"), ("NORMAL_CIRCUIT_CONGESTION", "congestion"), ("NORMAL_CLEARING", "no-answer")])
    func anUnansweredLegTakesItsDispositionFromTheHangupCause(cause: String, disposition: String) throws {
        let v = variables(["answer_epoch": "0", "answer_uepoch": "0", "answer_stamp": nil, "billsec": "0", "hangup_cause": cause])
        var times = FSFixture.times
        times["answered_time"] = "0"
        let call = try parser.parse(data: FSFixture.json(variables: v, times: times))
        #expect(call.disposition == disposition)
        #expect(call.answer == nil)
    }

    // MARK: encodings and sources of time

    @Test func urlEncodedValuesAreDecoded() throws {
        var v = FSFixture.variables()
        v["caller_id_name"] = "Äijälä, Sanna & \"Co\" 100%"
        let call = try parser.parse(data: FSFixture.json(variables: v, encode: true))
        #expect(call.callerName == "Äijälä, Sanna & \"Co\" 100%")
        #expect(call.details["record_file_name"] == "\(FSFixture.aLeg).wav")
        #expect(call.details["sip_call_id"] == "5c2f9e8a-41d7@10.20.0.2")
        #expect(call.start == FSFixture.utc("2026-10-23T05:12:03Z"))
    }

    @Test func plainValuesThatLookEncodedAreLeftAlone() throws {
        var v = FSFixture.variables()
        v["caller_id_name"] = "Discount%20Oy"
        let call = try parser.parse(data: FSFixture.json(variables: v))
        #expect(call.callerName == "Discount%20Oy", "the stamps hold a plain space, so the document is not encoded")
    }

    @Test func epochsWinOverStampsAndMicrosecondsAreTruncatedToSeconds() throws {
        let v = variables(["start_stamp": "2026-10-23 23:59:59"])
        let call = try parser.parse(data: FSFixture.json(variables: v))
        #expect(call.start == FSFixture.utc("2026-10-23T05:12:03Z"))
    }

    @Test func theSecondsEpochIsUsedWhenThereIsNoMicrosecondOne() throws {
        let v = variables(["start_uepoch": nil, "start_epoch": "1792732324"])
        let call = try parser.parse(data: FSFixture.json(variables: v, times: nil))
        #expect(call.start == FSFixture.utc("2026-10-23T05:12:04Z"))
    }

    @Test func theCallflowTimesAreUsedWhenTheVariablesHaveNoEpochs() throws {
        let v = variables(["start_epoch": nil, "start_uepoch": nil, "answer_epoch": nil, "answer_uepoch": nil,
                           "end_epoch": nil, "end_uepoch": nil, "start_stamp": nil, "answer_stamp": nil, "end_stamp": nil])
        let call = try parser.parse(data: FSFixture.json(variables: v))
        #expect(call.start == FSFixture.utc("2026-10-23T05:12:03Z"))
        #expect(call.answer == FSFixture.utc("2026-10-23T05:12:09Z"))
        #expect(call.end == FSFixture.utc("2026-10-23T05:15:40Z"))
    }

    @Test func localStampsAreTheLastResortAndResolveTheAutumnChange() throws {
        let v = variables(["start_epoch": nil, "start_uepoch": nil, "answer_epoch": nil, "answer_uepoch": nil,
                           "end_epoch": nil, "end_uepoch": nil, "start_stamp": "2026-10-25 03:58:30",
                           "answer_stamp": "2026-10-25 03:58:36", "end_stamp": "2026-10-25 03:01:10",
                           "duration": "160", "billsec": "154"])
        let call = try parser.parse(data: FSFixture.json(variables: v, times: nil))
        #expect(call.start == FSFixture.utc("2026-10-25T00:58:30Z"))
        #expect(call.answer == FSFixture.utc("2026-10-25T00:58:36Z"))
        #expect(call.end == FSFixture.utc("2026-10-25T01:01:10Z"))
    }

    @Test func missingOptionalVariablesStillGiveACall() throws {
        let v = ["uuid": FSFixture.aLeg, "start_uepoch": "1792732323402117", "end_uepoch": "1792732540018221",
                 "hangup_cause": "NO_ANSWER"]
        let call = try parser.parse(data: FSFixture.json(variables: v, profile: nil))
        #expect(call.durationSeconds == 217)
        #expect(call.billableSeconds == 0)
        #expect(call.from.category == .withheld)
        #expect(call.callerName == nil)
        #expect(call.context == nil)
        #expect(call.disposition == "no-answer")
        #expect(call.details["record_file_name"] == nil)
    }

    @Test func durationAndBillsecAreComputedWhenMissing() throws {
        let call = try parser.parse(data: FSFixture.json(variables: variables(["duration": nil, "billsec": nil])))
        #expect(call.durationSeconds == 217)
        #expect(call.billableSeconds == 211)
    }

    @Test func olderVersionsRepeatedCallflowKeyIsRead() throws {
        let text = #"{"core-uuid":"c","variables":{"uuid":"\#(FSFixture.aLeg)","start_uepoch":"1792732323402117","hangup_cause":"NO_ANSWER"},"callflow":{"caller_profile":{"caller_id_number":"0401112223","destination_number":"1004","context":"default"},"times":{"created_time":"1792732323402117","hangup_time":"1792732353000000"}}}"#
        let call = try parser.parse(data: Data(text.utf8))
        #expect(call.from.e164 == "+358401112223")
        #expect(call.agent == "1004")
        #expect(call.end == FSFixture.utc("2026-10-23T05:12:33Z"))
    }

    // MARK: rejected documents

    @Test(arguments: ["", "not json", "{\"variables\": {", "<cdr></cdr>", "[1,2,3]", "\"text\""])
    func somethingThatIsNotAJSONObjectIsRejected(text: String) throws {
        let reason = try #require(rejection(Data(text.utf8)))
        #expect(reason.contains("JSON") || reason.contains("empty"))
    }

    @Test func aJSONObjectWithoutVariablesIsRejected() throws {
        let reason = try #require(rejection(FSFixture.json(variables: nil)))
        #expect(reason.contains("variables"))
    }

    @Test func aDocumentWithoutAUUIDIsRejected() throws {
        let reason = try #require(rejection(FSFixture.json(variables: variables(["uuid": nil]), profile: nil)))
        #expect(reason.contains("uuid"))
    }

    @Test func aDocumentWithoutAnyStartTimeIsRejected() throws {
        let v = variables(["start_epoch": nil, "start_uepoch": nil, "start_stamp": nil])
        let reason = try #require(rejection(FSFixture.json(variables: v, times: nil)))
        #expect(reason.contains("start"))
    }

    @Test func badValuesAreRejectedNamingTheVariable() throws {
        let cases: [([String: String?], String)] = [
            (["start_uepoch": "yesterday"], "start_uepoch"),
            (["end_epoch": "-5", "end_uepoch": nil], "end_epoch"),
            (["start_uepoch": nil, "start_epoch": nil, "start_stamp": "2026-02-30 10:00:00"], "start_stamp"),
            (["duration": "lots"], "duration"),
            (["billsec": "9999"], "billsec"),
            (["hangup_cause": "hung up"], "hangup_cause"),
            (["end_uepoch": "1792732000000000"], "end"),
        ]
        for (changes, field) in cases {
            let times: [String: String]? = changes.keys.contains("start_stamp") ? nil : FSFixture.times
            let text = try #require(rejection(FSFixture.json(variables: variables(changes), times: times)), "\(field)")
            #expect(text.contains(field), "\(text)")
        }
    }

    @Test func aTenMegabyteValueDoesNotCrash() throws {
        let huge = String(repeating: "v=0 o=- 0 0 IN IP4 10.0.0.1 ", count: 10 * 1024 * 1024 / 28)
        let call = try parser.parse(data: FSFixture.json(variables: variables(["switch_r_sdp": huge])))
        #expect(call.uniqueID == FSFixture.aLeg)
        let reason = try #require(rejection(FSFixture.json(variables: variables(["caller_id_name": huge]))))
        #expect(reason.contains("caller_id_name"))
        #expect(reason.utf8.count < 200)
    }

    @Test func noRejectReasonEchoesTheCallersNumber() throws {
        var profile = FSFixture.profile()
        profile["caller_id_number"] = "0409876543"
        profile["destination_number"] = "0508765432"
        let bad: [Data] = [
            FSFixture.json(variables: variables(["hangup_cause": "call 0409876543"]), profile: profile),
            FSFixture.json(variables: variables(["start_uepoch": "0409876543x"]), profile: profile),
            FSFixture.json(variables: variables(["billsec": "99999"]), profile: profile),
            FSFixture.json(variables: variables(["uuid": nil]), profile: nil),
            Data("{\"variables\": \"0409876543\"}".utf8),
            Data("0409876543 0508765432".utf8),
        ]
        for data in bad {
            let text = rejection(data) ?? ""
            #expect(!text.isEmpty)
            for digits in ["9876543", "8765432"] {
                #expect(!text.contains(digits), "\(text)")
            }
        }
    }

    // MARK: detection

    @Test func looksLikeDocumentWantsAJSONObjectWithFreeSWITCHKeys() {
        #expect(FreeSWITCHJSONParser.looksLikeDocument(Array(FSFixture.json())))
        #expect(FreeSWITCHJSONParser.looksLikeDocument([0xEF, 0xBB, 0xBF] + Array("\n {\"core-uuid\": \"x\"".utf8)))
        #expect(!FreeSWITCHJSONParser.looksLikeDocument(Array("{\"customer\": 1}".utf8)))
        #expect(!FreeSWITCHJSONParser.looksLikeDocument(Array(FSFixture.xml())))
        #expect(!FreeSWITCHJSONParser.looksLikeDocument(Array(FSFixture.csvLine().utf8)))
        #expect(!FreeSWITCHJSONParser.looksLikeDocument([]))
    }
}
