import Foundation
public import CallvaultModel

/// Turns records of Asterisk's `cdr_csv` Master.csv into `Call` values.
///
/// Accepts the 16 standard columns, plus `uniqueid` (17), plus `userfield` (18), plus
/// `peeraccount`, `linkedid`, `sequence` (21, `newcdrcolumns=yes`). Times are local in the
/// configured zone and converted to UTC; the repeated autumn hour is resolved with `duration`.
public struct AsteriskCDRParser: Sendable {
    /// The format name recorded with each call and used in source keys.
    public static let format = "asterisk-csv"
    /// Field counts of the layouts Asterisk writes.
    public static let fieldCounts: Set<Int> = [16, 17, 18, 21]

    let normalizer: PhoneNumberNormalizer
    let clock: LocalTimeConverter

    /// Creates a parser that normalises numbers with `normalizer` and reads times with `clock`.
    public init(normalizer: PhoneNumberNormalizer, clock: LocalTimeConverter) {
        self.normalizer = normalizer
        self.clock = clock
    }

    /// Columns kept as source fields for `show` (the others have columns of their own).
    static let detailColumns: [(Int, String)] = [
        (0, "accountcode"), (5, "channel"), (6, "dstchannel"), (7, "lastapp"), (8, "lastdata"), (15, "amaflags"),
        (17, "userfield"), (18, "peeraccount"), (20, "sequence"),
    ]

    /// True when `fields` look like a cdr_csv record (used by format detection).
    public static func looksLikeRecord(_ fields: [String]) -> Bool {
        fieldCounts.contains(fields.count) && LocalTimeConverter.wallClockSeconds(fields[9].utf8[...]) != nil
    }

    /// Parses one record; throws `IngestLineError` with a reason that names the field.
    public func parse(_ f: [String]) throws(IngestLineError) -> Call {
        guard Self.fieldCounts.contains(f.count) else {
            throw IngestLineError("expected 16, 17, 18 or 21 fields (Asterisk cdr_csv), found \(f.count)")
        }
        guard let startWall = LocalTimeConverter.wallClockSeconds(f[9].utf8[...]) else {
            throw IngestLineError("field 10 (start) is not a time YYYY-MM-DD HH:MM:SS")
        }
        let answerWall: Int64?
        if f[10].isEmpty { answerWall = nil } else {
            guard let value = LocalTimeConverter.wallClockSeconds(f[10].utf8[...]) else {
                throw IngestLineError("field 11 (answer) is not a time YYYY-MM-DD HH:MM:SS")
            }
            answerWall = value
        }
        let endWall: Int64?
        if f[11].isEmpty { endWall = nil } else {
            guard let value = LocalTimeConverter.wallClockSeconds(f[11].utf8[...]) else {
                throw IngestLineError("field 12 (end) is not a time YYYY-MM-DD HH:MM:SS")
            }
            endWall = value
        }
        // At most Int32.max seconds (68 years), as the FreeSWITCH documents allow: a bigger
        // number is no call's length, and `duration + 1` below must not overflow.
        guard let duration = Int(f[12]), duration >= 0, duration <= Int(Int32.max) else {
            throw IngestLineError("field 13 (duration) is not a whole number of seconds (0 to 2147483647)")
        }
        guard let billsec = Int(f[13]), billsec >= 0, billsec <= duration + 1 else {
            throw IngestLineError("field 14 (billsec) is not a whole number of seconds up to duration")
        }
        guard let disposition = Self.disposition(f[14]) else {
            throw IngestLineError("field 15 (disposition) is not ANSWERED, NO ANSWER, BUSY, FAILED or CONGESTION")
        }
        if disposition == "answered" && answerWall == nil && billsec > 0 {
            throw IngestLineError("field 11 (answer) is empty but the call is ANSWERED with billable seconds")
        }

        let (start, end) = resolveStartEnd(startWall: startWall, endWall: endWall, duration: duration)
        let answer = answerWall.map { wall in
            clock.candidates(wallClock: wall).min { abs($0.timeIntervalSince(start)) < abs($1.timeIntervalSince(start)) }!
        }
        let uniqueID = f.count >= 17 && !f[16].isEmpty ? f[16] : nil
        let linkedID = f.count >= 21 && !f[19].isEmpty ? f[19] : uniqueID
        let sequence = f.count >= 21 ? f[20] : nil

        let (clidName, clidNumber) = Self.splitCallerID(f[4])
        let from = normalizer.normalize(f[1].isEmpty ? (clidNumber ?? "") : f[1])
        let to = normalizer.normalize(f[2])
        let context = f[3].isEmpty ? nil : f[3]
        let direction = deriveDirection(from: from, to: to, context: context, channel: f[5])
        let agent = deriveAgent(direction: direction, from: from, to: to, channel: f[5], dstChannel: f[6])
        var name = clidName
        if let n = name, n.isEmpty || n == from.raw || n == clidNumber || n.lowercased() == "anonymous" { name = nil }

        let key: String
        if let uniqueID, let sequence, !sequence.isEmpty {
            key = "\(Self.format):\(uniqueID):\(sequence)"
        } else {
            key = "\(Self.format):\(uniqueID ?? "-"):\(Self.fingerprint(f))"
        }
        var details: [String: String] = [:]
        for (i, name) in Self.detailColumns where i < f.count && !f[i].isEmpty {
            details[name] = f[i]
        }
        return Call(sourceKey: key, format: Self.format, uniqueID: uniqueID, linkedID: linkedID, start: start,
                    answer: answer, end: end, durationSeconds: duration, billableSeconds: billsec, from: from, to: to,
                    callerName: name, direction: direction, disposition: disposition, agent: agent,
                    context: context, details: details)
    }

