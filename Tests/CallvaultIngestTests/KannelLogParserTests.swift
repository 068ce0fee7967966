import Foundation
import Testing
import CallvaultIngest
import CallvaultModel
import CallvaultTesting

/// One access-log line in Kannel's default format, as `bb_alog_sms` writes it.
func kannelLine(time: String = "2026-10-23 08:05:31", event: String = "Sent SMS", smsc: String = "elisa-smpp",
                svc: String = "asiakaspalvelu", fid: String? = "6F3A2B10", meta: String? = "",
                from: String = "+358923456789", to: String = "+358401234567", flags: String = "-1:0:-1:0:19",
                text: String = "Hei Jukka, tilauksesi on lähetetty.", length: Int? = nil, udh: String = "0:") -> String {
    var line = "\(time) \(event) [SMSC:\(smsc)] [SVC:\(svc)] [ACT:] [BINF:]"
    if let fid { line += " [FID:\(fid)]" }
    if let meta { line += " [META:\(meta)]" }
    line += " [from:\(from)] [to:\(to)] [flags:\(flags)] [msg:\(length ?? text.utf8.count):\(text)] [udh:\(udh)]"
    return line
}

@Suite struct KannelLogParserTests {
    let parser = KannelLogParser(normalizer: PhoneNumberNormalizer(countryCode: "358"),
                                 clock: LocalTimeConverter(timeZone: helsinki))

    private func message(_ line: String) throws -> SMSRecord {
        guard case .message(let record) = try parser.parse(line: line) else {
            Issue.record("expected a message")
            throw IngestLineError("not a message")
        }
        return record
    }

    private func update(_ line: String) throws -> SMSStatusUpdate {
        guard case .statusUpdate(let update) = try parser.parse(line: line) else {
            Issue.record("expected a status update")
            throw IngestLineError("not a status update")
        }
        return update
    }

    private func rejection(_ line: String) -> String? {
        do {
            let event = try parser.parse(line: line)
            Issue.record("expected a rejection, got \(event)")
            return nil
        } catch {
            return error.reason
        }
    }

    private func receipt(_ fid: String, stat: String, quoting text: String) -> String {
        "id:\(fid) sub:001 dlvrd:001 submit date:2610230805 done date:2610230805 stat:\(stat) err:000 text:\(String(text.prefix(20)))"
    }

    // MARK: messages

    @Test func aSentSMSLineIsAnOutboundMessageKeyedByItsFID() throws {
        let sms = try message(kannelLine())
        #expect(sms.format == "kannel-access-log")
        #expect(sms.direction == .outbound)
        #expect(sms.status == "sent")
        #expect(sms.from.e164 == "+358923456789")
        #expect(sms.to.e164 == "+358401234567")
        #expect(sms.messageID == "6F3A2B10")
        #expect(sms.smsc == "elisa-smpp")
        #expect(sms.length == "Hei Jukka, tilauksesi on lähetetty.".utf8.count)
        #expect(sms.parts == 1)
        #expect(sms.time == utc("2026-10-23T05:05:31Z"), "local Helsinki time, EEST in October before the 25th")
        #expect(sms.sourceKey == "kannel-access-log:Sent SMS:elisa-smpp:6F3A2B10")
    }

    @Test func aReceiveSMSLineIsAnInboundMessageKeyedByAFingerprint() throws {
        let line = kannelLine(time: "2026-10-23 09:12:44", event: "Receive SMS", svc: "", fid: "", meta: "?smpp?",
                              from: "+358507654321", to: "+358923456789", flags: "-1:0:-1:0:-1",
                              text: "Moi! Voinko siirtää huomisen ajan?")
        let sms = try message(line)
        #expect(sms.direction == .inbound)
        #expect(sms.status == "received")
        #expect(sms.from.e164 == "+358507654321")
        #expect(sms.to.e164 == "+358923456789")
        #expect(sms.messageID == nil)
        #expect(sms.sourceKey.hasPrefix("kannel-access-log:Receive SMS:"))
        #expect(sms.sourceKey.count > "kannel-access-log:Receive SMS:".count)
        #expect(try message(line).sourceKey == sms.sourceKey, "the same line gives the same key")
    }

