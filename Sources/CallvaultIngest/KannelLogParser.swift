import Foundation
public import CallvaultModel

/// Turns lines of a Kannel bearerbox access log into SMS identification records and delivery reports.
///
/// Reads the default `access-log-format` of every Kannel since 1.4, as `bb_alog_sms` writes it:
///
///     2026-10-23 09:15:02 Sent SMS [SMSC:elisa] [SVC:asiakaspalvelu] [ACT:] [BINF:] [FID:6F3A2B10] [META:]
///       [from:+358923456789] [to:+358401234567] [flags:-1:0:-1:0:19] [msg:42:…text…] [udh:0:]
///
/// (one line; `[FID:]` since 1.4.4, `[META:]` since 1.5; unknown extra `[NAME:value]` fields are skipped).
/// The message text is never kept: `[msg:N:text]` is skipped by its length N (bytes of the message,
/// or 2N hex digits for 8-bit and UCS-2 messages), so `]`, `[` and field-like text inside it
/// cannot confuse the parser. Times are local in the configured zone (`access-log-time = local`,
/// Kannel's default); for `access-log-time = gmt` give the parser a UTC converter.
public struct KannelLogParser: Sendable {
    /// The format name recorded with each SMS and used in source keys.
    public static let format = "kannel-access-log"

    let normalizer: PhoneNumberNormalizer
    let clock: LocalTimeConverter

    /// Creates a parser that normalises numbers with `normalizer` and reads times with `clock`.
    public init(normalizer: PhoneNumberNormalizer, clock: LocalTimeConverter) {
        self.normalizer = normalizer
        self.clock = clock
    }

    // MARK: detection

    /// True when `line` looks like a line of a Kannel access log (used by format detection):
    /// a time, then either Kannel's `Log begins`/`Log ends` marker or an event with `[SMSC:…]`
    /// or `[from:…] [to:…]` fields.
    public static func looksLikeLine(_ line: String) -> Bool {
        var b = Array(line.utf8)
        trimLineEnd(&b)
        let start = logPrefixLength(b)
        guard b.count >= start + 19,
              wallClock(b[start..<start + 19]) != nil else { return false }
        let rest = String(decoding: b[(start + 19)...], as: UTF8.self).trimmedASCIIWhitespace
        if rest == "Log begins" || rest == "Log ends" { return true }
        return rest.contains("[SMSC:") || (rest.contains("[from:") && rest.contains("[to:"))
    }

