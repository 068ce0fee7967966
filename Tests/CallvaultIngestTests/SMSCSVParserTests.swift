import Foundation
import Testing
import CallvaultIngest
import CallvaultModel
import CallvaultTesting

@Suite struct SMSCSVParserTests {
    static let header = ["time", "direction", "from", "to", "message_id", "status", "parts"]
    let normalizer = PhoneNumberNormalizer(countryCode: "358")
    let clock = LocalTimeConverter(timeZone: helsinki)

    private func parser(header: [String] = Self.header, rejectsRecordsWithText: Bool = false) throws -> SMSCSVParser {
        var parser = SMSCSVParser(normalizer: normalizer, clock: clock, rejectsRecordsWithText: rejectsRecordsWithText)
        try parser.readHeader(header)
        return parser
    }

    private func record(_ line: String) throws -> SMSRecord {
        try parser().parse(csvFields(line))
    }

    private func rejection(_ line: String, header: [String] = Self.header) throws -> String? {
        let parser = try parser(header: header)
        do {
            let sms = try parser.parse(csvFields(line))
            Issue.record("expected a rejection, got \(sms)")
            return nil
        } catch {
            return error.reason
        }
    }

    // MARK: header

    @Test func theHeaderOfCLIMDIsAccepted() throws {
        #expect(csvFields("time,direction,from,to,message_id,status,parts") == Self.header)
        _ = try parser()
        #expect(SMSCSVParser.looksLikeHeader(Self.header))
    }

