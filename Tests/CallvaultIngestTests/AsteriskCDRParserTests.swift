import Foundation
import Testing
import CallvaultIngest
import CallvaultModel
import CallvaultTesting

@Suite struct AsteriskCDRParserTests {
    let parser = AsteriskCDRParser(normalizer: PhoneNumberNormalizer(countryCode: "358"),
                                   clock: LocalTimeConverter(timeZone: helsinki))

    private func parse(_ line: String, columns: Int = 21) throws -> Call {
        try parser.parse(Array(csvFields(line).prefix(columns)))
    }

    private func error(_ fields: [String]) -> IngestLineError? {
        do {
            _ = try parser.parse(fields)
            return nil
        } catch {
            return error
        }
    }

    // MARK: layouts

    @Test func theTwentyOneColumnLayoutParses() throws {
        let call = try parse(Samples.cdrLine(linkedID: "1773473400.0", sequence: 7))
        #expect(call.format == "asterisk-csv")
        #expect(call.uniqueID == "1773473400.1")
        #expect(call.linkedID == "1773473400.0")
        #expect(call.sourceKey == "asterisk-csv:1773473400.1:7")
        #expect(call.from.e164 == "+358401234567")
        #expect(call.from.raw == "0401234567")
        #expect(call.to.category == .extension)
        #expect(call.to.raw == "1001")
        #expect(call.callerName == "Mäkinen Jukka")
        #expect(call.context == "from-trunk")
        #expect(call.durationSeconds == 125)
        #expect(call.billableSeconds == 120)
        #expect(call.disposition == "answered")
        #expect(call.details["channel"] == "PJSIP/trunk-00000001")
        #expect(call.details["dstchannel"] == "PJSIP/1001-00000002")
        #expect(call.details["lastapp"] == "Dial")
        #expect(call.details["sequence"] == "7")
        #expect(call.details["clid"] == nil, "the caller id is in callerName/from, not repeated in details")
    }

    @Test func theEighteenColumnLayoutParsesWithUniqueIDAndNoSequence() throws {
        let call = try parse(Samples.cdrLine(), columns: 18)
        #expect(call.uniqueID == "1773473400.1")
        #expect(call.linkedID == "1773473400.1")
        #expect(call.sourceKey.hasPrefix("asterisk-csv:1773473400.1:"))
        #expect(call.from.e164 == "+358401234567")
        #expect(call.start == utc("2026-03-14T07:30:00Z"))
    }

    @Test func theSeventeenColumnLayoutParsesWithUniqueID() throws {
        let call = try parse(Samples.cdrLine(), columns: 17)
        #expect(call.uniqueID == "1773473400.1")
        #expect(call.sourceKey.hasPrefix("asterisk-csv:1773473400.1:"))
        #expect(call.disposition == "answered")
    }

    @Test func theSixteenColumnLayoutParsesWithoutUniqueID() throws {
        let call = try parse(Samples.cdrLine(), columns: 16)
        #expect(call.uniqueID == nil)
        #expect(call.linkedID == nil)
        #expect(call.sourceKey.hasPrefix("asterisk-csv:-:"))
        #expect(call.from.e164 == "+358401234567")
        #expect(call.agent == "1001")
    }

    @Test(arguments: [15, 19, 20, 22, 1])
    func otherFieldCountsAreRejectedNamingTheCount(columns: Int) throws {
        var fields = csvFields(Samples.cdrLine())
        while fields.count < columns { fields.append("") }
        let reason = try #require(error(Array(fields.prefix(columns)))).reason
        #expect(reason.contains("found \(columns)"))
        #expect(reason.contains("fields"))
        #expect(!reason.contains("401234567"))
    }

    // MARK: caller names

