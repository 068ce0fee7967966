import Foundation
import Testing
import CallvaultIngest
import CallvaultModel

@Suite struct FreeSWITCHCSVParserTests {
    let parser = FSFixture.csvParser

    private func parse(_ line: String) throws -> Call {
        try parser.parse(FSFixture.fields(line))
    }

    private func rejection(_ fields: [String]) -> String? {
        do {
            _ = try parser.parse(fields)
            return nil
        } catch {
            return error.reason
        }
    }

    private func rejection(sqlLine: String) -> String? {
        do {
            _ = try parser.parse(sqlLine: sqlLine)
            return nil
        } catch {
            return error.reason
        }
    }

    // MARK: good records

    @Test func anAnsweredInboundCallFromTheTrunkParses() throws {
        let call = try parse(FSFixture.csvLine())
        #expect(call.format == "freeswitch-csv")
        #expect(call.sourceKey == "freeswitch-csv:2026-10-23:\(FSFixture.aLeg)")
        #expect(call.uniqueID == FSFixture.aLeg)
        #expect(call.callerName == "Öhman Pekka")
        #expect(call.from.e164 == "+358401112223")
        #expect(call.to.e164 == "+358923456789")
        #expect(call.context == "public")
        #expect(call.direction == .inbound)
        #expect(call.disposition == "answered")
        #expect(call.durationSeconds == 217)
        #expect(call.billableSeconds == 211)
        #expect(call.start == FSFixture.utc("2026-10-23T05:12:03Z"))
        #expect(call.answer == FSFixture.utc("2026-10-23T05:12:09Z"))
        #expect(call.end == FSFixture.utc("2026-10-23T05:15:40Z"))
        #expect(call.details["hangup_cause"] == "NORMAL_CLEARING")
        #expect(call.details["bleg_uuid"] == FSFixture.bLeg)
        #expect(call.details["read_codec"] == "PCMA")
        #expect(call.details["accountcode"] == nil, "empty columns are not kept")
    }

    @Test func anInboundCallToAnExtensionNamesTheAgent() throws {
        let call = try parse(FSFixture.csvLine(name: "Nyström Göran", number: "0503332211", destination: "1005", context: "default"))
        #expect(call.direction == .inbound)
        #expect(call.agent == "1005")
        #expect(call.from.e164 == "+358503332211")
    }

    @Test func aCallFromAnExtensionToAnOutsideNumberIsOutbound() throws {
        let call = try parse(FSFixture.csvLine(name: "Anna Korhonen", number: "1002", destination: "0405550101", context: "default"))
        #expect(call.direction == .outbound)
        #expect(call.agent == "1002")
        #expect(call.to.e164 == "+358405550101")
        #expect(call.from.category == .extension)
    }

    @Test func aCallBetweenExtensionsIsInternal() throws {
        let call = try parse(FSFixture.csvLine(name: "Mikko Salo", number: "1001", destination: "1004", context: "default"))
        #expect(call.direction == .internal)
        #expect(call.agent == "1001")
    }

    @Test(arguments: [
        ("NORMAL_CLEARING", "no-answer"), ("ORIGINATOR_CANCEL", "no-answer"), ("NO_ANSWER", "no-answer"),
        ("NO_USER_RESPONSE", "no-answer"), ("USER_BUSY", "busy"), ("CALL_REJECTED", "failed"),
        ("UNALLOCATED_NUMBER", "failed"), ("USER_NOT_REGISTERED", "failed"),
        ("NORMAL_CIRCUIT_CONGESTION", "congestion"), ("SWITCH_CONGESTION", "congestion"),
    ])
    func anUnansweredLegTakesItsDispositionFromTheHangupCause(cause: String, disposition: String) throws {
        let call = try parse(FSFixture.csvLine(answer: "", end: "2026-10-23 08:12:33", duration: "30", billsec: "0", cause: cause))
        #expect(call.disposition == disposition)
        #expect(call.answer == nil)
        #expect(call.billableSeconds == 0)
        #expect(call.end == FSFixture.utc("2026-10-23T05:12:33Z"))
    }

