import Foundation
import Testing
import CallvaultIngest
import CallvaultModel
import CallvaultTesting

/// A parser never traps (issue 22): every input that once crashed a parser — found by the
/// fuzz targets (`scripts/fuzz`) or by reading the code while writing them — is now rejected
/// with a reason naming the field, as the ingest reports it with the file and line.
@Suite struct ParsersNeverTrapTests {
    let normalizer = PhoneNumberNormalizer(countryCode: "358")

    private func reason(_ body: () throws(IngestLineError) -> Any) -> String? {
        do {
            _ = try body()
            return nil
        } catch {
            return error.reason
        }
    }

    // MARK: durations too big for `duration + 1` (found by reading the code)

    @Test func anAsteriskDurationOfIntMaxIsRejectedNotAnOverflow() {
        let parser = AsteriskCDRParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: helsinki))
        let fields = csvFields(Samples.cdrLine(duration: Int.max, billsec: 120))
        let why = reason { () throws(IngestLineError) in try parser.parse(fields) }
        #expect(why?.hasPrefix("field 13 (duration) is not a whole number of seconds") == true, "\(why ?? "accepted")")
    }

    @Test func anAsteriskDurationOf68YearsIsStillACall() throws {
        let parser = AsteriskCDRParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: helsinki))
        let call = try parser.parse(csvFields(Samples.cdrLine(end: "", duration: Int(Int32.max), billsec: 120)))
        #expect(call.durationSeconds == Int(Int32.max))
    }

    @Test func aFreeSWITCHDurationOfIntMaxIsRejectedNotAnOverflow() {
        let parser = FreeSWITCHCSVParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: helsinki))
        let line = #""Öhman Pekka","+358401112223","+358923456789","public","2026-10-23 08:12:03","2026-10-23 08:12:09","2026-10-23 08:15:40","9223372036854775807","211","NORMAL_CLEARING","33bb93bb-c763-44e3-83af-a66540c132de","92bf6b29-3d9f-475a-9a4f-dea4889e317b","","PCMA","PCMA""#
        let fields = csvFields(line)
        let why = reason { () throws(IngestLineError) in try parser.parse(fields) }
        #expect(why?.hasPrefix("field 8 (duration) is not a whole number of seconds") == true, "\(why ?? "accepted")")
    }

    // MARK: FreeSWITCH xml_cdr (found by FuzzFreeSWITCHXML)

    @Test func anXMLCDRWithANameThatIsNotUTF8IsRejectedNotATrapInXMLParser() throws {
        // The fuzzer's input: a sample CDR with two 0xFF bytes in an attribute name of <callflow>.
        let sample = try Data(contentsOf: TestArchive.samples.appendingPathComponent("freeswitch/xml_cdr/cd07e665-3ece-461f-85a5-2c8c4bad5344.cdr.xml"))
        var bytes = [UInt8](sample)
        let name = Array("unique-id=".utf8)
        let at = try #require(bytes.firstRange(of: name))
        bytes.replaceSubrange(at.lowerBound + 3..<at.lowerBound + 5, with: [0xFF, 0xFF])
        let parser = FreeSWITCHXMLParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: helsinki))
        let why = reason { () throws(IngestLineError) in try parser.parse(data: Data(bytes)) }
        #expect(why == "not well-formed XML: the document is not UTF-8 text and declares no other encoding")
    }

    @Test func anXMLCDRWithAProcessingInstructionWithoutDataIsRejectedNotANullRead() throws {
        // The fuzzer's input began `<?xsip_from_display?>` instead of the XML declaration.
        let sample = try String(contentsOf: TestArchive.samples.appendingPathComponent("freeswitch/xml_cdr/cd07e665-3ece-461f-85a5-2c8c4bad5344.cdr.xml"), encoding: .utf8)
        let parser = FreeSWITCHXMLParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: helsinki))
        for document in [sample.replacingOccurrences(of: "<?xml version=\"1.0\"?>", with: "<?xsip_from_display?>"),
                         sample.replacingOccurrences(of: "<channel_data>", with: "<channel_data><?x?>")] {
            #expect(document != sample)
            let why = reason { () throws(IngestLineError) in try parser.parse(data: Data(document.utf8)) }
            #expect(why == "not a FreeSWITCH CDR: the document holds a processing instruction (<?…?>) besides its XML declaration")
        }
        _ = try parser.parse(data: Data(sample.utf8))
    }

    @Test func anXMLCDRDeclaredLatin1StillParses() throws {
        let sample = try String(contentsOf: TestArchive.samples.appendingPathComponent("freeswitch/xml_cdr/cd07e665-3ece-461f-85a5-2c8c4bad5344.cdr.xml"), encoding: .utf8)
        let latin1 = sample.replacingOccurrences(of: "<?xml version=\"1.0\"?>", with: "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>")
        #expect(latin1 != sample)
        let parser = FreeSWITCHXMLParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: helsinki))
        let data = try #require(latin1.data(using: .isoLatin1))
        _ = try parser.parse(data: data)
    }

    // MARK: recording file names (found by FuzzRecordingSidecar)

    @Test func aRecordingNameThatTrapsFoundationsPathExtensionIsReadAsAnUnknownName() {
        let names = RecordingNameParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: helsinki))
        let fileName = "in-092-452610-4\u{325}.wa//////I///////-2\u{325}3`.6.wav"
        let meta = names.parse(fileName: fileName)
        #expect(meta.callUniqueID == nil)
        #expect(meta.sourceKey.hasSuffix(fileName))
    }

    @Test func aRecordingNameLosesOnlyItsLastExtension() {
        let names = RecordingNameParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: helsinki))
        let meta = names.parse(fileName: "out-0401112223-1002-20261023-113705-1792744625.83.wav")
        #expect(meta.callUniqueID == "1792744625.83")
    }

    // MARK: custom sources (found by reading the code)

    /// A `[sources.NAME]` mapping without a header: start, end, from, to, duration, answer.
    private func mappedParser(_ format: SourceMapping.TimeFormat) -> MappedSourceParser {
        let columns: [SourceMapping.Field: String] = [.start: "1", .end: "2", .from: "3", .to: "4", .duration: "5", .answer: "6"]
        return MappedSourceParser(mapping: SourceMapping(name: "pbx", shape: .csv, hasHeader: false, columns: columns,
                                                         timeFormat: format, timeZone: helsinki),
                                  normalizer: normalizer)
    }

    @Test(arguments: ["1e300", "inf", "9e18", "99999999999999999:00", "2147483648", "nan"])
    func aCustomDurationNoIntHoldsIsRejected(_ duration: String) {
        let parser = mappedParser(.epoch(milliseconds: false))
        let fields = ["1792743125", "1792743400", "0401234567", "1004", duration, ""]
        let why = reason { () throws(IngestLineError) in try parser.parse(fields) }
        #expect(why == "duration is not seconds or H:MM:SS")
    }

    @Test(arguments: ["1e300", "inf", "253402300800"])
    func aCustomEpochAfterTheYear9999IsRejected(_ end: String) {
        let parser = mappedParser(.epoch(milliseconds: false))
        let fields = ["1792743125", end, "0401234567", "1004", "", ""]
        let why = reason { () throws(IngestLineError) in try parser.parse(fields) }
        #expect(why == "end does not match the time format of [sources.pbx]")
    }

    @Test func customDurationsAndEpochsInRangeStillParse() throws {
        let parser = mappedParser(.epoch(milliseconds: false))
        let call = try parser.parse(["1792743125", "1792743400", "0401234567", "1004", "1:02:03", "1792743131"])
        #expect(call.durationSeconds == 3723)
        let decimal = try parser.parse(["1792743125", "", "0401234567", "1004", "12.5", ""])
        #expect(decimal.durationSeconds == 13)
        let limit = try parser.parse(["1792743125", "", "0401234567", "1004", "2147483647", ""])
        #expect(limit.durationSeconds == Int(Int32.max))
    }

    @Test func aTimePatternWithALongRunOfLettersRejectsTheTimeNotTraps() {
        // `callvault.toml` accepts any pattern holding yyyy, MM and dd; 20 digits would overflow an Int.
        let parser = mappedParser(.pattern("yyyyyyyyyyyyyyyyyyyy-MM-dd"))
        let fields = ["99999999999999999999-10-23", "", "0401234567", "1004", "10", ""]
        let why = reason { () throws(IngestLineError) in try parser.parse(fields) }
        #expect(why == "start does not match the time format of [sources.pbx]")
    }
}