    @Test(arguments: [
        ("FAILED Send SMS", Direction.outbound, "failed", "FAILED Send SMS"),
        ("DISCARDED SMS", .outbound, "discarded", "DISCARDED SMS"),
        ("EXPIRED SMS", .outbound, "expired", "EXPIRED SMS"),
        ("REJECTED - black-listed SMS", .inbound, "rejected", "REJECTED - black-listed SMS"),
        ("REJECTED - not white-listed SMS", .inbound, "rejected", "REJECTED - not white-listed SMS"),
        ("REJECTED - not white-regex-listed SMS", .inbound, "rejected", "REJECTED - not white-regex-listed SMS"),
        ("DROPPED Received SMS", .inbound, "dropped", "DROPPED Received SMS"),
        ("Failed Send SMS", .outbound, "failed", "FAILED Send SMS"),
        ("Rejected Send SMS", .outbound, "rejected", "other outbound rejected SMS"),
        ("FAILED Routing SMS", .outbound, "failed", "other outbound failed SMS"),
    ])
    func everySMSEventKannelWritesIsAMessageWithItsStatus(event: String, direction: Direction, status: String,
                                                          keyEvent: String) throws {
        let sms = try message(kannelLine(event: event, fid: ""))
        #expect(sms.direction == direction)
        #expect(sms.status == status)
        #expect(sms.sourceKey.hasPrefix("kannel-access-log:\(keyEvent):"))
    }

    @Test func textInAnEventOfACustomFormatNeverReachesTheKey() throws {
        // access-log-format "%t %l %b [SMSC:%i] …" would put the text after the event.
        let sms = try message(kannelLine(event: "Sent SMS Hei Jukka secret-xyz", fid: "6F3A2B10"))
        #expect(sms.status == "sent")
        #expect(!String(describing: sms).contains("secret-xyz"))
        #expect(sms.sourceKey == "kannel-access-log:other outbound sent SMS:elisa-smpp:6F3A2B10")
    }

    @Test func theFormatsOfOlderKannelsParse() throws {
        // 1.4.0-1.4.3: no FID, no META; 1.4.4/1.4.5: FID, no META.
        let old = try message(kannelLine(fid: nil, meta: nil))
        #expect(old.messageID == nil)
        #expect(old.to.e164 == "+358401234567")
        let mid = try message(kannelLine(meta: nil))
        #expect(mid.messageID == "6F3A2B10")
        #expect(mid.sourceKey == "kannel-access-log:Sent SMS:elisa-smpp:6F3A2B10")
    }

    @Test func unknownExtraFieldsAreSkipped() throws {
        let line = kannelLine().replacingOccurrences(of: " [from:", with: " [ID:0b7a7c6e-2f0a-4a52-9a6e-1f4bb1e0c3a2] [X-Custom:a:b] [from:")
            + " [boxc:smsbox1]"
        let sms = try message(line)
        #expect(sms.from.e164 == "+358923456789")
        #expect(sms.to.e164 == "+358401234567")
        #expect(sms.messageID == "6F3A2B10")
    }

    @Test func anEmptySenderIsWithheld() throws {
        let sms = try message(kannelLine(event: "Receive SMS", fid: "", from: ""))
        #expect(sms.from.category == .withheld)
        #expect(sms.to.e164 == "+358401234567")
    }

    @Test func anAlphanumericSenderIsKeptRaw() throws {
        let sms = try message(kannelLine(from: "Esimerkki"))
        #expect(sms.from.raw == "Esimerkki")
        #expect(sms.from.e164 == nil)
    }

    @Test func aLineBreakAtTheEndAndALogPrefixAreTolerated() throws {
        let plain = try message(kannelLine())
        #expect(try message(kannelLine() + "\r\n") == plain)
        #expect(try message(kannelLine() + "\n") == plain)
        #expect(try message("Log: " + kannelLine()).messageID == "6F3A2B10")
    }

    @Test func theRepeatedAutumnHourReadsAsItsFirstPass() throws {
        let sms = try message(kannelLine(time: "2026-10-25 03:30:00"))
        #expect(sms.time == utc("2026-10-25T00:30:00Z"))
    }

