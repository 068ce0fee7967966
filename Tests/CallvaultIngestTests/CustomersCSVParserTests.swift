import Foundation
import Testing
import CallvaultIngest
import CallvaultModel
import CallvaultTesting

@Suite struct CustomersCSVParserTests {
    let normalizer = PhoneNumberNormalizer(countryCode: "358")

    private func parser(header: [String] = ["customer_id", "name", "phones", "relationship_ended"]) throws -> CustomersCSVParser {
        var parser = CustomersCSVParser(normalizer: normalizer)
        try parser.readHeader(header)
        return parser
    }

    private func rejection(_ fields: [String]) throws -> String? {
        let parser = try parser()
        do {
            _ = try parser.parse(fields)
            return nil
        } catch {
            return error.reason
        }
    }

    // MARK: header

    @Test func theSampleFileHeaderIsAccepted() throws {
        let header = csvFields(Samples.customersCSV([]))
        #expect(header == ["customer_id", "name", "phones"])
        _ = try parser(header: header)
    }

    @Test func headerNamesIgnoreCaseAndSurroundingSpaces() throws {
        let parser = try parser(header: [" Customer_ID ", "NAME", "Phones "])
        let customer = try parser.parse(["C1", "Virtanen", "0401234567"]).customer
        #expect(customer.id == "C1")
        #expect(customer.name == "Virtanen")
    }

