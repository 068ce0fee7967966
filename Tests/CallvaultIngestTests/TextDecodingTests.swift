import Testing
import CallvaultIngest

@Suite struct TextDecodingTests {
    @Test func validUTF8StaysUTF8() {
        var fallback = false
        #expect(TextDecoding.decode(Array("Mäkinen Åsa 😀".utf8), usedFallback: &fallback) == "Mäkinen Åsa 😀")
        #expect(!fallback)
    }

    @Test func invalidUTF8IsReadAsLatin1() {
        var fallback = false
        #expect(TextDecoding.decode([0x4D, 0xE4, 0x6B, 0x69, 0xF6], usedFallback: &fallback) == "Mäkiö")
        #expect(fallback)
    }

    @Test func aTruncatedUTF8SequenceFallsBackToLatin1() {
        var fallback = false
        #expect(TextDecoding.decode([0x61, 0xC3], usedFallback: &fallback) == "a\u{C3}")
        #expect(fallback)
    }

    @Test func everyByteDecodesWithoutFailing() {
        let all = (0...255).map { UInt8($0) }
        let text = TextDecoding.decode(all)
        #expect(text.unicodeScalars.count == 256)
        #expect(text.unicodeScalars.map(\.value) == (0...255).map { UInt32($0) })
    }

    @Test func emptyBytesAreAnEmptyString() {
        var fallback = false
        #expect(TextDecoding.decode([UInt8](), usedFallback: &fallback) == "")
        #expect(!fallback)
    }
}