    @Test func aCallerNameWithACommaQuotesAndUTF8IsKeptWhole() throws {
        let clid = "\"Äänekosken Sähkö Oy, \"asiakaspalvelu\"\" <0201234567>"
        let line = Samples.cdrLine(src: "0201234567", clid: clid)
        #expect(line.contains(#""""Äänekosken Sähkö Oy, ""asiakaspalvelu"""" <0201234567>""#))
        let call = try parse(line)
        #expect(call.callerName == "Äänekosken Sähkö Oy, \"asiakaspalvelu\"")
        #expect(call.from.e164 == "+358201234567")
    }

    @Test func theNumberOfTheCallerIDIsUsedWhenSrcIsEmpty() throws {
        let call = try parse(Samples.cdrLine(src: "", clid: "\"Virtanen\" <+358 50 765 4321>"))
        #expect(call.from.e164 == "+358507654321")
        #expect(call.callerName == "Virtanen")
    }

    @Test(arguments: ["\"anonymous\" <anonymous>", "\"0401234567\" <0401234567>", "<0401234567>", "0401234567", ""])
    func aCallerNameThatIsOnlyANumberOrAnonymousIsDropped(clid: String) throws {
        let call = try parse(Samples.cdrLine(clid: clid))
        #expect(call.callerName == nil)
    }

    @Test func anAnonymousCallerIsWithheld() throws {
        let call = try parse(Samples.cdrLine(src: "anonymous", clid: "\"Anonymous\" <anonymous>"))
        #expect(call.from.category == .withheld)
        #expect(call.from.e164 == nil)
        #expect(call.direction == .inbound)
    }

    // MARK: dispositions

    @Test(arguments: [("ANSWERED", "answered"), ("NO ANSWER", "no-answer"), ("BUSY", "busy"),
                      ("FAILED", "failed"), ("CONGESTION", "congestion")])
    func allFiveDispositionsAreNormalised(written: String, normalised: String) throws {
        let answered = written == "ANSWERED"
        let call = try parse(Samples.cdrLine(answer: answered ? "2026-03-14 09:30:05" : "",
                                             billsec: answered ? 120 : 0, disposition: written))
        #expect(call.disposition == normalised)
    }

    @Test func anUnansweredCallHasNoAnswerTime() throws {
        let call = try parse(Samples.cdrLine(answer: "", end: "2026-03-14 09:30:30", duration: 30, billsec: 0,
                                             disposition: "NO ANSWER"))
        #expect(call.answer == nil)
        #expect(call.disposition == "no-answer")
        #expect(call.billableSeconds == 0)
        #expect(call.end == utc("2026-03-14T07:30:30Z"))
    }

    // MARK: rejected lines

    @Test func anUnknownDispositionIsRejectedNamingTheField() throws {
        let reason = try #require(error(csvFields(Samples.cdrLine(disposition: "MAYBE")))).reason
        #expect(reason.contains("disposition"))
        #expect(!reason.contains("401234567"))
    }

    @Test(arguments: ["14.3.2026 09:30", "2026-02-30 09:30:00", "", "0401234567"])
    func aBadStartTimeIsRejectedNamingTheField(start: String) throws {
        let reason = try #require(error(csvFields(Samples.cdrLine(start: start)))).reason
        #expect(reason.contains("start"))
        #expect(!reason.contains("401234567"))
    }

    @Test func aBadAnswerOrEndTimeIsRejectedNamingTheField() throws {
        let answer = try #require(error(csvFields(Samples.cdrLine(answer: "soon")))).reason
        #expect(answer.contains("answer"))
        let end = try #require(error(csvFields(Samples.cdrLine(end: "2026-03-14 9:32:05")))).reason
        #expect(end.contains("end"))
    }

    @Test(arguments: ["12x", "-5", "", "1.5", "0401234567999999999999"])
    func aNonNumericDurationIsRejectedNamingTheField(duration: String) throws {
        var fields = csvFields(Samples.cdrLine())
        fields[12] = duration
        let reason = try #require(error(fields)).reason
        #expect(reason.contains("duration"))
        #expect(!reason.contains("401234567"))
    }