    // MARK: delivery reports

    @Test(arguments: [(1, "delivered"), (2, "failed"), (4, "buffered"), (8, "accepted"), (16, "rejected")])
    func aDeliveryReportUpdatesTheMessageWithItsFID(type: Int, status: String) throws {
        let text = type == 8 ? "ACK/" : type == 16 ? "NACK/0x00000045/Submit failed"
            : receipt("6F3A2B10", stat: type == 1 ? "DELIVRD" : type == 2 ? "UNDELIV" : "ENROUTE", quoting: "Hei Jukka")
        let line = kannelLine(time: "2026-10-23 08:05:36", event: "Receive DLR", meta: "?smpp?", flags: "-1:-1:-1:-1:\(type)", text: text)
        let report = try update(line)
        #expect(report.messageID == "6F3A2B10")
        #expect(report.status == status)
        #expect(report.time == utc("2026-10-23T05:05:36Z"))
        #expect(report.sourceKey.hasPrefix("kannel-access-log:Receive DLR:elisa-smpp:6F3A2B10:\(status):"))
    }

    @Test func aReportWithoutADLRTypeFallsBackToTheReceiptsStat() throws {
        let text = receipt("6F3A2B10", stat: "EXPIRED", quoting: "Hei Jukka")
        let report = try update(kannelLine(event: "Receive DLR", flags: "-1:-1:-1:-1:-1", text: text))
        #expect(report.status == "expired")
    }

    @Test func aReportWithNeitherTypeNorStatIsRejected() throws {
        let reason = try #require(rejection(kannelLine(event: "Receive DLR", flags: "-1:-1:-1:-1:0", text: "ACK/")))
        #expect(reason.contains("DLR type"))
    }

    @Test func reportsOfTheSameMessageHaveDifferentKeysAndARepeatedReportTheSameKey() throws {
        let buffered = try update(kannelLine(time: "2026-10-23 11:45:02", event: "Receive DLR", flags: "-1:-1:-1:-1:4", text: "x"))
        let delivered = try update(kannelLine(time: "2026-10-24 07:12:40", event: "Receive DLR", flags: "-1:-1:-1:-1:1", text: "x"))
        let again = try update(kannelLine(time: "2026-10-23 11:45:02", event: "Receive DLR", flags: "-1:-1:-1:-1:4", text: "x"))
        #expect(buffered.sourceKey != delivered.sourceKey)
        #expect(buffered.sourceKey == again.sourceKey)
        #expect(buffered.messageID == delivered.messageID)
    }

    @Test func aSentDLRIsAlsoAStatusUpdate() throws {
        #expect(try update(kannelLine(event: "Sent DLR", flags: "-1:-1:-1:-1:1", text: "x")).status == "delivered")
    }

    @Test func aReportWithoutFIDIsAnUpdateNamingItsSMSCSenderAndRecipient() throws {
        // Kannel logs the SMSC's acceptance (type 8) and NACKs without [FID:]: the archive
        // matches them to their message by SMSC, sender, recipient and time.
        let line = kannelLine(event: "Receive DLR", fid: "", to: "0401234567", flags: "-1:-1:-1:-1:16",
                              text: "NACK/0x0000000b/Invalid Destination Address")
        let nack = try update(line)
        #expect(nack.messageID == nil)
        #expect(nack.status == "rejected")
        #expect(nack.to == "+358401234567")
        #expect(nack.smsc != nil)
        #expect(try update(kannelLine(event: "Receive DLR", fid: nil, meta: nil, flags: "-1:-1:-1:-1:1")).messageID == nil)
    }

    @Test(arguments: ["FAILED Send DLR", "DISCARDED DLR", "EXPIRED DLR", "DROPPED Received DLR"])
    func relaysOfReportsAreIgnored(event: String) throws {
        #expect(try parser.parse(line: kannelLine(event: event, flags: "-1:-1:-1:-1:1")) == .ignored)
    }

    // MARK: lines without SMS