    /// Picks the readings of start and end that agree with `duration` (the autumn repeated hour).
    func resolveStartEnd(startWall: Int64, endWall: Int64?, duration: Int) -> (Date, Date) {
        clock.resolveSpan(startWall: startWall, endWall: endWall, duration: duration)
    }

    static func disposition(_ text: String) -> String? {
        switch text.uppercased() {
        case "ANSWERED": "answered"
        case "NO ANSWER", "NOANSWER": "no-answer"
        case "BUSY": "busy"
        case "FAILED": "failed"
        case "CONGESTION": "congestion"
        default: nil
        }
    }

    /// Splits `"Name" <number>` into its name and number.
    static func splitCallerID(_ clid: String) -> (String?, String?) {
        let text = clid.trimmedASCIIWhitespace
        guard text.utf8.last == UInt8(ascii: ">"), let open = text.utf8.lastIndex(of: UInt8(ascii: "<")) else {
            return (nil, text.isEmpty ? nil : String(text))
        }
        let number = String(text[text.index(after: open)..<text.index(before: text.endIndex)])
        var name = text[..<open].trimmedASCIIWhitespace
        if name.utf8.count >= 2 && name.utf8.first == UInt8(ascii: "\"") && name.utf8.last == UInt8(ascii: "\"") {
            name = name.dropFirst().dropLast()
        }
        return (name.isEmpty ? nil : String(name), number.isEmpty ? nil : number)
    }

    /// The extension in a channel name such as `PJSIP/1003-0000002a` or `Local/1003@from-queue-…`.
    func channelExtension(_ channel: String) -> String? {
        let bytes = channel.utf8
        guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else { return nil }
        var count = 0
        var index = bytes.index(after: slash)
        let start = index
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == UInt8(ascii: "-") || byte == UInt8(ascii: "@") || byte == UInt8(ascii: ";") { break }
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return nil }
            count += 1
            index = bytes.index(after: index)
        }
        guard count > 0, count <= normalizer.maxExtensionLength else { return nil }
        return String(channel[start..<index])
    }

    /// Contexts that carry calls from the outside world (FreePBX and Asterisk conventions).
    static let trunkContexts = ["from-trunk", "from-pstn", "from-did", "ext-did", "from-external", "incoming"]

    func deriveDirection(from: PhoneNumber, to: PhoneNumber, context: String?, channel: String) -> Direction {
        let ctx = context?.lowercased() ?? ""
        let trunkContext = Self.trunkContexts.contains { ctx.hasPrefix($0) }
        let callerIsAgent = from.category == .extension || channelExtension(channel) != nil
        if from.category == .extension && to.category == .extension { return .internal }
        if trunkContext { return .inbound }
        if callerIsAgent && to.category != .extension { return .outbound }
        if from.category == .e164 || from.category == .withheld { return .inbound }
        return callerIsAgent ? .internal : .inbound
    }

    func deriveAgent(direction: Direction, from: PhoneNumber, to: PhoneNumber, channel: String, dstChannel: String) -> String? {
        switch direction {
        case .inbound:
            return channelExtension(dstChannel) ?? (to.category == .extension ? to.raw : nil)
        case .outbound, .internal:
            return from.category == .extension ? from.raw : channelExtension(channel)
        }
    }

    /// The fingerprint of the record, for source keys of records without a sequence.
    static func fingerprint(_ fields: [String]) -> String { SourceFingerprint.of(fields) }
}

/// Why one line of an input file was rejected; the ingest adds the file and line.
public struct IngestLineError: Error, Sendable, Equatable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}