    @Test(arguments: ["customer_id", "name", "phones"])
    func aHeaderWithoutARequiredColumnIsRefusedNamingIt(missing: String) {
        var parser = CustomersCSVParser(normalizer: normalizer)
        let header = ["customer_id", "name", "phones"].filter { $0 != missing }
        #expect {
            try parser.readHeader(header)
        } throws: { error in
            (error as? IngestLineError)?.reason.contains("'\(missing)'") == true
        }
    }

    @Test func columnsAreFoundByNameInAnyOrder() throws {
        let parser = try parser(header: ["phones", "relationship_ended", "name", "extra", "customer_id"])
        let customer = try parser.parse(["040 123 4567", "", "Mäkinen Jukka", "ignored", "C7"]).customer
        #expect(customer.id == "C7")
        #expect(customer.name == "Mäkinen Jukka")
        #expect(customer.phones.map(\.e164) == ["+358401234567"])
        #expect(customer.relationshipEnded == nil)
    }

    // MARK: phones

    @Test func phonesInMixedWrittenFormsAreNormalisedAndDeduplicated() throws {
        let customer = try parser().parse(["C1", "Mäkinen Jukka",
                                           "040 123 4567; +358401234567;00358 40 123 4567;09-1234567;358401234567", ""]).customer
        #expect(customer.phones.map(\.e164) == ["+358401234567", "+35891234567"])
        #expect(customer.phones.first?.raw == "040 123 4567")
    }

    @Test func extensionsAndWithheldValuesAreDropped() throws {
        let customer = try parser().parse(["C2", "Virtanen Oy", "1001;0401234567;anonymous;400; ;;", ""]).customer
        #expect(customer.phones.map(\.e164) == ["+358401234567"])
        #expect(customer.phones.allSatisfy { $0.category == .e164 })
    }

    @Test func aCustomerWithoutPhonesIsAllowed() throws {
        let customer = try parser().parse(["C3", "No Phone", "", ""]).customer
        #expect(customer.phones.isEmpty)
    }

    @Test(arguments: [("not a number", "not a number"), ("040 123 4567;call me", "call me"), ("+358-40-abc", "+358-40-abc"),
                      ("0401234567x;09 123 4567", "0401234567x")])
    func anUnusablePhoneIsNamedAndTheRestOfTheLineKept(phones: String, bad: String) throws {
        let line = try parser().parse(["C4", "Bad", phones, ""])
        #expect(line.customer.id == "C4")
        #expect(line.customer.name == "Bad")
        #expect(line.unusableNumbers.count == 1)
        let reason = try #require(line.unusableNumbers.first)
        #expect(reason.hasPrefix("phones: '\(bad)' was not imported: "), "\(reason)")
        // Only the bad value is shown: the usable numbers of the line are not echoed.
        let usable = line.customer.phones.compactMap(\.e164)
        #expect(usable.allSatisfy { !reason.contains($0.dropFirst(4)) }, "\(reason)")
    }

    @Test(arguments: [
        ("+358 (0)40 999 8877", "+358409998877"),
        ("+358(0)409998877", "+358409998877"),
        ("00358 (0)40 999 8877", "+358409998877"),
        ("+358 040 999 8877", "+358409998877"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("(0)40 999 8877", "+358409998877"),
        ("040/999.88-77", "+358409998877"),
    ])
    func aTrunkPrefixWrittenAfterTheCountryCodeIsDropped(written: String, e164: String) throws {
        let line = try parser().parse(["C9", "Card", written, ""])
        #expect(line.customer.phones.map(\.e164) == [e164])
        #expect(line.unusableNumbers.isEmpty)
    }

    // MARK: other fields

    @Test func anEmptyCustomerIDIsRefused() throws {
        #expect(try rejection(["  ", "Nobody", "0401234567", ""])?.contains("customer_id") == true)
    }

    @Test func aCustomerIDWithALineBreakOrTooLongIsRefused() throws {
        #expect(try rejection(["C\n1", "X", "", ""]) != nil)
        #expect(try rejection([String(repeating: "c", count: 129), "X", "", ""]) != nil)
        #expect(try rejection([String(repeating: "c", count: 128), "X", "", ""]) == nil)
    }

    @Test func missingTrailingFieldsReadAsEmpty() throws {
        let customer = try parser().parse(["C5", "Short Row"]).customer
        #expect(customer.phones.isEmpty)
        #expect(customer.relationshipEnded == nil)
    }

    @Test func theRelationshipEndDateIsParsed() throws {
        let customer = try parser().parse(["C6", "Former", "0401234567", "2025-12-31"]).customer
        #expect(customer.relationshipEnded == utc("2025-12-31T00:00:00Z"))
    }

    @Test(arguments: ["31.12.2025", "2025-13-01", "2025-02-30", "2025-12-31 10:00:00", "soon", "2025-1-1"])
    func aBadRelationshipEndDateIsRefused(date: String) throws {
        #expect(try rejection(["C6", "Former", "0401234567", date])?.contains("relationship_ended") == true)
    }

    @Test func aWholeSampleFileParses() throws {
        let csv = Samples.customersCSV([
            (id: "C1", name: "Mäkinen Jukka", phones: "040 123 4567;09-1234567"),
            (id: "C2", name: "Oy Esimerkki Ab, \"\"asiakaspalvelu\"\"", phones: "+358 20 123 4567"),
        ])
        var records: [[String]] = []
        try CSVRecordReader().read(bytes: Array(csv.utf8)) { event in
            if case .record(let record) = event { records.append(record.fields) }
        }
        var parser = CustomersCSVParser(normalizer: normalizer)
        try parser.readHeader(records[0])
        let customers = try records.dropFirst().map { try parser.parse($0).customer }
        #expect(customers.map(\.id) == ["C1", "C2"])
        #expect(customers[1].name == "Oy Esimerkki Ab, \"asiakaspalvelu\"")
        #expect(customers[1].phones.map(\.e164) == ["+358201234567"])
    }

    @Test
    func aByteOrderMarkBeforeTheHeaderIsIgnored() throws {
        // Spreadsheet programs write "CSV UTF-8" with a byte order mark.
        let csv = "\u{FEFF}" + Samples.customersCSV([(id: "C1", name: "Mäkinen Jukka", phones: "040 123 4567")])
        var records: [[String]] = []
        try CSVRecordReader().read(bytes: Array(csv.utf8)) { event in
            if case .record(let record) = event { records.append(record.fields) }
        }
        var parser = CustomersCSVParser(normalizer: normalizer)
        try parser.readHeader(records[0])
        #expect(try parser.parse(records[1]).customer.id == "C1")
    }
}