    @Test func billableSecondsBeyondTheDurationAreRejected() throws {
        let reason = try #require(error(csvFields(Samples.cdrLine(duration: 10, billsec: 120)))).reason
        #expect(reason.contains("billsec"))
    }

    @Test func anAnsweredCallWithBillableSecondsNeedsAnAnswerTime() throws {
        let reason = try #require(error(csvFields(Samples.cdrLine(answer: "")))).reason
        #expect(reason.contains("answer"))
    }

    @Test func noRejectReasonEchoesThePhoneNumbersOfTheLine() {
        let src = "0409876543", dst = "0508765432"
        let bad: [[String]] = [
            csvFields(Samples.cdrLine(src: src, dst: dst, disposition: "WHO KNOWS")),
            csvFields(Samples.cdrLine(src: src, dst: dst, start: "x")),
            csvFields(Samples.cdrLine(src: src, dst: dst, answer: "x")),
            csvFields(Samples.cdrLine(src: src, dst: dst, end: "x")),
            csvFields(Samples.cdrLine(src: src, dst: dst, duration: 1, billsec: 9)),
            Array(csvFields(Samples.cdrLine(src: src, dst: dst)).prefix(12)),
        ]
        for fields in bad {
            let reason = error(fields)?.reason ?? ""
            #expect(!reason.isEmpty)
            for digits in ["9876543", "8765432", "358409876543"] {
                #expect(!reason.contains(digits), "\(reason)")
            }
        }
    }

    // MARK: direction and agent

    @Test func aCallFromTheTrunkIsInboundAndItsAgentComesFromTheDestinationChannel() throws {
        let call = try parse(Samples.cdrLine(dst: "400", context: "from-trunk", dstChannel: "PJSIP/1003-0000002a"))
        #expect(call.direction == .inbound)
        #expect(call.agent == "1003")
    }

    @Test func anInboundCallWithoutAnAgentChannelTakesTheExtensionDialled() throws {
        let call = try parse(Samples.cdrLine(dst: "1005", context: "ext-did", dstChannel: ""))
        #expect(call.direction == .inbound)
        #expect(call.agent == "1005")
    }

    @Test func aCallFromAnExtensionToAnOutsideNumberIsOutbound() throws {
        let call = try parse(Samples.cdrLine(src: "1002", dst: "0501234567", context: "from-internal",
                                             clid: "\"Agent Two\" <1002>", channel: "PJSIP/1002-00000003",
                                             dstChannel: "PJSIP/trunk-00000004"))
        #expect(call.direction == .outbound)
        #expect(call.agent == "1002")
        #expect(call.from.category == .extension)
        #expect(call.to.e164 == "+358501234567")
    }

    @Test func aCallBetweenExtensionsIsInternal() throws {
        let call = try parse(Samples.cdrLine(src: "1004", dst: "1001", context: "from-internal",
                                             clid: "\"Agent Four\" <1004>", channel: "PJSIP/1004-00000005",
                                             dstChannel: "PJSIP/1001-00000006"))
        #expect(call.direction == .internal)
        #expect(call.agent == "1004")
    }

    // MARK: source keys

    @Test func theSameRecordTwiceHasTheSameSourceKey() throws {
        for columns in [16, 17, 18, 21] {
            let first = try parse(Samples.cdrLine(), columns: columns)
            let second = try parse(Samples.cdrLine(), columns: columns)
            #expect(first.sourceKey == second.sourceKey, "\(columns) columns")
        }
    }

    @Test func twoLegsWithOneUniqueIDAndDifferentSequencesHaveDifferentKeys() throws {
        let first = try parse(Samples.cdrLine(uniqueID: "1773473400.9", sequence: 1))
        let second = try parse(Samples.cdrLine(dstChannel: "PJSIP/1002-00000009", uniqueID: "1773473400.9", sequence: 2))
        #expect(first.sourceKey != second.sourceKey)
        #expect(first.sourceKey == "asterisk-csv:1773473400.9:1")
        #expect(second.sourceKey == "asterisk-csv:1773473400.9:2")
    }