    @Test(arguments: [
        "2026-10-23 07:58:12 Log begins",
        "2026-10-25 03:00:02 Log ends",
        "",
        "   ",
        "2026-10-23 08:00:00 send-SMS request added - sender:asiakaspalvelu:+358923456789 127.0.0.1 target:+358401234567",
    ])
    func linesWithoutAnSMSAreIgnored(line: String) throws {
        #expect(try parser.parse(line: line) == .ignored)
    }

    // MARK: the message text is skipped by its length

    @Test func textThatLooksLikeFieldsDoesNotConfuseTheParser() throws {
        let text = "Vastaa K] [from:+1] [to:+2] [msg:3:abc] [udh:6:050003CC0301] [FID:X"
        let sms = try message(kannelLine(text: text))
        #expect(sms.from.e164 == "+358923456789")
        #expect(sms.to.e164 == "+358401234567")
        #expect(sms.messageID == "6F3A2B10")
        #expect(sms.length == text.utf8.count)
        #expect(sms.parts == 1, "the UDH inside the text is not the line's UDH")
    }

    @Test func brokenBracketsInTheTextAtTheEndOfTheLineDoNotConfuseTheParser() throws {
        for text in ["]", "[", "] [", "]]]", "[udh:0:]", "x] [udh:0:"] {
            let sms = try message(kannelLine(text: text))
            #expect(sms.length == text.utf8.count)
            #expect(sms.to.e164 == "+358401234567")
        }
    }

    @Test func anEmptyMessageParses() throws {
        #expect(try message(kannelLine(text: "")).length == 0)
    }

    @Test func utf8TextIsSkippedByItsByteLength() throws {
        let text = "Hyvää päivää! Öljynvaihto 49,90 € — kiitos 😊"
        let sms = try message(kannelLine(text: text))
        #expect(sms.length == text.utf8.count)
        #expect(try parser.parse(lineBytes: Array(kannelLine(text: text).utf8)) == .message(sms))
    }

    @Test func latin1TextIsSkippedByItsByteLengthFromBytesOrFromADecodedString() throws {
        // An older Kannel in a Latin-1 locale: ä and ö are single bytes 0xE4 and 0xF6.
        let latin1Text: [UInt8] = Array("Hyv".utf8) + [0xE4, 0xE4] + Array(" p".utf8) + [0xE4, 0x69, 0x76, 0xE4, 0xE4, 0x21]
        let before = Array(kannelLine(text: "", length: latin1Text.count).utf8)
        let cut = before.count - "] [udh:0:]".utf8.count
        let bytes = Array(before[..<cut]) + latin1Text + Array(before[cut...])
        guard case .message(let fromBytes) = try parser.parse(lineBytes: bytes) else {
            Issue.record("expected a message")
            return
        }
        #expect(fromBytes.length == latin1Text.count)
        #expect(fromBytes.to.e164 == "+358401234567")
        // The ingest decodes a line that is not UTF-8 as ISO-8859-1: one character per byte.
        let decoded = TextDecoding.decode(bytes)
        #expect(try parser.parse(line: decoded) == .message(fromBytes))
    }

    @Test func textWithKannelsDotsForUnprintableBytesParses() throws {
        // Kannel 1.4.5 replaces bytes that are not printable (also each byte of UTF-8 ä) with '.'.
        let text = "Hyv.... p....iv....!\u{2E}"
        #expect(try message(kannelLine(text: text)).length == text.utf8.count)
    }

    @Test func ucs2TextIsLoggedAsHexAndSkippedByTwiceItsLength() throws {
        let body = Array("Tack för hjälpen 😊".utf16).flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        let hex = body.map { String(format: "%02X", $0) }.joined()
        let line = kannelLine(event: "Receive SMS", fid: "", flags: "-1:2:-1:0:-1", text: hex, length: body.count)
        let sms = try message(line)
        #expect(sms.length == body.count)
        #expect(sms.from.e164 == "+358923456789")
        #expect(sms.parts == 1)
    }

    @Test func eightBitDataIsLoggedAsHexAndSkippedByTwiceItsLength() throws {
        let line = kannelLine(flags: "-1:1:-1:0:19", text: "0B0504158100000003010203", length: 12)
        #expect(try message(line).length == 12)
    }