    @Test func anAnsweredLegIsAnsweredWhateverItsHangupCause() throws {
        let call = try parse(FSFixture.csvLine(cause: "MEDIA_TIMEOUT"))
        #expect(call.disposition == "answered")
        let quick = try parse(FSFixture.csvLine(answer: "2026-10-23 08:12:09", end: "2026-10-23 08:12:09", duration: "6", billsec: "0"))
        #expect(quick.disposition == "answered", "answered and hung up within the same second")
    }

    @Test func theThirteenColumnTemplatesParseWithTheSpaceBeforeTheAccountCode() throws {
        let line = #""Öhman Pekka","+358401112223","+358923456789","public","2026-10-23 08:12:03","2026-10-23 08:12:09","2026-10-23 08:15:40","217","211","NORMAL_CLEARING","\#(FSFixture.aLeg)","", "sales""#
        let fields = FSFixture.fields(line)
        #expect(fields.count == 13)
        #expect(FreeSWITCHCSVParser.looksLikeRecord(fields))
        let call = try parser.parse(fields)
        #expect(call.details["accountcode"] == "sales")
        #expect(call.linkedID == FSFixture.aLeg)
        #expect(call.details["read_codec"] == nil)
    }

    @Test func theSnomTemplateGivesTheRecordingsFileName() throws {
        var fields = FSFixture.fields(FSFixture.csvLine())
        fields += ["snom370-SIP 8.7.5.35", "", "", "", "/var/lib/freeswitch/recordings/2026-10-23/\(FSFixture.aLeg).wav"]
        #expect(fields.count == 20)
        let call = try parser.parse(fields)
        #expect(call.details["record_file_name"] == "\(FSFixture.aLeg).wav")
    }

    // MARK: linked ids

    @Test func bothLegsOfACallGetTheSameLinkedIDWhicheverLineComesFirst() throws {
        let aLeg = try parse(FSFixture.csvLine(uuid: FSFixture.aLeg, bleg: FSFixture.bLeg))
        let bLeg = try parse(FSFixture.csvLine(name: "Öhman Pekka", destination: "1004", context: "default",
                                               uuid: FSFixture.bLeg, bleg: FSFixture.aLeg))
        #expect(aLeg.linkedID == bLeg.linkedID)
        #expect(aLeg.linkedID == min(FSFixture.aLeg, FSFixture.bLeg))
        #expect(aLeg.sourceKey != bLeg.sourceKey)
        #expect(bLeg.agent == "1004")
    }

    /// `mod_cdr_csv` leaves the b-leg's `bleg_uuid` empty: within a file the legs still meet,
    /// in either order of lines and whichever uuid is smaller.
    @Test func aBLegWithAnEmptyBLegUUIDJoinsItsALegInTheSameFile() throws {
        let small = "1a000000-0000-4000-8000-000000000000", large = "fa000000-0000-4000-8000-000000000000"
        for (a, b) in [(small, large), (large, small)] {
            let aLine = FSFixture.fields(FSFixture.csvLine(uuid: a, bleg: b))
            let bLine = FSFixture.fields(FSFixture.csvLine(destination: "1004", context: "default", uuid: b, bleg: ""))
            for lines in [[aLine, bLine], [bLine, aLine]] {
                var legs = FreeSWITCHLegLinker()
                let calls = try lines.map { try parser.parse($0, legs: &legs) }
                #expect(calls[0].linkedID == calls[1].linkedID, "a=\(a.prefix(2)) b=\(b.prefix(2)) a-leg first: \(lines[0] == aLine)")
            }
        }
        // Both lines naming each other still meet on the smaller uuid, and so do lone lines.
        var legs = FreeSWITCHLegLinker()
        let a = try parser.parse(FSFixture.fields(FSFixture.csvLine(uuid: large, bleg: small)), legs: &legs)
        let b = try parser.parse(FSFixture.fields(FSFixture.csvLine(uuid: small, bleg: large)), legs: &legs)
        #expect(a.linkedID == small && b.linkedID == small)
    }