    @Test(arguments: ["time", "direction", "from", "to", "status"])
    func aHeaderWithoutARequiredColumnIsRefusedNamingIt(missing: String) {
        var parser = SMSCSVParser(normalizer: normalizer, clock: clock)
        #expect {
            try parser.readHeader(Self.header.filter { $0 != missing })
        } throws: { error in
            (error as? IngestLineError)?.reason.contains("'\(missing)'") == true
        }
    }

    @Test func aColumnNamedTwiceIsRefused() {
        var parser = SMSCSVParser(normalizer: normalizer, clock: clock)
        #expect(throws: IngestLineError.self) { try parser.readHeader(Self.header + ["TO"]) }
    }

    @Test func columnsMayComeInAnyOrderWithAnyCaseAndOthersBesides() throws {
        let parser = try parser(header: ["Status", " FROM ", "gateway", "to", "\u{FEFF}time", "direction"])
        let sms = try parser.parse(["DELIVERED", "+358923456789", "gw-eu-1", "040 123 4567", "2026-10-23T08:45:10+03:00", "outbound"])
        #expect(sms.status == "delivered")
        #expect(sms.from.e164 == "+358923456789")
        #expect(sms.to.e164 == "+358401234567")
        #expect(sms.time == utc("2026-10-23T05:45:10Z"))
        #expect(sms.messageID == nil)
        #expect(sms.parts == 1)
        #expect(sms.smsc == nil)
    }

    @Test func looksLikeHeaderTellsThisFormatFromOthers() {
        #expect(SMSCSVParser.looksLikeHeader(["TIME", "Direction", "from", "to"]))
        #expect(!SMSCSVParser.looksLikeHeader(["customer_id", "name", "phones"]))
        #expect(!SMSCSVParser.looksLikeHeader(csvFields(Samples.cdrLine())))
        #expect(!SMSCSVParser.looksLikeHeader([]))
    }

    @Test func aRecordBeforeTheHeaderIsRefused() {
        let parser = SMSCSVParser(normalizer: normalizer, clock: clock)
        #expect(throws: IngestLineError.self) { try parser.parse(["2026-10-23T08:45:10Z", "in", "+358401234567", "+358923456789", "", "received", ""]) }
    }

    // MARK: records

    @Test func aRecordParsesIntoAnSMSKeyedByItsMessageID() throws {
        let sms = try record("2026-10-23T08:45:10+03:00,outbound,+358923456789,+358401234567,gw-7f2c91a0,delivered,1")
        #expect(sms.format == "sms-csv")
        #expect(sms.sourceKey == "sms-csv:gw-7f2c91a0")
        #expect(sms.messageID == "gw-7f2c91a0")
        #expect(sms.time == utc("2026-10-23T05:45:10Z"))
        #expect(sms.direction == .outbound)
        #expect(sms.from.e164 == "+358923456789")
        #expect(sms.to.e164 == "+358401234567")
        #expect(sms.status == "delivered", "a delivery status is just the record's status")
        #expect(sms.parts == 1)
        #expect(sms.length == nil)
    }

    @Test(arguments: [
        ("2026-10-23T08:45:10+03:00", "2026-10-23T05:45:10Z"),
        ("2026-10-23T08:45:10+0300", "2026-10-23T05:45:10Z"),
        ("2026-10-23T08:45:10+03", "2026-10-23T05:45:10Z"),
        ("2026-10-23T05:45:10Z", "2026-10-23T05:45:10Z"),
        ("2026-10-23T01:45:10-04:00", "2026-10-23T05:45:10Z"),
        ("2026-10-23T08:45:10", "2026-10-23T05:45:10Z"),
        ("2026-10-23 08:45:10", "2026-10-23T05:45:10Z"),
        ("2026-10-23T08:45", "2026-10-23T05:45:00Z"),
        ("2026-12-01T08:45:10", "2026-12-01T06:45:10Z"),
        ("2026-10-25T03:30:00", "2026-10-25T00:30:00Z"),
        ("2026-10-25T03:30:00+02:00", "2026-10-25T01:30:00Z"),
    ])
    func timesAreISO8601WithOrWithoutAnOffset(written: String, expected: String) throws {
        let sms = try record("\(written),in,+358401234567,+358923456789,,received,")
        #expect(sms.time == utc(expected))
    }

    @Test func fractionalSecondsAreKept() throws {
        let sms = try record("2026-10-26T09:40:00.250+02:00,out,+358923456789,+358452345678,x,sent,1")
        #expect(sms.time == utc("2026-10-26T07:40:00Z").addingTimeInterval(0.25))
    }

    @Test(arguments: [("inbound", Direction.inbound), ("IN", .inbound), ("in", .inbound), ("mo", .inbound),
                      ("outbound", .outbound), ("Out", .outbound), ("mt", .outbound)])
    func directionsAreReadInEveryAcceptedForm(written: String, direction: Direction) throws {
        #expect(try record("2026-10-23T08:45:10Z,\(written),+358401234567,+358923456789,,received,").direction == direction)
    }

    @Test(arguments: [("", 1), ("1", 1), ("3", 3), (" 2 ", 2)])
    func partsDefaultToOne(written: String, parts: Int) throws {
        #expect(try record("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,,received,\(written)").parts == parts)
    }

    @Test func statusIsLowercased() throws {
        #expect(try record("2026-10-23T08:45:10Z,out,+358923456789,+358452345678,x,REJECTED,1").status == "rejected")
    }

    @Test func anOptionalLengthColumnIsRead() throws {
        let parser = try parser(header: Self.header + ["length"])
        #expect(try parser.parse(csvFields("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,,received,,58")).length == 58)
    }

    @Test func withoutAMessageIDTheKeyIsAFingerprintOfTimePartiesAndDirection() throws {
        let a = try record("2026-10-24T11:11:11+03:00,in,+358507654321,+358923456789,,received,")
        let sameInstant = try record("2026-10-24T08:11:11Z,inbound,+358 50 765 4321,09 2345 6789,,received,1")
        let otherDirection = try record("2026-10-24T11:11:11+03:00,out,+358507654321,+358923456789,,received,")
        let otherTime = try record("2026-10-24T11:11:12+03:00,in,+358507654321,+358923456789,,received,")
        #expect(a.messageID == nil)
        #expect(a.sourceKey.hasPrefix("sms-csv:"))
        #expect(a.sourceKey == sameInstant.sourceKey, "the same instant, numbers in other forms")
        #expect(a.sourceKey != otherDirection.sourceKey)
        #expect(a.sourceKey != otherTime.sourceKey)
    }

    @Test func anAlphanumericSenderIsKeptRaw() throws {
        let sms = try record("2026-10-24T10:00:00+03:00,outbound,Esimerkki,+358412223344,gw-7f2c9311,failed,1")
        #expect(sms.from.raw == "Esimerkki")
        #expect(sms.from.e164 == nil)
    }

    // MARK: message text

    @Test(arguments: ["text", "message", "body", "Body"])
    func aTextColumnIsNeverRead(column: String) throws {
        let marker = "secret-xyz"
        let parser = try parser(header: Self.header + [column])
        let sms = try parser.parse(csvFields("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,m1,received,1,\"Hei, \(marker)! [to:+1]\""))
        #expect(!String(describing: sms).contains(marker))
        #expect(sms.to.e164 == "+358923456789")
        #expect(sms.length == nil)
    }

    @Test func aTextColumnBeforeTheOthersIsNeverRead() throws {
        let parser = try parser(header: ["text", "time", "direction", "from", "to", "message_id", "status", "parts"])
        let sms = try parser.parse(csvFields("\"secret-xyz,in,+1\",2026-10-23T08:45:10Z,in,+358401234567,+358923456789,m1,received,1"))
        #expect(!String(describing: sms).contains("secret-xyz"))
        #expect(sms.from.e164 == "+358401234567")
    }

    @Test func recordsWithTextAreRejectedWhenSoConfigured() throws {
        let parser = try parser(header: Self.header + ["text"], rejectsRecordsWithText: true)
        #expect {
            try parser.parse(csvFields("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,m1,received,1,secret-xyz"))
        } throws: { error in
            let reason = (error as? IngestLineError)?.reason ?? ""
            return reason.contains("'text'") && !reason.contains("secret-xyz")
        }
        // An empty text column carries no content.
        #expect(try parser.parse(csvFields("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,m1,received,1,")).messageID == "m1")
    }

    // MARK: bad records

    @Test(arguments: [
        ("2026-13-01T08:45:10Z,in,+358401234567,+358923456789,m1,received,1", "time"),
        ("yesterday,in,+358401234567,+358923456789,m1,received,1", "time"),
        ("2026-10-23,in,+358401234567,+358923456789,m1,received,1", "time"),
        ("2026-10-23T08:45:10+25:00,in,+358401234567,+358923456789,m1,received,1", "time"),
        ("2026-10-23T08:45:10 +03:00,in,+358401234567,+358923456789,m1,received,1", "time"),
        ("2026-10-23T08:45:10.Z,in,+358401234567,+358923456789,m1,received,1", "time"),
        (",in,+358401234567,+358923456789,m1,received,1", "time is empty"),
        ("2026-10-23T08:45:10Z,sideways,+358401234567,+358923456789,m1,received,1", "direction"),
        ("2026-10-23T08:45:10Z,,+358401234567,+358923456789,m1,received,1", "direction"),
        ("2026-10-23T08:45:10Z,in,,+358923456789,m1,received,1", "from is empty"),
        ("2026-10-23T08:45:10Z,in,+358401234567,,m1,received,1", "to is empty"),
        ("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,m1,,1", "status is empty"),
        ("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,m1,received,0", "parts"),
        ("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,m1,received,-1", "parts"),
        ("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,m1,received,1.5", "parts"),
        ("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,m1,received,two", "parts"),
        ("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,m1,received,256", "parts"),
        ("2026-10-23T08:45:10Z,in,+358401234567,+358923456789,m1,\"delivered, said +358401234567 at length\",1", "status"),
    ])
    func badRecordsAreRejectedWithAReasonThatEchoesNoNumber(line: String, expected: String) throws {
        let reason = try #require(try rejection(line))
        #expect(reason.contains(expected))
        #expect(!reason.contains("358"))
        #expect(!reason.contains("401234567"))
    }

    @Test func aRecordWithFewerFieldsThanTheHeaderReadsTheMissingOnesAsEmpty() throws {
        let reason = try #require(try rejection("2026-10-23T08:45:10Z,in,+358401234567"))
        #expect(reason.contains("to is empty"))
    }

    // MARK: the sample file

    @Test func theSampleCSVParsesCompletely() throws {
        let url = TestArchive.samples.appendingPathComponent("sms/sms-gateway.csv")
        var parser = SMSCSVParser(normalizer: normalizer, clock: clock)
        var records: [SMSRecord] = []
        var headerRead = false
        try CSVRecordReader().read(url) { event in
            guard case .record(let record) = event else { Issue.record("oversized record"); return }
            if !headerRead {
                #expect(SMSCSVParser.looksLikeHeader(record.fields))
                try parser.readHeader(record.fields)
                headerRead = true
            } else {
                records.append(try parser.parse(record.fields))
            }
        }
        #expect(records.count == 10)
        #expect(Set(records.map(\.sourceKey)).count == 10)
        #expect(records.filter { $0.direction == .inbound }.count == 4)
        #expect(records.contains { $0.to.e164 == "+358400765432" && $0.parts == 2 })
        #expect(records.contains { $0.from.e164 == "+358401112223" })
        #expect(records.contains { $0.status == "rejected" })
        #expect(records.filter { $0.messageID == nil }.count == 1)
    }
}
