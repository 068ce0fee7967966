import Foundation
import Testing
@testable import CallvaultIngest
import CallvaultTesting

@Suite struct FormatDetectorTests {
    private func rejection(_ name: String, _ head: [UInt8]) -> String? {
        do {
            let format = try FormatDetector.detect(fileName: name, head: head)
            Issue.record("expected a rejection, got \(format)")
            return nil
        } catch {
            return error.reason
        }
    }

    @Test(arguments: ["in-0923456789-0401234567-20261023-091422-1792736062.57.wav", "recording.WAV", "noextension", "odd.csv"])
    func wavBytesAreARecordingWhateverTheName(name: String) throws {
        let head = Array(Samples.wav(seconds: 0.5).prefix(64 * 1024))
        #expect(try FormatDetector.detect(fileName: name, head: head) == .recording)
    }

    @Test func aWavNameWithoutARIFFHeaderIsRejectedWithAReason() throws {
        let reason = try #require(rejection("call.wav", Array(Samples.cdrLine().utf8)))
        #expect(reason.contains("RIFF"))
        #expect(reason.contains(".wav"))
    }

    @Test(arguments: ["call.mp3", "call.gsm", "call.ogg"])
    func otherAudioExtensionsAreRejectedAsNotYetSupported(name: String) throws {
        let reason = try #require(rejection(name, [0xFF, 0xFB, 0x90, 0x00]))
        #expect(reason.contains("not supported"))
    }

    @Test(arguments: [16, 17, 18, 21])
    func aCDRLineIsAsteriskCSV(columns: Int) throws {
        let line = csvFields(Samples.cdrLine()).prefix(columns).map { "\"\($0)\"" }.joined(separator: ",") + "\n"
        #expect(try FormatDetector.detect(fileName: "Master.csv", head: Array(line.utf8)) == .asteriskCSV)
    }

    @Test func aCDRFileIsDetectedWhateverItsName() throws {
        let text = Samples.cdrLine() + "\n" + Samples.cdrLine(sequence: 2) + "\n"
        #expect(try FormatDetector.detect(fileName: "export-2026-03-14", head: Array(text.utf8)) == .asteriskCSV)
    }

    @Test func aCustomersFileIsRejectedPointingToCustomersImport() throws {
        let csv = Samples.customersCSV([(id: "C1", name: "Mäkinen Jukka", phones: "040 123 4567")])
        let reason = try #require(rejection("customers.csv", Array(csv.utf8)))
        #expect(reason.contains("customers import"))
        #expect(!reason.contains("401234567"))
    }

    @Test func binaryGarbageIsRejected() throws {
        var random = SplitMix64(seed: 7)
        var garbage = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &random) }
        garbage[100] = 0
        let reason = try #require(rejection("blob.bin", garbage))
        #expect(reason.contains("binary"))
    }

    @Test func anEmptyFileIsRejected() throws {
        let reason = try #require(rejection("Master.csv", []))
        #expect(reason.contains("empty"))
    }

    @Test func aFileOfBlankLinesIsRejected() throws {
        #expect(rejection("Master.csv", Array("\n\n\n".utf8))?.contains("no record") == true)
    }

    @Test func aCSVWithFiveColumnsIsRejectedNamingTheFieldCount() throws {
        let csv = "date,from,to,seconds,note\n2026-03-14,0401234567,1001,125,ok\n"
        let reason = try #require(rejection("calls.csv", Array(csv.utf8)))
        #expect(reason.contains("5 fields"))
        #expect(!reason.contains("401234567"))
    }

    @Test func aTwentyOneColumnLineWithoutAStartTimeIsRejected() throws {
        var fields = csvFields(Samples.cdrLine())
        fields[9] = "yesterday"
        let line = fields.map { "\"\($0)\"" }.joined(separator: ",") + "\n"
        let reason = try #require(rejection("Master.csv", Array(line.utf8)))
        #expect(reason.contains("21 fields"))
    }

    @Test func aCDRLineWithoutNewlineIsDetected() throws {
        let text = Samples.cdrLine() + "\n"
        #expect(try FormatDetector.detect(fileName: "Master.csv", head: Array(text.utf8.prefix(text.utf8.count - 1))) == .asteriskCSV)
    }

    @Test
    func aCustomersFileWithAByteOrderMarkIsStillRecognised() throws {
        let csv = "\u{FEFF}" + Samples.customersCSV([(id: "C1", name: "Mäkinen Jukka", phones: "040 123 4567")])
        #expect(rejection("customers.csv", Array(csv.utf8))?.contains("customers import") == true)
    }
}

/// Detection is not decided by one damaged line, and only a file that is mostly not text is binary.
@Suite struct TolerantFormatDetectionTests {
    static let cdr = Samples.cdrLine(uniqueID: "1.1")

    @Test func aNulByteInTheFirstRecordDoesNotHideAnAsteriskFile() throws {
        var head = Array((Self.cdr + "\n" + Samples.cdrLine(uniqueID: "1.2") + "\n" + Samples.cdrLine(uniqueID: "1.3") + "\n").utf8)
        head[6] = 0   // inside the caller's number
        #expect(try FormatDetector.detect(fileName: "Master.csv", head: head) == .asteriskCSV)
    }

    @Test func aControlByteInTheFirstLineDoesNotHideAKannelLog() throws {
        let line = "2026-10-23 08:05:31 Sent SMS [SMSC:x] [SVC:] [ACT:] [BINF:] [FID:1] [META:] [from:+358923456789] [to:+358401234567] [flags:-1:0:-1:0:19] [msg:2:Hi] [udh:0:]"
        var head = Array(("2026-10-23 07:58:12 Log begins\n" + line + "\n" + line + "\n").utf8)
        head[2] = 0x01
        #expect(try FormatDetector.detect(fileName: "access.log", head: head) == .kannelLog)
    }

    @Test(arguments: [(0, false), (409, false), (410, true), (2000, true)])
    func aFileIsBinaryWhenMoreThanATenthOfItsFirst4KiBAreControlBytes(controlBytes: Int, binary: Bool) {
        var head = [UInt8](repeating: UInt8(ascii: "a"), count: 4096)
        for i in 0..<controlBytes { head[i * 2 % 4096] = i.isMultiple(of: 2) ? 0 : 0x01 }
        #expect(FormatDetector.isMostlyBinary(head) == binary)
    }

    @Test func tabsAndLineBreaksAreText() {
        #expect(!FormatDetector.isMostlyBinary(Array(String(repeating: "a\t\r\n", count: 1000).utf8)))
    }
}