    /// True when the first lines of `head` (a file's first bytes) are a Kannel access log: of its
    /// first 20 non-blank lines, at least one looks like a Kannel line and at least half do (a
    /// damaged line or two does not hide a log).
    public static func looksLikeLog(_ head: [UInt8]) -> Bool {
        var lines = head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true)
        // The last line may be cut off by the head's end; it decides nothing unless it is the only one.
        if lines.count > 1, head.last != UInt8(ascii: "\n") { lines.removeLast() }
        var seen = 0, matching = 0
        for line in lines {
            let text = TextDecoding.decode(line)
            if text.trimmedASCIIWhitespace.isEmpty { continue }
            seen += 1
            if looksLikeLine(text) { matching += 1 }
            if seen == 20 { break }
        }
        return matching > 0 && 2 * matching >= seen
    }

    // MARK: parsing

    /// Parses one line (without or with its line break) into a message, a delivery report, or
    /// `.ignored` for lines that carry no SMS (Kannel's `Log begins`/`Log ends`, blank lines, delivery
    /// reports without a message id, relays of reports).
    ///
    /// Prefer `parse(lineBytes:)` when the raw bytes are at hand: Kannel counts the message length
    /// in bytes of the text as it logged it. A line decoded from ISO-8859-1 is handled here too.
    /// - Throws: `IngestLineError` with a reason that names the field; it never echoes the line.
    public func parse(line: String) throws(IngestLineError) -> SMSEvent {
        try parse(bytes: Array(line.utf8), countScalars: true)
    }

    /// Parses one line given as the bytes of the file (UTF-8 or ISO-8859-1), without or with its line break.
    /// - Throws: `IngestLineError` with a reason that names the field; it never echoes the line.
    public func parse(lineBytes: some Collection<UInt8>) throws(IngestLineError) -> SMSEvent {
        try parse(bytes: Array(lineBytes), countScalars: false)
    }

    func parse(bytes: [UInt8], countScalars: Bool) throws(IngestLineError) -> SMSEvent {
        var b = bytes
        Self.trimLineEnd(&b)
        if b.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { return .ignored }
        let start = Self.logPrefixLength(b)
        guard b.count >= start + 19, let wall = Self.wallClock(b[start..<start + 19]) else {
            throw IngestLineError("the line does not start with a time YYYY-MM-DD HH:MM:SS (Kannel access log)")
        }
        var p = start + 19
        guard p == b.count || b[p] == 0x20 else {
            throw IngestLineError("the time is not followed by a space (Kannel access log)")
        }
        // The event runs to the first field, ` [`.
        let eventStart = p
        while p < b.count, !(b[p] == 0x20 && p + 1 < b.count && b[p + 1] == UInt8(ascii: "[")) { p += 1 }
        let event = String(String(decoding: b[eventStart..<p], as: UTF8.self).trimmedASCIIWhitespace)
        let hasFields = p < b.count

        let kind = Self.classify(event)
        switch kind {
        case .marker:
            return .ignored
        case .lostRecord:
            throw IngestLineError("Kannel wrote '<OUTPUT message too long>' in place of this record: its data is not in the log")
        case .other:
            if !hasFields { return .ignored }
            throw IngestLineError("the event before the [NAME:value] fields is not one Kannel writes for SMS (Sent SMS, Receive SMS, Receive DLR, FAILED Send SMS, …)")
        case .unknownSMS:
            throw IngestLineError("the SMS event is not one callvault knows (expected Sent SMS, Receive SMS, FAILED Send SMS, DISCARDED SMS, EXPIRED SMS, REJECTED … SMS, DROPPED Received SMS)")
        case .relayedReport:
            return .ignored
        case .message, .report:
            guard hasFields else { throw IngestLineError("the SMS line has no [NAME:value] fields") }
        }

        let fields = try Self.parseFields(b, from: p, countScalars: countScalars)
        let time = clock.instant(wallClock: wall)
        let smsc = fields.value("smsc", in: b)
        let fid = fields.value("fid", in: b)

        switch kind {
        case .report:
            // A report without [FID:] (Kannel logs the SMSC's acceptance and NACKs so) is matched
            // to its message by SMSC, sender, recipient and time.
            let status: String
            if let type = fields.flag(4), let mapped = Self.dlrStatus(type: type) {
                status = mapped
            } else if let stat = fields.receiptStat(in: b), let mapped = Self.receiptStatus(stat) {
                status = mapped
            } else {
                throw IngestLineError("the delivery report has no DLR type (1, 2, 4, 8 or 16) in [flags:…] and no stat: in its receipt")
            }
            let stamp = String(decoding: b[start..<start + 19], as: UTF8.self)
            let from = fields.value("from", in: b).flatMap { normalizer.normalize($0).e164 }
            let to = fields.value("to", in: b).flatMap { normalizer.normalize($0).e164 }
            let key = fid.map { "\(Self.format):\(Self.keyEvent(event, kind)):\(smsc ?? ""):\($0):\(status):\(stamp)" }
                ?? "\(Self.format):\(Self.keyEvent(event, kind)):\(smsc ?? ""):\(Self.fingerprint(b, skipping: fields.text)):\(status)"
            return .statusUpdate(SMSStatusUpdate(sourceKey: key, messageID: fid, time: time, status: status, smsc: smsc, from: from, to: to))

        case .message(let direction, let status):
            guard fields.ranges["from"] != nil else { throw IngestLineError("the SMS line has no [from:…] field") }
            guard fields.ranges["to"] != nil else { throw IngestLineError("the SMS line has no [to:…] field") }
            // An empty sender is real traffic (the SMSC puts in its default, or hides the sender): withheld.
            let fromText = fields.value("from", in: b) ?? ""
            guard let toText = fields.value("to", in: b) else { throw IngestLineError("[to:] is empty") }
            let part = fields.concatenation(in: b)
            let parts = part?.total ?? fields.estimatedParts(in: b)
            let key: String
            if let fid {
                key = "\(Self.format):\(Self.keyEvent(event, kind)):\(smsc ?? ""):\(fid)"
            } else {
                key = "\(Self.format):\(Self.keyEvent(event, kind)):\(Self.fingerprint(b, skipping: fields.text))"
            }
            return .message(SMSRecord(
                sourceKey: key, format: Self.format, messageID: fid, time: time, direction: direction,
                from: normalizer.normalize(fromText), to: normalizer.normalize(toText), status: status,
                parts: parts, length: fields.length, smsc: smsc, part: part))

        default:
            return .ignored
        }
    }

    // MARK: redaction

    /// `line` (without its line break) with every byte of message text overwritten by `0`, the
    /// length kept, for a rejected log kept for an operator to fix (R8): in a line that starts
    /// with a time, the text of `[msg:N:…]` up to the line's last ` [udh:` field (or its end),
    /// whether or not the line parses; any other line whole (it may be the rest of a message
    /// whose text held a line break).
    public static func redacted(_ line: [UInt8]) -> [UInt8] {
        var b = line
        let zero = UInt8(ascii: "0")
        func keepsLineEnd(_ byte: UInt8) -> Bool { byte == 0x0D }
        let start = logPrefixLength(b)
        guard b.count >= start + 19, wallClock(b[start..<start + 19]) != nil else {
            return b.map { keepsLineEnd($0) ? $0 : zero }
        }
        let needle = Array(" [msg:".utf8)
        guard let at = (start..<max(start, b.count - needle.count + 1)).first(where: { b[$0..<$0 + needle.count].elementsEqual(needle) }) else {
            return b
        }
        var p = at + needle.count
        while p < b.count, b[p] >= 0x30, b[p] <= 0x39 { p += 1 }
        if p < b.count, b[p] == UInt8(ascii: ":") { p += 1 }
        let end = lastUDHField(b, after: p) ?? b.count
        for i in p..<end where !keepsLineEnd(b[i]) { b[i] = zero }
        return b
    }

    // MARK: events

    enum Kind: Equatable {
        case message(Direction, String)
        case report
        /// A report Kannel failed to relay, discarded or dropped: it says nothing new about the message.
        case relayedReport
        case marker
        case lostRecord
        case unknownSMS
        case other
    }

    /// The events Kannel writes (`bb_smscconn.c`), by their lowercase form.
    static let knownEvents: [String: String] = Dictionary(uniqueKeysWithValues: [
        "Sent SMS", "Receive SMS", "FAILED Send SMS", "DISCARDED SMS", "EXPIRED SMS", "DROPPED Received SMS",
        "REJECTED - not white-listed SMS", "REJECTED - not white-regex-listed SMS", "REJECTED - black-listed SMS",
        "REJECTED - black-regex-listed SMS", "Receive DLR", "Sent DLR",
    ].map { ($0.lowercased(), $0) })

    /// The event as it goes into a source key: Kannel's own spelling, or for an event of an older or
    /// patched Kannel a name made from its meaning, so no other text of the line can reach the key.
    static func keyEvent(_ event: String, _ kind: Kind) -> String {
        if let known = knownEvents[event.lowercased()] { return known }
        switch kind {
        case .message(let direction, let status): return "other \(direction.rawValue) \(status) SMS"
        default: return "other DLR"
        }
    }

    /// Classifies the event Kannel writes before the fields (`bb_smscconn.c`, `bb_alog_sms(conn, msg, "…")`).
    static func classify(_ event: String) -> Kind {
        let e = event.lowercased()
        switch e {
        case "log begins", "log ends": return .marker
        case "<output message too long>": return .lostRecord
        case "sent sms": return .message(.outbound, "sent")
        case "receive sms": return .message(.inbound, "received")
        case "failed send sms": return .message(.outbound, "failed")
        case "discarded sms": return .message(.outbound, "discarded")
        case "expired sms": return .message(.outbound, "expired")
        case "dropped received sms": return .message(.inbound, "dropped")
        case "receive dlr", "sent dlr": return .report
        case "failed send dlr", "discarded dlr", "expired dlr", "dropped received dlr": return .relayedReport
        default: break
        }
        let words = e.split(separator: " ")
        if words.contains("dlr") {
            return e.hasPrefix("receive") || e.hasPrefix("sent") ? .report : .relayedReport
        }
        guard words.contains("sms") else { return .other }
        // Older and patched Kannels: `REJECTED - black-listed SMS`, `FAILED Routing SMS`, `Rejected Send SMS`, …
        let inbound = e.contains("receiv") || e.contains("listed")
        let direction: Direction = inbound ? .inbound : .outbound
        for (word, status) in [("fail", "failed"), ("reject", "rejected"), ("discard", "discarded"),
                               ("expire", "expired"), ("drop", "dropped")] where e.contains(word) {
            return .message(direction, status)
        }
        if e.hasPrefix("sent") { return .message(.outbound, "sent") }
        if e.hasPrefix("receive") { return .message(.inbound, "received") }
        return .unknownSMS
    }

    /// The status a DLR type (`dlr_mask` of a report) stands for.
    static func dlrStatus(type: Int) -> String? {
        switch type {
        case 1: "delivered"
        case 2: "failed"
        case 4: "buffered"
        case 8: "accepted"
        case 16: "rejected"
        default: nil
        }
    }

    /// The status of an SMPP receipt's `stat:` value.
    static func receiptStatus(_ stat: String) -> String? {
        switch stat {
        case "DELIVRD": "delivered"
        case "UNDELIV": "failed"
        case "EXPIRED": "expired"
        case "DELETED": "deleted"
        case "REJECTD": "rejected"
        case "ACCEPTD": "accepted"
        case "ENROUTE": "buffered"
        case "UNKNOWN": "unknown"
        default: nil
        }
    }

    // MARK: fields

    /// The `[NAME:value]` fields of a line: byte ranges of their values (first occurrence wins),
    /// the message length and the range of the message text, which is only ever skipped.
    struct Fields {
        var ranges: [String: Range<Int>] = [:]
        var length: Int?
        var text: Range<Int>?
        var coding: Int?
        var flags: [Int]?

        /// The value of field `name` (lowercase), decoded, or nil when absent or empty.
        func value(_ name: String, in b: [UInt8]) -> String? {
            guard let range = ranges[name], !range.isEmpty else { return nil }
            let text = TextDecoding.decode(b[range]).trimmedASCIIWhitespace
            return text.isEmpty ? nil : String(text)
        }

        /// Value `index` of `[flags:mclass:coding:mwi:compress:dlr_mask]`.
        func flag(_ index: Int) -> Int? {
            guard let flags, index < flags.count else { return nil }
            return flags[index]
        }

        /// The `stat:` of an SMPP delivery receipt quoted in the message text (`… stat:DELIVRD err:000 text:…`).
        func receiptStat(in b: [UInt8]) -> String? {
            guard let text, coding != 1, coding != 2 else { return nil }
            let needle = Array("stat:".utf8)
            var i = text.lowerBound
            while i + needle.count <= text.upperBound {
                if b[i..<i + needle.count].elementsEqual(needle) {
                    var j = i + needle.count
                    while j < text.upperBound, j - i - needle.count < 7, b[j] >= 0x41, b[j] <= 0x5A { j += 1 }
                    return j > i + needle.count ? String(decoding: b[(i + needle.count)..<j], as: UTF8.self) : nil
                }
                i += 1
            }
            return nil
        }

        /// The concatenation element of `[udh:N:HEX]`, if there is one.
        func concatenation(in b: [UInt8]) -> MessagePart? {
            guard let range = ranges["udh"] else { return nil }
            let value = b[range]
            guard let colon = value.firstIndex(of: UInt8(ascii: ":")) else { return nil }
            var udh: [UInt8] = []
            var i = colon + 1
            while i + 1 < value.endIndex {
                guard let hi = KannelLogParser.hexValue(b[i]), let lo = KannelLogParser.hexValue(b[i + 1]) else { return nil }
                udh.append(hi << 4 | lo)
                i += 2
            }
            // udh[0] is the header length; then information elements: id, length, data.
            guard udh.count >= 2 else { return nil }
            var k = 1
            while k + 1 < udh.count {
                let id = udh[k], length = Int(udh[k + 1])
                guard k + 2 + length <= udh.count else { return nil }
                // 8-bit reference: ref, total, sequence; 16-bit reference: ref, ref, total, sequence.
                if id == 0x00, length == 3, udh[k + 3] >= 1 {
                    return MessagePart(reference: Int(udh[k + 2]), total: Int(udh[k + 3]), sequence: Int(udh[k + 4]))
                }
                if id == 0x08, length == 4, udh[k + 4] >= 1 {
                    return MessagePart(reference: Int(udh[k + 2]) << 8 | Int(udh[k + 3]), total: Int(udh[k + 4]), sequence: Int(udh[k + 5]))
                }
                k += 2 + length
            }
            return nil
        }

        /// Parts a gateway needs for a message of this length: Kannel logs a message it split
        /// itself once, whole, without the parts' headers. GSM 7-bit: 160 septets in one part,
        /// 153 per part when concatenated; 8-bit: 140/134 bytes; UCS-2: 70/67 characters.
        func estimatedParts(in b: [UInt8]) -> Int {
            guard let length, length > 0 else { return 1 }
            func parts(_ units: Int, single: Int, each: Int) -> Int {
                units <= single ? 1 : (units + each - 1) / each
            }
            switch coding {
            case 1: return parts(length, single: 140, each: 134)
            case 2: return parts(length / 2, single: 70, each: 67)
            default:
                // Count septets of the text (characters of GSM's extension table take two); nothing is kept.
                guard let text else { return parts(length, single: 160, each: 153) }
                var septets = 0
                for scalar in TextDecoding.decode(b[text]).unicodeScalars {
                    septets += KannelLogParser.gsmExtension.contains(scalar) ? 2 : 1
                }
                return parts(septets, single: 160, each: 153)
            }
        }
    }

    static let gsmExtension: Set<Unicode.Scalar> = ["^", "{", "}", "\\", "[", "~", "]", "|", "€", "\u{0C}"]

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: byte - 0x30
        case 0x41...0x46: byte - 0x41 + 10
        case 0x61...0x66: byte - 0x61 + 10
        default: nil
        }
    }

    /// Reads the `[NAME:value]` fields from `start` to the end of the line.
    static func parseFields(_ b: [UInt8], from start: Int, countScalars: Bool) throws(IngestLineError) -> Fields {
        var fields = Fields()
        var p = start
        let open = UInt8(ascii: "["), close = UInt8(ascii: "]"), colon = UInt8(ascii: ":")
        while true {
            while p < b.count, b[p] == 0x20 || b[p] == 0x09 { p += 1 }
            if p == b.count { break }
            guard b[p] == open else {
                throw IngestLineError("text outside a [NAME:value] field follows the fields (the line may be damaged)")
            }
            var q = p + 1
            while q < b.count, q - p <= 33, isNameByte(b[q]) { q += 1 }
            guard q < b.count, b[q] == colon, q > p + 1 else {
                throw IngestLineError("a field is not of the form [NAME:value] (the line may be damaged)")
            }
            let name = String(decoding: b[(p + 1)..<q], as: UTF8.self).lowercased()
            let valueStart = q + 1
            if name == "msg" && fields.text == nil {
                let (length, textStart) = try messageLength(b, at: valueStart)
                let textEnd = try messageEnd(b, textStart: textStart, length: length, coding: fields.coding,
                                             countScalars: countScalars)
                fields.length = length
                fields.text = textStart..<textEnd
                fields.ranges["msg"] = valueStart..<textEnd
                p = textEnd + 1
                continue
            }
            var end = valueStart
            while end < b.count, !(b[end] == close && isFieldEnd(b, end)) { end += 1 }
            guard end < b.count else {
                throw IngestLineError(name.count <= 8 && name.allSatisfy(\.isLetter)
                    ? "the field [\(name):…] is not closed with ] (the line may be cut short)"
                    : "a field is not closed with ] (the line may be cut short)")
            }
            if fields.ranges[name] == nil {
                fields.ranges[name] = valueStart..<end
                if name == "flags" {
                    let values = String(decoding: b[valueStart..<end], as: UTF8.self).split(separator: ":", omittingEmptySubsequences: false)
                    let numbers = values.compactMap { Int($0) }
                    if numbers.count == values.count {
                        fields.flags = numbers
                        if numbers.count >= 2 { fields.coding = numbers[1] }
                    }
                }
            }
            p = end + 1
        }
        return fields
    }

    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x30 && byte <= 0x39)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    /// True when the `]` at `i` closes a field: the line ends after it (spaces aside) or the next field starts.
    static func isFieldEnd(_ b: [UInt8], _ i: Int) -> Bool {
        guard i < b.count, b[i] == UInt8(ascii: "]") else { return false }
        var j = i + 1
        while j < b.count, b[j] == 0x20 || b[j] == 0x09 { j += 1 }
        return j == b.count || (j > i + 1 && b[j] == UInt8(ascii: "["))
    }

    /// Reads `N:` of `[msg:N:text]`.
    static func messageLength(_ b: [UInt8], at start: Int) throws(IngestLineError) -> (Int, Int) {
        var i = start
        var length = 0
        while i < b.count, b[i] >= 0x30, b[i] <= 0x39, i - start < 7 {
            length = length * 10 + Int(b[i] - 0x30)
            i += 1
        }
        guard i > start, i < b.count, b[i] == UInt8(ascii: ":") else {
            throw IngestLineError("[msg:…] does not start with the message length and a colon")
        }
        return (length, i + 1)
    }

    /// Where the text of `[msg:N:text]` ends: found by the length, never by looking for `]` in the text.
    static func messageEnd(_ b: [UInt8], textStart s: Int, length n: Int, coding: Int?,
                           countScalars: Bool) throws(IngestLineError) -> Int {
        let bytesEnd = s + n
        let hexEnd = s + 2 * n
        // A line read from ISO-8859-1 and handed over as a String has each Kannel byte as one character.
        let scalarEnd: Int? = countScalars ? scalarIndex(b, from: s, count: n) : nil
        var candidates: [Int] = []
        let hex = coding == 1 || coding == 2
        for end in hex ? [hexEnd, bytesEnd] : [bytesEnd] {
            candidates.append(end)
        }
        if let scalarEnd { candidates.append(scalarEnd) }
        if !hex { candidates.append(hexEnd) }
        var valid: [Int] = []
        for end in candidates where end < b.count && isFieldEnd(b, end) && !valid.contains(end) {
            if end == hexEnd && n > 0 && !b[s..<end].allSatisfy({ hexValue($0) != nil }) { continue }
            valid.append(end)
        }
        if let first = valid.first {
            // Two readings fit: prefer the one another field follows (a cut-short alternative ends the line).
            if valid.count > 1, !startsField(b, first), let better = valid.first(where: { startsField(b, $0) }) {
                return better
            }
            return first
        }
        if coding == 2, let end = lastUDHField(b, after: s) {
            // Some Kannel builds log UCS-2 text converted to UTF-8, whose length differs from N.
            return end
        }
        let available = countScalars ? scalarCount(b, from: s) : b.count - s
        // The length is named when it is a plausible one (never a run of digits that could be a number).
        let said = n < 100_000 ? " \(n)" : ""
        if n > available {
            throw IngestLineError("[msg:] the message length\(said) runs past the end of the line (the line may be cut short)")
        }
        throw IngestLineError("[msg:] the text does not end where its length\(said) says (no ] follows it)")
    }

    static func startsField(_ b: [UInt8], _ closing: Int) -> Bool {
        var j = closing + 1
        while j < b.count, b[j] == 0x20 { j += 1 }
        return j < b.count
    }

    static func lastUDHField(_ b: [UInt8], after s: Int) -> Int? {
        let needle = Array("] [udh:".utf8)
        var i = b.count - needle.count
        while i >= s {
            if b[i..<i + needle.count].elementsEqual(needle) { return i }
            i -= 1
        }
        return nil
    }

    /// The byte index after `count` Unicode scalars of the UTF-8 bytes from `start`, or nil past the end.
    static func scalarIndex(_ b: [UInt8], from start: Int, count: Int) -> Int? {
        var i = start
        var seen = 0
        while seen < count {
            guard i < b.count else { return nil }
            i += 1
            while i < b.count, b[i] & 0xC0 == 0x80 { i += 1 }
            seen += 1
        }
        return i
    }

    static func scalarCount(_ b: [UInt8], from start: Int) -> Int {
        var count = 0
        for i in start..<b.count where b[i] & 0xC0 != 0x80 { count += 1 }
        return count
    }

    // MARK: helpers

    /// Drops the line break (and a CR before it).
    static func trimLineEnd(_ b: inout [UInt8]) {
        while let last = b.last, last == 0x0A || last == 0x0D { b.removeLast() }
    }

    /// Length of a `Log: ` prefix some syslog relays put before the line, else 0.
    static func logPrefixLength(_ b: [UInt8]) -> Int {
        b.starts(with: "Log: ".utf8) ? 5 : 0
    }

    static func wallClock(_ bytes: ArraySlice<UInt8>) -> Int64? {
        let text = String(decoding: bytes, as: UTF8.self)
        return LocalTimeConverter.wallClockSeconds(text[...].utf8)
    }

    /// The fingerprint of the line without the message text (its length stays in).
    static func fingerprint(_ b: [UInt8], skipping text: Range<Int>?) -> String {
        var fingerprint = SourceFingerprint()
        if let text {
            fingerprint.add(b[..<min(text.lowerBound, b.count)])
            fingerprint.add(b[min(text.upperBound, b.count)...])
        } else {
            fingerprint.add(b)
        }
        return fingerprint.hex
    }
}