    @Test func ucs2TextLoggedAsUTF8ByAPatchedKannelIsFoundByTheUDHField() throws {
        let text = "Tack för hjälpen"
        let line = kannelLine(flags: "-1:2:-1:0:-1", text: text, length: text.utf16.count * 2)
        #expect(try message(line).length == text.utf16.count * 2)
    }

    @Test func theMessageTextNeverReachesTheResult() throws {
        let marker = "secret-xyz-4711"
        let lines = [
            kannelLine(text: "Hei, koodisi on \(marker). Älä kerro sitä kenellekään."),
            kannelLine(event: "Receive SMS", fid: "", text: "\(marker)] [from:\(marker)] [to:\(marker)]"),
            kannelLine(event: "FAILED Send SMS", fid: "", text: marker),
            kannelLine(event: "Receive DLR", flags: "-1:-1:-1:-1:1", text: receipt("6F3A2B10", stat: "DELIVRD", quoting: marker)),
            kannelLine(event: "Receive DLR", flags: "-1:-1:-1:-1:-1", text: receipt("6F3A2B10", stat: "DELIVRD", quoting: marker)),
        ]
        for line in lines {
            let result = try parser.parse(line: line)
            #expect(result != .ignored)
            #expect(!String(describing: result).contains(marker))
            #expect(!String(describing: result).contains("secret"))
        }
    }

    @Test func theFingerprintKeyLeavesTheTextOut() throws {
        let a = try message(kannelLine(fid: "", text: "Hei Jukka, 1234"))
        let b = try message(kannelLine(fid: "", text: "Moi Sanna, 5678"))
        let later = try message(kannelLine(time: "2026-10-23 08:05:32", fid: "", text: "Hei Jukka, 1234"))
        #expect(a.sourceKey == b.sourceKey, "the key is made without the text (same time, parties and length)")
        #expect(a.sourceKey != later.sourceKey)
    }

    // MARK: parts

    @Test func partsComeFromTheUDHConcatenationElement() throws {
        #expect(try message(kannelLine(udh: "6:050003CC0301")).parts == 3)
        #expect(try message(kannelLine(udh: "7:0608041A2B0402")).parts == 4)
        #expect(try message(kannelLine(udh: "7:06050415810000")).parts == 1, "a port element is not concatenation")
    }

    // MARK: redaction

    /// A rejected log is kept with its text overwritten: every byte of the body becomes `0`, the
    /// line keeps its length and still parses, and a line that is no log line is overwritten whole.
    @Test func redactionOverwritesTheTextAndKeepsTheLine() throws {
        let text = "Vastaa K] [from:+1] [to:+2] [msg:3:abc] [udh:6:050003CC0301] [FID:X"
        let line = kannelLine(fid: "", text: text)
        let redacted = String(decoding: KannelLogParser.redacted(Array(line.utf8)), as: UTF8.self)
        #expect(redacted.utf8.count == line.utf8.count)
        #expect(redacted == line.replacingOccurrences(of: text, with: String(repeating: "0", count: text.utf8.count)))
        #expect(try message(redacted).length == text.utf8.count, "the redacted line still parses")
        // Hex bodies (8-bit, UCS-2), a body cut short, and a line that is the rest of a body.
        let hex = kannelLine(flags: "-1:2:-1:0:19", text: "00480065006A", length: 6)
        #expect(String(decoding: KannelLogParser.redacted(Array(hex.utf8)), as: UTF8.self).contains("[msg:6:000000000000] [udh:0:]"))
        let cut = "2026-10-23 08:05:31 Receive SMS [SMSC:a] [from:+358401234567] [to:1] [msg:40:Soita heti"
        #expect(String(decoding: KannelLogParser.redacted(Array(cut.utf8)), as: UTF8.self).hasSuffix("[msg:40:0000000000"))
        #expect(KannelLogParser.redacted(Array("toinen rivi\r".utf8)) == Array("00000000000\r".utf8))
        let report = kannelLine(event: "Receive DLR", text: "")
        #expect(KannelLogParser.redacted(Array(report.utf8)) == Array(report.utf8))
    }

