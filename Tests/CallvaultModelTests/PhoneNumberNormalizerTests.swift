import Testing
import CallvaultModel

@Suite struct PhoneNumberNormalizerTests {
    let normalizer = PhoneNumberNormalizer(countryCode: "358")

    @Test(arguments: [
        ("040 123 4567", "+358401234567"),
        ("0401234567", "+358401234567"),
        ("09-1234567", "+35891234567"),
        ("(09) 612 3456", "+35896123456"),
        ("050/765.4321", "+358507654321"),
    ])
    func nationalFormsGainTheHomeCountryCode(written: String, e164: String) {
        let number = normalizer.normalize(written)
        #expect(number.category == .e164)
        #expect(number.e164 == e164)
        #expect(number.raw == written)
    }

    @Test(arguments: [
        ("00358401234567", "+358401234567"),
        ("00358 40 123 4567", "+358401234567"),
        ("+358 40 123 4567", "+358401234567"),
        ("+358401234567", "+358401234567"),
        ("358401234567", "+358401234567"),
    ])
    func internationalFormsOfAHomeNumberAreRecognised(written: String, e164: String) {
        let number = normalizer.normalize(written)
        #expect(number.category == .e164)
        #expect(number.e164 == e164)
    }

    @Test(arguments: [
        ("0046701234567", "+46701234567"),
        ("+46 70 123 45 67", "+46701234567"),
        ("0049 30 1234567", "+49301234567"),
    ])
    func foreignNumbersKeepTheirOwnCountryCode(written: String, e164: String) {
        let number = normalizer.normalize(written)
        #expect(number.category == .e164)
        #expect(number.e164 == e164)
    }

    @Test(arguments: ["1001", "400", "12345", " 1003 "])
    func shortNumbersAreExtensionsAndNeverE164(written: String) {
        let number = normalizer.normalize(written)
        #expect(number.category == .extension)
        #expect(number.e164 == nil)
    }

    @Test(arguments: ["anonymous", "Anonymous", "withheld", "Restricted", "PRIVATE", "", "   ", "unavailable"])
    func anonymousMarkersAreWithheld(written: String) {
        let number = normalizer.normalize(written)
        #expect(number.category == .withheld)
        #expect(number.e164 == nil)
    }

    @Test(arguments: ["abc", "040-CALL-NOW", "0401234567x", "12+34567890", "\u{0664}\u{0660}\u{0661}"])
    func lettersAndOtherSymbolsAreUnknown(written: String) {
        let number = normalizer.normalize(written)
        #expect(number.category == .unknown)
        #expect(number.e164 == nil)
    }

    @Test func tooShortOrTooLongInternationalNumbersAreUnknown() {
        #expect(normalizer.normalize("+12345").category == .unknown)
        #expect(normalizer.normalize("+1234567890123456").category == .unknown)
        #expect(normalizer.normalize("00012345678").category == .unknown)
        #expect(normalizer.normalize("+0401234567").category == .unknown)
    }

    @Test func everyWrittenFormOfOneNumberGivesTheSameE164() {
        let forms = ["040 123 4567", "0401234567", "040-1234567", "(040) 123 4567", "+358 40 123 4567",
                     "+358401234567", "00358401234567", "00358 40 123 45 67", "358401234567", " 040.123.4567 "]
        let results = Set(forms.map { normalizer.normalize($0).e164 })
        #expect(results == ["+358401234567"])
    }

    @Test func reversedDigitsOfAPublicNumberAreTheE164DigitsBackwards() {
        #expect(normalizer.normalize("040 123 4567").reversedDigits == "765432104853")
        #expect(normalizer.normalize("1001").reversedDigits == "1001")
        #expect(normalizer.normalize("1234").reversedDigits == "4321")
        #expect(normalizer.normalize("anonymous").reversedDigits == nil)
        #expect(normalizer.normalize("abc").reversedDigits == nil)
    }

    @Test func displayIsE164WhenKnownElseRaw() {
        #expect(normalizer.normalize("040 123 4567").display == "+358401234567")
        #expect(normalizer.normalize("1001").display == "1001")
        #expect(normalizer.normalize("Restricted").display == "Restricted")
    }

    @Test func anotherHomeCountryCodeIsUsedForNationalForms() {
        let swedish = PhoneNumberNormalizer(countryCode: "46")
        #expect(swedish.normalize("070-123 45 67").e164 == "+46701234567")
        #expect(swedish.normalize("46701234567").e164 == "+46701234567")
    }

    @Test func noBreakSpacesAndSurroundingWhitespaceAreIgnored() {
        for written in ["040\u{00A0}123\u{00A0}4567", "\u{00A0}0401234567\u{00A0}", "\t+358 40 123 4567\r\n", "\n040-123 4567 "] {
            #expect(normalizer.normalize(written).e164 == "+358401234567", "\(written.debugDescription)")
        }
        #expect(normalizer.normalize("\t0401234567 ").raw == "0401234567")
    }

    @Test(arguments: ["¢0401234567", "040\u{00A1}1234567", "040\u{2007}1234567", "040\t1234567", "０４０1234567"])
    func nonASCIICharactersOtherThanNoBreakSpaceMakeItUnknown(written: String) {
        #expect(normalizer.normalize(written).category == .unknown)
    }

    @Test(arguments: ["s", "S", "0", "-", "unknown", "anonymous@anonymous.invalid"])
    func pbxPlaceholdersAreWithheld(written: String) {
        #expect(normalizer.normalize(written).category == .withheld)
    }

    @Test(arguments: [
        ("+358 (0)40 123 4567", "+358401234567"),
        ("+358(0)401234567", "+358401234567"),
        ("00358 (0)40 123 4567", "+358401234567"),
        ("+358 040 123 4567", "+358401234567"),
        ("00358 040-123 4567", "+358401234567"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("+49 (0)30 1234567", "+49301234567"),
    ])
    func aTrunkPrefixAfterTheCountryCodeIsDropped(written: String, e164: String) {
        #expect(normalizer.normalize(written).e164 == e164)
        #expect(normalizer.unusableReason(written) == nil)
    }

    @Test func aZeroInParenthesesIsKeptWhereItIsTheNationalTrunkPrefixOrPartOfTheNumber() {
        #expect(normalizer.normalize("(0)40 123 4567").e164 == "+358401234567")
        #expect(normalizer.normalize("(09) 612 3456").e164 == "+35896123456")
        #expect(normalizer.normalize("+358 40 (0)12 3456").e164 == "+358400123456")
    }

    @Test func italianNumbersKeepTheirZeroAfterTheCountryCode() {
        let italian = PhoneNumberNormalizer(countryCode: "39")
        #expect(italian.normalize("+39 06 1234 5678").e164 == "+390612345678")
    }

    @Test(arguments: [
        ("040-CALL-NOW", "characters other than digits"),
        ("+12345", "7 to 15 digits after the +"),
        ("00 12345", "7 to 15 digits after the 00"),
        ("+0401234567", "no country code starts with 0"),
        ("0401", "extension"),
        ("040123456789012345", "national number has 5 to 12 digits"),
        ("123456789", "not a national number"),
    ])
    func anUnusableNumberSaysWhy(written: String, reason: String) {
        let number = normalizer.normalize(written)
        if number.category == .unknown {
            #expect(normalizer.unusableReason(written)?.contains(reason) == true, "\(String(describing: normalizer.unusableReason(written)))")
        } else {
            #expect(number.category == .extension && reason == "extension")
            #expect(normalizer.unusableReason(written) == nil)
        }
    }
}