    @Test func theLinkerRemembersOnlyItsCapacityOfRecentUUIDs() {
        var legs = FreeSWITCHLegLinker(capacity: 4)
        #expect(legs.linkedID(uuid: "b-1", bleg: nil) == "b-1")
        #expect(legs.linkedID(uuid: "z-1", bleg: "b-1") == "b-1", "joins the b-leg seen before")
        for i in 0..<4 { _ = legs.linkedID(uuid: "other-\(i)", bleg: nil) }
        #expect(legs.linkedID(uuid: "z-2", bleg: "b-1") == "b-1", "forgotten: the one-line rule (smaller uuid)")
        #expect(legs.linkedID(uuid: "z-3", bleg: "c-1") == "c-1")
        #expect(legs.linkedID(uuid: "a-0", bleg: "") == "a-0")
    }

    @Test func aLegWithoutABLegIsLinkedToItself() throws {
        let call = try parse(FSFixture.csvLine(answer: "", duration: "217", billsec: "0", cause: "NO_ANSWER", bleg: ""))
        #expect(call.linkedID == FSFixture.aLeg)
        #expect(call.details["bleg_uuid"] == nil)
    }

    // MARK: names and text

    @Test func aUTF8NameWithACommaAndQuotesIsKeptWhole() throws {
        let line = FSFixture.csvLine(name: "Äänekosken Sähkö Oy, \"\"asiakaspalvelu\"\"")
        let call = try parse(line)
        #expect(call.callerName == "Äänekosken Sähkö Oy, \"asiakaspalvelu\"")
    }

    @Test func latin1BytesAreReadAsISO8859_1() throws {
        var bytes = Array(FSFixture.csvLine(name: "NAME").utf8)
        let at = try #require(bytes.firstIndex(of: UInt8(ascii: "N")))
        bytes.replaceSubrange(at..<(at + 4), with: [0x4E, 0x79, 0x73, 0x74, 0x72, 0xF6, 0x6D]) // "Nyström" in ISO-8859-1
        let call = try parser.parse(FSFixture.fields(bytes))
        #expect(call.callerName == "Nyström")
    }

    @Test(arguments: ["", "+358401112223", "Anonymous", "Outbound Call", "unknown"])
    func aCallerNameThatIsOnlyTheNumberOrAPlaceholderIsDropped(name: String) throws {
        #expect(try parse(FSFixture.csvLine(name: name)).callerName == nil)
    }

    @Test func anAnonymousCallerIsWithheldAndInbound() throws {
        let call = try parse(FSFixture.csvLine(name: "Anonymous", number: "anonymous"))
        #expect(call.from.category == .withheld)
        #expect(call.direction == .inbound)
    }

    // MARK: times

    @Test func aCallAcrossTheAutumnChangeIsResolvedByItsDuration() throws {
        let call = try parse(FSFixture.csvLine(start: "2026-10-25 03:58:30", answer: "2026-10-25 03:58:36",
                                               end: "2026-10-25 03:01:10", duration: "160", billsec: "154"))
        #expect(call.start == FSFixture.utc("2026-10-25T00:58:30Z"))
        #expect(call.answer == FSFixture.utc("2026-10-25T00:58:36Z"))
        #expect(call.end == FSFixture.utc("2026-10-25T01:01:10Z"))
    }

    @Test func aMissingEndIsTheStartPlusTheDuration() throws {
        let call = try parse(FSFixture.csvLine(end: ""))
        #expect(call.end == FSFixture.utc("2026-10-23T05:15:40Z"))
    }

    // MARK: the sql template