    @Test func differentRecordsWithoutAUniqueIDHaveDifferentKeys() throws {
        let first = try parse(Samples.cdrLine(start: "2026-03-14 09:30:00"), columns: 16)
        let second = try parse(Samples.cdrLine(start: "2026-03-14 09:30:01"), columns: 16)
        #expect(first.sourceKey != second.sourceKey)
    }

    @Test func sourceKeysDoNotContainPhoneNumbersWhenThereIsNoUniqueID() throws {
        let call = try parse(Samples.cdrLine(), columns: 16)
        #expect(!call.sourceKey.contains("401234567"))
    }

    // MARK: times

    @Test func localTimesAreConvertedToUTC() throws {
        let winter = try parse(Samples.cdrLine())
        #expect(winter.start == utc("2026-03-14T07:30:00Z"))
        #expect(winter.answer == utc("2026-03-14T07:30:05Z"))
        #expect(winter.end == utc("2026-03-14T07:32:05Z"))

        let summer = try parse(Samples.cdrLine(start: "2026-07-01 12:00:00", answer: "2026-07-01 12:00:03",
                                               end: "2026-07-01 12:01:00", duration: 60, billsec: 57))
        #expect(summer.start == utc("2026-07-01T09:00:00Z"))
        #expect(summer.answer == utc("2026-07-01T09:00:03Z"))
        #expect(summer.end == utc("2026-07-01T09:01:00Z"))
    }

    @Test func aCallAcrossTheAutumnChangeIsResolvedByItsDuration() throws {
        let call = try parse(Samples.cdrLine(start: "2026-10-25 03:57:40", answer: "2026-10-25 03:57:45",
                                             end: "2026-10-25 03:00:08", duration: 148, billsec: 143))
        let end = try #require(call.end)
        #expect(end.timeIntervalSince(call.start) == 148)
        #expect(call.start == utc("2026-10-25T00:57:40Z"))
        #expect(end == utc("2026-10-25T01:00:08Z"))
        #expect(call.answer == utc("2026-10-25T00:57:45Z"))
    }

    @Test func anHourLongCallFromTheFirstToTheSecondRepeatedHourIsResolved() throws {
        let call = try parse(Samples.cdrLine(start: "2026-10-25 03:59:00", answer: "2026-10-25 03:59:10",
                                             end: "2026-10-25 03:59:00", duration: 3600, billsec: 3590))
        #expect(call.start == utc("2026-10-25T00:59:00Z"))
        #expect(call.end == utc("2026-10-25T01:59:00Z"))
    }

    @Test func aCallAcrossTheSpringGapKeepsItsDuration() throws {
        let call = try parse(Samples.cdrLine(start: "2026-03-29 02:59:30", answer: "2026-03-29 02:59:35",
                                             end: "2026-03-29 04:00:30", duration: 60, billsec: 55))
        #expect(call.start == utc("2026-03-29T00:59:30Z"))
        #expect(call.end == utc("2026-03-29T01:00:30Z"))
    }

    @Test func aMissingEndIsTheStartPlusTheDuration() throws {
        var fields = csvFields(Samples.cdrLine())
        fields[11] = ""
        let call = try parser.parse(fields)
        #expect(call.end == utc("2026-03-14T07:32:05Z"))
    }

    // MARK: detection

    @Test func looksLikeRecordAcceptsEveryLayoutAndRefusesOthers() {
        let fields = csvFields(Samples.cdrLine())
        for columns in [16, 17, 18, 21] {
            #expect(AsteriskCDRParser.looksLikeRecord(Array(fields.prefix(columns))))
        }
        #expect(!AsteriskCDRParser.looksLikeRecord(Array(fields.prefix(20))))
        #expect(!AsteriskCDRParser.looksLikeRecord(["a", "b", "c"]))
        var noTime = fields
        noTime[9] = "start"
        #expect(!AsteriskCDRParser.looksLikeRecord(noTime))
    }
}