    @Test func aPartNamesItsReferenceItsTotalAndItsNumber() throws {
        #expect(try message(kannelLine(udh: "6:050003CC0301")).part == MessagePart(reference: 0xCC, total: 3, sequence: 1))
        #expect(try message(kannelLine(udh: "7:0608041A2B0402")).part == MessagePart(reference: 0x1A2B, total: 4, sequence: 2))
        // A port element alone is no part; before a concatenation element it is skipped.
        #expect(try message(kannelLine(udh: "7:06050415810000")).part == nil)
        #expect(try message(kannelLine(udh: "12:0A0504158100000003170202")).part == MessagePart(reference: 0x17, total: 2, sequence: 2))
        #expect(try message(kannelLine(udh: "0:")).part == nil)
    }

    @Test(arguments: [(160, 1), (161, 2), (306, 2), (307, 3)])
    func partsOfALongTextThatKannelSplitItselfAreEstimated(characters: Int, parts: Int) throws {
        let text = String(repeating: "a", count: characters)
        #expect(try message(kannelLine(text: text)).parts == parts)
    }

    @Test func gsmExtensionCharactersCountTwice() throws {
        #expect(try message(kannelLine(text: String(repeating: "€", count: 80))).parts == 1)
        #expect(try message(kannelLine(text: String(repeating: "€", count: 81))).parts == 2)
    }

    // MARK: bad lines

    @Test(arguments: [
        ("2026-13-45 99:00:00 Sent SMS [SMSC:elisa] [from:+358923456789] [to:+358401234567] [msg:3:abc] [udh:0:]", "time"),
        ("Sent SMS [SMSC:elisa] [from:+358923456789] [to:+358401234567] [msg:3:abc] [udh:0:]", "time"),
        ("23.10.2026 08:05:31 Sent SMS [SMSC:elisa] [from:+358923456789] [to:+358401234567] [msg:3:abc] [udh:0:]", "time"),
        ("2026-10-23 08:05:31 Sent SMS [SMSC:elisa] [to:+358401234567] [msg:3:abc] [udh:0:]", "[from:"),
        ("2026-10-23 08:05:31 Sent SMS [SMSC:elisa] [from:+358923456789] [msg:3:abc] [udh:0:]", "[to:"),
        ("2026-10-23 08:05:31 Sent SMS [SMSC:elisa] [from:+358923456789] [to:] [msg:3:abc] [udh:0:]", "[to:]"),
        ("2026-10-23 08:05:31 Sent SMS [SMSC:elisa] [from:+358923456789] [to:+358401234567] [msg:80:Hei +358401234567", "runs past"),
        ("2026-10-23 08:05:31 Sent SMS [SMSC:elisa] [from:+358923456789] [to:+358401234567] [msg:50:Hei +358401234567] [udh:0:]", "runs past"),
        ("2026-10-23 08:05:31 Sent SMS [SMSC:elisa] [from:+358923456789] [to:+358401234567] [msg:5:Hei +358401234567] [udh:0:]", "does not end"),
        ("2026-10-23 08:05:31 Sent SMS [SMSC:elisa] [from:+358923456789] [to:+358401234567] [msg:x:Hei] [udh:0:]", "length"),
        ("2026-10-23 08:05:31 Sent SMS [SMSC:elisa] [from:+358923456789] [to:+358401234567", "not closed"),
        ("2026-10-23 08:05:31 Sent SMS [SMSC:elisa] [+358923456789] [to:+358401234567] [msg:0:] [udh:0:]", "damaged"),
        ("2026-10-23 08:05:31 Beamed SMS [SMSC:elisa] [from:+358923456789] [to:+358401234567] [msg:3:abc] [udh:0:]", "SMS event"),
        ("2026-10-23 08:05:31 +358401234567 [SMSC:elisa] [from:+358923456789] [to:+358401234567] [msg:3:abc] [udh:0:]", "event"),
        ("2026-10-23 08:05:31  <OUTPUT message too long>", "OUTPUT message too long"),
        ("2026-10-23 08:05:31 Sent SMS", "no [NAME:value] fields"),
    ])
    func badLinesAreRejectedWithAReasonThatEchoesNoNumber(line: String, expected: String) throws {
        let reason = try #require(rejection(line))
        #expect(reason.contains(expected))
        #expect(!reason.contains("358"))
        #expect(!reason.contains("401234567"))
        #expect(!reason.contains("Hei"))
    }