    @Test func anSQLTemplateLineParsesLikeTheCSVRecord() throws {
        let values = FSFixture.fields(FSFixture.csvLine()).prefix(13).map { "\"\($0)\"" }
        let line = "INSERT INTO cdr VALUES (" + values.prefix(12).joined(separator: ",") + ", " + values[12] + ");"
        #expect(FreeSWITCHCSVParser.looksLikeSQLLine(line))
        let fromSQL = try parser.parse(sqlLine: line)
        let fromCSV = try parse(FSFixture.csvLine())
        #expect(fromSQL.sourceKey == fromCSV.sourceKey, "the same leg in both templates is one call")
        #expect(fromSQL.start == fromCSV.start)
        #expect(fromSQL.from == fromCSV.from)
        #expect(fromSQL.disposition == "answered")
    }

    @Test func anSQLLineKeepsUnescapedAndDoubledQuotesInsideValues() throws {
        let tail = #""096123456","+358923456789","public","2026-10-26 09:30:00","2026-10-26 09:30:04","2026-10-26 09:31:21","81","77","NORMAL_CLEARING","\#(FSFixture.aLeg)","", "");"#
        let unescaped = try parser.parse(sqlLine: #"INSERT INTO cdr VALUES ("Kahvila "Kulma" Oy","# + tail)
        #expect(unescaped.callerName == "Kahvila \"Kulma\" Oy")
        let doubled = try parser.parse(sqlLine: #"insert into "cdr" values('Kahvila ''Kulma'', Oy',"# + tail)
        #expect(doubled.callerName == "Kahvila 'Kulma', Oy")
    }

    @Test(arguments: [
        "INSERT INTO cdr VALUES (\"a\",\"b\"",
        "INSERT INTO cdr VALUES (\"a\",\"b);",
        "INSERT INTO cdr VALUES (\"a\",\"b\"); DROP TABLE cdr;",
        "INSERT INTO cdr (\"a\",\"b\");",
    ])
    func aBrokenSQLLineIsRejected(line: String) throws {
        #expect(rejection(sqlLine: line) != nil)
    }

    @Test func anSQLLineWithTheWrongNumberOfValuesIsRejectedNamingTheCount() throws {
        let reason = try #require(rejection(sqlLine: #"INSERT INTO cdr VALUES ("Pekka","0401112223","1004");"#))
        #expect(reason.contains("found 3"))
        #expect(!reason.contains("401112223"))
    }

    // MARK: rejected records

    @Test(arguments: [1, 12, 14, 16, 18, 21])
    func otherFieldCountsAreRejectedNamingTheCount(columns: Int) throws {
        var fields = FSFixture.fields(FSFixture.csvLine())
        while fields.count < columns { fields.append("") }
        let reason = try #require(rejection(Array(fields.prefix(columns))))
        #expect(reason.contains("found \(columns)"))
        #expect(!reason.contains("401112223"))
    }

    @Test(arguments: ["2026-02-30 09:30:00", "2026-13-45 99:00:00", "23.10.2026 08:12", "", "+358401112223"])
    func anImpossibleStartIsRejectedNamingTheField(start: String) throws {
        let reason = try #require(rejection(FSFixture.fields(FSFixture.csvLine(start: start))))
        #expect(reason.contains("start_stamp"))
        #expect(!reason.contains("401112223"))
    }

    @Test func badAnswerEndDurationBillsecAndCauseAreRejectedNamingTheField() throws {
        let cases: [(String, String)] = [
            (FSFixture.csvLine(answer: "soon"), "answer_stamp"),
            (FSFixture.csvLine(end: "2026-10-23 8:15:40"), "end_stamp"),
            (FSFixture.csvLine(duration: "2x"), "duration"),
            (FSFixture.csvLine(duration: "-5"), "duration"),
            (FSFixture.csvLine(billsec: "1.5"), "billsec"),
            (FSFixture.csvLine(duration: "10", billsec: "211"), "billsec"),
            (FSFixture.csvLine(cause: "normal clearing"), "hangup_cause"),
            (FSFixture.csvLine(cause: ""), "hangup_cause"),
            (FSFixture.csvLine(answer: ""), "answer_stamp"),
        ]
        for (line, field) in cases {
            let reason = try #require(rejection(FSFixture.fields(line)), "\(field)")
            #expect(reason.contains(field), "\(reason)")
        }
    }

    @Test func aTenMegabyteValueIsRejectedWithoutEchoingIt() throws {
        var fields = FSFixture.fields(FSFixture.csvLine())
        fields[0] = String(repeating: "Ä", count: 5 * 1024 * 1024)
        let reason = try #require(rejection(fields))
        #expect(reason.contains("caller_id_name"))
        #expect(reason.utf8.count < 200)
        fields[0] = "Öhman Pekka"
        fields[14] = String(repeating: "x", count: 10 * 1024 * 1024)
        let call = try parser.parse(fields)
        #expect(call.details["write_codec"] == nil, "a huge optional column is not kept")
    }

    @Test func noRejectReasonEchoesThePhoneNumbersOfTheLine() {
        let number = "0409876543", destination = "0508765432"
        let bad: [[String]] = [
            FSFixture.fields(FSFixture.csvLine(number: number, destination: destination, cause: "who knows")),
            FSFixture.fields(FSFixture.csvLine(number: number, destination: destination, start: "x")),
            FSFixture.fields(FSFixture.csvLine(number: number, destination: destination, answer: "x")),
            FSFixture.fields(FSFixture.csvLine(number: number, destination: destination, end: "x")),
            FSFixture.fields(FSFixture.csvLine(number: number, destination: destination, duration: "1", billsec: "9")),
            Array(FSFixture.fields(FSFixture.csvLine(number: number, destination: destination)).prefix(9)),
        ]
        for fields in bad {
            let text = rejection(fields) ?? ""
            #expect(!text.isEmpty)
            for digits in ["9876543", "8765432", "358409876543"] {
                #expect(!text.contains(digits), "\(text)")
            }
        }
    }

    // MARK: detection

    @Test func looksLikeRecordAcceptsTheShippedTemplatesAndRefusesAsterisk() {
        let fields = FSFixture.fields(FSFixture.csvLine())
        #expect(FreeSWITCHCSVParser.looksLikeRecord(fields))
        #expect(FreeSWITCHCSVParser.looksLikeRecord(Array(fields.prefix(13))))
        #expect(!FreeSWITCHCSVParser.looksLikeRecord(Array(fields.prefix(14))))
        var noUUID = fields
        noUUID[10] = "1792731931.45"
        #expect(!FreeSWITCHCSVParser.looksLikeRecord(noUUID))
        var noTime = fields
        noTime[4] = "start"
        #expect(!FreeSWITCHCSVParser.looksLikeRecord(noTime))
        let asterisk = FSFixture.fields(#""","1001","1004","from-internal","""Mikko Salo"" <1001>","PJSIP/1001-00000029","PJSIP/1004-0000002a","Dial","PJSIP/1004,60","2026-10-23 08:05:31","2026-10-23 08:05:35","2026-10-23 08:05:43",12,8,"ANSWERED","DOCUMENTATION","1792731931.45","","","1792731931.45",17"#)
        #expect(!FreeSWITCHCSVParser.looksLikeRecord(asterisk))
        #expect(!AsteriskCDRParser.looksLikeRecord(fields))
    }

    @Test func looksLikeSQLLineWantsAnInsertWithValues() {
        #expect(FreeSWITCHCSVParser.looksLikeSQLLine(#"  INSERT INTO cdr VALUES ("a","b");"#))
        #expect(!FreeSWITCHCSVParser.looksLikeSQLLine(FSFixture.csvLine()))
        #expect(!FreeSWITCHCSVParser.looksLikeSQLLine("INSERT INTO cdr SELECT * FROM x;"))
        #expect(!FreeSWITCHCSVParser.looksLikeSQLLine(""))
    }
}
