import Foundation
import Testing
import CallvaultIngest
import CallvaultModel
import CallvaultTesting

@Suite struct WAVHeaderParserTests {
    private func parse(_ bytes: [UInt8], fileSize: Int64? = nil) throws(IngestLineError) -> AudioInfo {
        try WAVHeaderParser.parse(head: Array(bytes.prefix(64 * 1024)), fileSize: fileSize ?? Int64(bytes.count))
    }

    private func reason(_ bytes: [UInt8], fileSize: Int64? = nil) -> String? {
        do {
            _ = try parse(bytes, fileSize: fileSize)
            return nil
        } catch {
            return error.reason
        }
    }

    private func setLE32(_ bytes: inout [UInt8], _ at: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
    }

    private func setLE16(_ bytes: inout [UInt8], _ at: Int, _ value: UInt16) {
        for i in 0..<2 { bytes[at + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt16(i))) }
    }

    @Test func aGoodWAVIsSixteenBitPCMWithItsDuration() throws {
        let info = try parse(Array(Samples.wav(seconds: 2.5)))
        #expect(info.codec == "pcm_s16le")
        #expect(info.sampleRate == 8000)
        #expect(info.channels == 1)
        #expect(info.bitsPerSample == 16)
        #expect(info.durationSeconds == 2.5)
        #expect(info.warning == nil)
    }

    @Test func theRateOfTheFileIsRead() throws {
        let info = try parse(Array(Samples.wav(seconds: 1, rate: 16000)))
        #expect(info.sampleRate == 16000)
        #expect(info.durationSeconds == 1)
    }

    @Test func onlyTheHeadIsNeededForALargeFile() throws {
        let wav = Array(Samples.wav(seconds: 30))
        let info = try WAVHeaderParser.parse(head: Array(wav.prefix(4096)), fileSize: Int64(wav.count))
        #expect(info.durationSeconds == 30)
        #expect(info.warning == nil)
    }

    @Test func aDataSizeBeyondTheFileIsATruncatedRecordingWarning() throws {
        let wav = Array(Samples.wav(seconds: 2))
        let cut = Array(wav.prefix(44 + 8000))   // half of the data
        let info = try parse(cut)
        let warning = try #require(info.warning)
        #expect(warning.contains("truncated"))
        #expect(info.durationSeconds == 0.5)
    }

    @Test func aRIFFSizeThatDisagreesWithTheFileIsAWarning() throws {
        var wav = Array(Samples.wav(seconds: 1))
        setLE32(&wav, 4, 1234)
        let info = try parse(wav)
        let warning = try #require(info.warning)
        #expect(warning.contains("RIFF size"))
        #expect(info.durationSeconds == 1)
    }

    @Test(arguments: [UInt32(0), UInt32(0xFFFF_FFFF)])
    func anUnsetDataSizeTakesTheDurationFromTheFile(size: UInt32) throws {
        var wav = Array(Samples.wav(seconds: 1))
        setLE32(&wav, 40, size)
        let info = try parse(wav)
        #expect(info.warning?.contains("unset") == true)
        #expect(info.durationSeconds == 1)
    }

    @Test(arguments: [(UInt16(6), UInt16(8), "alaw"), (7, 8, "mulaw"), (0x31, 0, "gsm"), (1, 8, "pcm_u8"),
                      (3, 32, "pcm_f32le"), (0xFFFE, 16, "pcm_s16le"), (0x55, 0, "unknown(0x55)")])
    func theCodecIsNamedFromTheFormatTag(tag: UInt16, bits: UInt16, codec: String) throws {
        var wav = Array(Samples.wav(seconds: 1))
        setLE16(&wav, 20, tag)
        setLE16(&wav, 34, bits)
        #expect(try parse(wav).codec == codec)
    }

    @Test(arguments: ["", "RIFF", "RIFX____WAVE", "RIFF____AVI ", "ID3\u{3}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}", "hello, world, this is text"])
    func aFileThatIsNotRIFFWaveIsRefused(text: String) {
        #expect(reason(Array(text.utf8)) != nil)
    }

    @Test func aTruncatedFmtChunkIsRefused() throws {
        let wav = Array(Samples.wav(seconds: 1))
        let head = Array(wav.prefix(30))
        #expect(reason(head, fileSize: Int64(wav.count))?.contains("fmt") == true)
        var short = wav
        setLE32(&short, 16, 10)   // fmt chunk shorter than the 16 bytes PCM needs
        #expect(reason(short)?.contains("fmt") == true)
    }

    @Test func zeroChannelsIsRefused() throws {
        var wav = Array(Samples.wav(seconds: 1))
        setLE16(&wav, 22, 0)
        #expect(reason(wav)?.contains("0 channels") == true)
    }

    @Test func aZeroSampleRateIsRefused() throws {
        var wav = Array(Samples.wav(seconds: 1))
        setLE32(&wav, 24, 0)
        #expect(reason(wav) != nil)
    }

    @Test func aZeroByteRateFallsBackToTheSampleFormat() throws {
        var wav = Array(Samples.wav(seconds: 1))
        setLE32(&wav, 28, 0)
        #expect(try parse(wav).durationSeconds == 1)
    }

    @Test func noFmtChunkBeforeTheDataIsRefused() throws {
        var wav = Array(Samples.wav(seconds: 1))
        wav.replaceSubrange(12..<16, with: Array("junk".utf8))
        #expect(reason(wav)?.contains("fmt") == true)
    }

    /// A WAV with an extra chunk of declared size `size` between fmt and data.
    private func wavWithChunk(size: UInt32, body: Int = 8) -> [UInt8] {
        let wav = Array(Samples.wav(seconds: 1))
        var chunk = Array("LIST".utf8)
        chunk += [0, 0, 0, 0]
        setLE32(&chunk, 4, size)
        chunk += [UInt8](repeating: 0x41, count: body)
        var out = Array(wav[0..<36]) + chunk + Array(wav[36...])
        setLE32(&out, 4, UInt32(out.count - 8))
        return out
    }

    @Test func anExtraChunkBeforeTheDataIsSkipped() throws {
        let info = try parse(wavWithChunk(size: 8))
        #expect(info.durationSeconds == 1)
        #expect(info.warning == nil)
    }

    @Test(arguments: [UInt32(0xFFFF_FFFF), 0xFFFF_FFF0, 0x8000_0000, 0x7FFF_FFFF, 100_000, 20_000])
    func aHugeChunkSizeBeforeTheDataNeverTraps(size: UInt32) {
        // Either refused or accepted with a warning; the point is it returns.
        do {
            let info = try parse(wavWithChunk(size: size))
            #expect(info.warning != nil)
        } catch {
            #expect(!error.reason.isEmpty)
        }
    }

    @Test func aChunkLargerThanTheHeadButInsideTheFileIsRefused() throws {
        var wav = wavWithChunk(size: 100_000, body: 8)
        wav += [UInt8](repeating: 0, count: 200_000)
        #expect(reason(wav)?.contains("too large") == true)
    }

    @Test func randomMutationsOfAValidHeaderNeverCrash() {
        var random = SplitMix64(seed: 2026)
        let original = Array(Samples.wav(seconds: 0.1))
        var refused = 0
        for _ in 0..<2000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...6, using: &random) {
                let at = Int.random(in: 0..<64, using: &random)
                bytes[at] = UInt8.random(in: 0...255, using: &random)
            }
            if Bool.random(using: &random) { bytes = Array(bytes.prefix(Int.random(in: 0...80, using: &random))) }
            let fileSize = Bool.random(using: &random) ? Int64(bytes.count) : Int64.random(in: 0...Int64(UInt32.max) * 2, using: &random)
            do {
                let info = try WAVHeaderParser.parse(head: bytes, fileSize: fileSize)
                #expect(info.durationSeconds >= 0)
                #expect(info.durationSeconds.isFinite)
            } catch {
                refused += 1
            }
        }
        #expect(refused > 0)
    }
}