    @Test func aLineCutByARawLineBreakInTheTextIsRejected() throws {
        // Kannels before 1.4.4 logged the text raw: a line break in it splits the record in two lines.
        let full = kannelLine(text: "Hei Jukka,\nsoitamme huomenna.")
        let parts = full.split(separator: "\n").map(String.init)
        #expect(rejection(parts[0])?.contains("runs past") == true)
        #expect(rejection(parts[1])?.contains("time") == true)
    }

    // MARK: detection

    @Test func looksLikeLineKnowsKannelLines() {
        #expect(KannelLogParser.looksLikeLine(kannelLine()))
        #expect(KannelLogParser.looksLikeLine(kannelLine(fid: nil, meta: nil)))
        #expect(KannelLogParser.looksLikeLine("2026-10-23 07:58:12 Log begins"))
        #expect(KannelLogParser.looksLikeLine("2026-10-23 07:58:12 Log begins\n"))
        #expect(!KannelLogParser.looksLikeLine(Samples.cdrLine()))
        #expect(!KannelLogParser.looksLikeLine("customer_id,name,phones"))
        #expect(!KannelLogParser.looksLikeLine("time,direction,from,to,message_id,status,parts"))
        #expect(!KannelLogParser.looksLikeLine("2026-10-23 07:58:12 something else"))
        #expect(!KannelLogParser.looksLikeLine(""))
    }

    @Test func looksLikeLogReadsTheFirstLines() throws {
        let head = try Array(Data(contentsOf: TestArchive.samples.appendingPathComponent("sms/kannel-access.log")).prefix(4096))
        #expect(KannelLogParser.looksLikeLog(head))
        #expect(!KannelLogParser.looksLikeLog(Array((Samples.cdrLine() + "\n").utf8)))
        #expect(!KannelLogParser.looksLikeLog([]))
    }

    // MARK: the sample log

    @Test func theSampleLogParsesWithOneMalformedLineAndNoMessageText() throws {
        let url = TestArchive.samples.appendingPathComponent("sms/kannel-access.log")
        let bytes = try Array(Data(contentsOf: url))
        var messages: [SMSRecord] = []
        var updates: [SMSStatusUpdate] = []
        var ignored = 0
        var rejected: [Int: String] = [:]
        for (index, line) in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            do {
                switch try parser.parse(lineBytes: line) {
                case .message(let sms): messages.append(sms)
                case .statusUpdate(let update): updates.append(update)
                case .ignored: ignored += 1
                }
            } catch {
                rejected[index + 1] = error.reason
            }
        }
        #expect(messages.count == 18)
        #expect(updates.count == 12)
        #expect(ignored == 3)
        #expect(Array(rejected.keys) == [22])
        #expect(rejected[22]?.contains("runs past") == true)

        let sentIDs = Set(messages.compactMap(\.messageID))
        #expect(sentIDs == ["6F3A2B10", "6F3A2B57", "6F3A2C01", "6F3A2C9E", "6F3A2D40", "6F3A2E11", "6F3A2E5C"])
        #expect(Set(updates.compactMap(\.messageID)).isSubset(of: sentIDs), "every report with an id refers to a sent message")
        #expect(updates.filter { $0.messageID == nil }.count == 1, "the NACK of a failed send carries no id")
        #expect(Set(messages.map(\.sourceKey)).count == messages.count)
        #expect(Set(updates.map(\.sourceKey)).count == updates.count)
        #expect(messages.first { $0.messageID == "6F3A2C01" }?.parts == 2)
        #expect(messages.filter { $0.direction == .inbound }.count == 9)

        let everything = String(describing: messages) + String(describing: updates)
        for word in ["tilauksesi", "Voinko", "vahvista", "Kiitos", "hjälpen", "Muistutus", "LOPETA", "laskussa",
                     "pakettisi", "asentaja", "sopimuksesi", "VOITA", "DELIVRD", "ACK/", "NACK", "text:"] {
            #expect(!everything.contains(word), "message text reached a record: \(word)")
        }
    }
}
