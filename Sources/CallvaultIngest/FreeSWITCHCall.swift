import Foundation
import CallvaultModel

/// What the three FreeSWITCH parsers (`cdr_csv`, `json_cdr`, `xml_cdr`) share: one leg as
/// FreeSWITCH describes it, turned into a `Call` seen from the company; hangup causes; the
/// uuid in a recording's file name.
public enum FreeSWITCHCall {
    /// Channel variables that name a call's recording, first match wins (FusionPBX sets
    /// `record_name`, dialplans commonly `record_file_name` or `recording_file`).
    static let recordingVariables = ["record_file_name", "recording_file", "record_name", "sofia_record_file"]

    /// Longest value taken from a field the call is built from; longer ones are rejected.
    static let maxValueLength = 1024

    /// The uuid a FreeSWITCH recording's file name carries (`<uuid>.wav`, `a_<uuid>.wav`,
    /// `<uuid>_20261023.wav`, `2026-10-23-<uuid>.wav`), lowercased; nil when there is none.
    public static func uuid(inRecordingFileName fileName: String) -> String? {
        let bytes = Array(fileName.utf8)
        guard bytes.count >= 36 else { return nil }
        var start = 0
        while start + 36 <= bytes.count {
            let candidate = bytes[start..<(start + 36)]
            let before = start == 0 ? nil : bytes[start - 1]
            let after = start + 36 == bytes.count ? nil : bytes[start + 36]
            if isUUID(candidate), before.map({ !isHex($0) }) ?? true, after.map({ !isHex($0) && $0 != UInt8(ascii: "-") }) ?? true {
                return String(decoding: candidate, as: UTF8.self).lowercased()
            }
            start += 1
        }
        return nil
    }

    /// True for the `8-4-4-4-12` hexadecimal form FreeSWITCH gives every channel.
    public static func isUUID(_ text: some StringProtocol) -> Bool {
        isUUID(Array(text.utf8)[...])
    }

    static func isUUID(_ b: ArraySlice<UInt8>) -> Bool {
        guard b.count == 36 else { return false }
        for (offset, byte) in b.enumerated() {
            if offset == 8 || offset == 13 || offset == 18 || offset == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else if !isHex(byte) {
                return false
            }
        }
        return true
    }

    static func isHex(_ byte: UInt8) -> Bool {
        (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 70) || (byte >= 97 && byte <= 102)
    }

    // MARK: hangup causes

    /// True for a FreeSWITCH hangup cause name (`NORMAL_CLEARING`, `USER_BUSY`, …).
    static func isHangupCause(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy { byte in
            (byte >= 65 && byte <= 90) || (byte >= 48 && byte <= 57) || byte == UInt8(ascii: "_")
        }
    }

    /// Causes of a leg that rang out or was given up on, not refused.
    static let noAnswerCauses: Set<String> = [
        "NO_ANSWER", "NO_USER_RESPONSE", "ORIGINATOR_CANCEL", "NORMAL_CLEARING", "NORMAL_UNSPECIFIED",
        "ALLOTTED_TIMEOUT", "LOSE_RACE", "PICKED_OFF", "MANAGER_REQUEST", "ATTENDED_TRANSFER",
        "BLIND_TRANSFER", "SUCCESS", "CALL_AWARDED_DELIVERED",
    ]

    /// The normalised disposition of a leg: an answered leg is `answered` whatever the cause it
    /// ended with; otherwise busy, congestion, no answer, or failed (every other cause).
    static func disposition(hangupCause cause: String, answered: Bool) -> String {
        if answered { return "answered" }
        switch cause {
        case "USER_BUSY": return "busy"
        case "NORMAL_CIRCUIT_CONGESTION", "SWITCH_CONGESTION": return "congestion"
        case _ where noAnswerCauses.contains(cause): return "no-answer"
        default: return "failed"
        }
    }

    // MARK: text

    /// `value` with `%HH` escapes decoded (FreeSWITCH's url encoding; `+` stays `+`); bytes that
    /// are not UTF-8 are read as ISO-8859-1.
    static func percentDecoded(_ value: String) -> String {
        guard value.utf8.contains(UInt8(ascii: "%")) else { return value }
        let input = Array(value.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            if input[i] == UInt8(ascii: "%"), i + 2 < input.count, let high = hexValue(input[i + 1]), let low = hexValue(input[i + 2]) {
                output.append(high << 4 | low)
                i += 3
            } else {
                output.append(input[i])
                i += 1
            }
        }
        return TextDecoding.decode(output)
    }

    /// True when `value` contains at least one `%HH` escape.
    static func hasPercentEscape(_ value: String) -> Bool {
        let b = Array(value.utf8)
        guard b.count >= 3 else { return false }
        for i in 0..<(b.count - 2) where b[i] == UInt8(ascii: "%") && hexValue(b[i + 1]) != nil && hexValue(b[i + 2]) != nil {
            return true
        }
        return false
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 48...57: byte - 48
        case 65...70: byte - 55
        case 97...102: byte - 87
        default: nil
        }
    }

    /// The last path component of a file path written by FreeSWITCH (`/` or `\` separated).
    static func basename(_ path: String) -> String? {
        let trimmed = path.trimmedASCIIWhitespace
        let name = trimmed.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }.last.map(String.init) ?? ""
        return name.isEmpty || name == "." || name == ".." ? nil : name
    }

    /// Parses a whole number of seconds or microseconds; nil for anything else.
    static func wholeNumber(_ text: String) -> Int64? {
        let trimmed = text.trimmedASCIIWhitespace
        guard !trimmed.isEmpty, trimmed.utf8.count <= 18, trimmed.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int64(trimmed)
    }

    /// The fingerprint of `fields`, for source keys of legs without a uuid.
    static func fingerprint(_ fields: [String]) -> String { SourceFingerprint.of(fields) }

    // MARK: time

    /// Picks the readings of local `startWall` and `endWall` that agree with `duration`
    /// (the autumn repeated hour), as the Asterisk parser does.
    static func resolve(startWall: Int64, endWall: Int64?, duration: Int, clock: LocalTimeConverter) -> (Date, Date) {
        clock.resolveSpan(startWall: startWall, endWall: endWall, duration: duration)
    }

    /// The reading of local `wall` closest to `reference`.
    static func closest(_ wall: Int64, to reference: Date, clock: LocalTimeConverter) -> Date {
        clock.candidates(wallClock: wall).min { abs($0.timeIntervalSince(reference)) < abs($1.timeIntervalSince(reference)) }!
    }
}

/// One FreeSWITCH call leg, as read from any of the three CDR formats, before it becomes a `Call`.
struct FreeSWITCHLeg {
    var format: String
    var uuid: String?
    var linkedID: String?
    var start: Date
    var answer: Date?
    var end: Date?
    var duration: Int
    var billsec: Int
    var callerIDName: String
    var callerIDNumber: String
    var destination: String
    var context: String
    var hangupCause: String
    /// FusionPBX's `call_direction` (`inbound`, `outbound`, `local`): already the company's view.
    var callDirection: String?
    /// The caller's channel or dial string (`sofia/internal/1002@…`): an extension there makes the caller an agent.
    var callerChannels: [String] = []
    /// Where the call went (`user/1003@…`, `sofia/internal/1003@…`, a dialled user): the agent of an inbound call.
    var calleeChannels: [String] = []
    var details: [String: String] = [:]
    /// What the fingerprint of a leg without a uuid is made of.
    var fingerprintFields: [String] = []

    /// Contexts that carry calls from the outside world: FreeSWITCH's `public`, and the
    /// FreePBX/Asterisk names some dialplans reuse.
    static let trunkContexts = ["public", "from-trunk", "from-pstn", "from-did", "from-external", "incoming", "inbound"]

    /// The `Call` this leg is, seen from the company.
    func call(normalizer: PhoneNumberNormalizer) -> Call {
        let from = normalizer.normalize(callerIDNumber)
        let to = normalizer.normalize(destination)
        let callerExtension = callerChannels.lazy.compactMap { self.extensionIn($0, normalizer: normalizer) }.first
        let calleeExtension = calleeChannels.lazy.compactMap { self.extensionIn($0, normalizer: normalizer) }.first
        let direction = deriveDirection(from: from, to: to, callerExtension: callerExtension)
        let agent: String? = switch direction {
        case .inbound: to.category == .extension ? to.raw : calleeExtension
        case .outbound, .internal: from.category == .extension ? from.raw : callerExtension
        }
        let answered = answer != nil || billsec > 0
        // The start date first: keys then grow with time (a uuid alone is random), see `Schema.v7TimeLocalCallKeys`.
        let key = uuid.map { "\(format):\(UTCDate.text(of: start)):\($0)" }
            ?? "\(format):-:\(FreeSWITCHCall.fingerprint(fingerprintFields))"
        var name: String? = callerIDName.trimmedASCIIWhitespace.isEmpty ? nil : String(callerIDName.trimmedASCIIWhitespace)
        if let n = name, n == from.raw || n == callerIDNumber || Self.placeholderNames.contains(n.lowercased()) { name = nil }
        return Call(sourceKey: key, format: format, uniqueID: uuid, linkedID: linkedID ?? uuid, start: start,
                    answer: answer, end: end, durationSeconds: duration, billableSeconds: billsec, from: from, to: to,
                    callerName: name, direction: direction,
                    disposition: FreeSWITCHCall.disposition(hangupCause: hangupCause, answered: answered),
                    agent: agent, context: context.isEmpty ? nil : context, details: details)
    }

    /// Caller names FreeSWITCH or phones fill in when there is no real name.
    static let placeholderNames: Set<String> = ["anonymous", "unknown", "outbound call", "_undef_", "unavailable", "private"]

    func deriveDirection(from: PhoneNumber, to: PhoneNumber, callerExtension: String?) -> Direction {
        switch callDirection?.lowercased() {
        case "inbound": return .inbound
        case "outbound": return .outbound
        case "local", "internal": return .internal
        default: break
        }
        let ctx = context.lowercased()
        let callerIsAgent = from.category == .extension || callerExtension != nil
        if from.category == .extension && to.category == .extension { return .internal }
        if Self.trunkContexts.contains(where: { ctx.hasPrefix($0) }) { return .inbound }
        if callerIsAgent { return to.category == .extension ? .internal : .outbound }
        return .inbound
    }

    /// The extension in a channel name or dial string: `sofia/internal/1003@10.0.0.5`,
    /// `user/1003@pbx.example`, `{vars}user/1003`, `1003@default` (mod_callcenter agents), `1003`.
    func extensionIn(_ text: String, normalizer: PhoneNumberNormalizer) -> String? {
        // A ring group or failover list names several endpoints: none of them is the agent.
        guard !text.isEmpty, !text.contains(","), !text.contains("|"), !text.contains(":_:") else { return nil }
        var endpoint = Substring(text)
        if let slash = endpoint.lastIndex(of: "/") { endpoint = endpoint[endpoint.index(after: slash)...] }
        if let at = endpoint.firstIndex(of: "@") { endpoint = endpoint[..<at] }
        guard !endpoint.isEmpty, endpoint.utf8.count <= normalizer.maxExtensionLength,
              endpoint.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return String(endpoint)
    }
}

/// A `json_cdr` or `xml_cdr` document, reduced to what a `Call` needs: the channel variables
/// and the callflow's caller profiles and times.
struct FreeSWITCHDocument {
    /// How the values under `variables` are written.
    enum Encoding {
        /// Plain text (`json_cdr` with `encode-values` off).
        case plain
        /// Url-encoded (`xml_cdr` always, `json_cdr` by default).
        case urlEncoded
        /// Unknown: decode the values that contain `%HH` escapes.
        case perValue
    }

    /// One `callflow` entry: the caller profile the channel had at one time.
    struct Profile {
        var fields: [String: String] = [:]
        var times: [String: String] = [:]
        /// The uuid and channel of the leg that originated this one (a b-leg's a-leg).
        var originatorUUID: String?
        var originatorChannel: String?
    }

    /// Raw values under `variables`, still encoded as the document wrote them.
    var variables: [String: String] = [:]
    var encoding: Encoding = .perValue
    /// The callflow, the current profile first (FreeSWITCH writes the latest profile first).
    var profiles: [Profile] = []
    var switchname: String?

    /// Every variable `leg(format:clock:)` reads; a streaming reader may skip the others (an SDP
    /// or a custom variable can be megabytes long). Add a name here when reading a new one.
    static let usedVariables: Set<String> = {
        var names: Set<String> = [
            "uuid", "originator", "originating_leg_uuid", "call_direction", "channel_name", "caller_id_name",
            "caller_id_number", "destination_number", "context", "duration", "billsec", "hangup_cause",
            "sip_call_id", "read_codec", "write_codec", "accountcode", "bridge_uuid",
        ]
        for time in ["start", "answer", "end", "profile_start"] {
            names.formUnion(["\(time)_uepoch", "\(time)_epoch", "\(time)_stamp"])
        }
        names.formUnion(FreeSWITCHCall.recordingVariables)
        names.formUnion(agentVariables)
        return names
    }()

    /// Variables that may name the agent a call reached (a dialled user, a bridged channel, a dial string).
    static let agentVariables = ["dialed_user", "dialed_extension", "last_sent_callee_id_number", "callee_id_number", "cc_agent", "bridge_channel", "last_arg"]

    /// Variables that tell whether a document's values are url-encoded: they always hold a space.
    static let stampVariables = ["start_stamp", "end_stamp", "profile_start_stamp", "answer_stamp"]

    /// Decides `encoding` from the time stamps, which hold a space (`%20` when encoded).
    mutating func detectEncoding() {
        for name in Self.stampVariables {
            guard let value = variables[name], !value.isEmpty else { continue }
            if value.contains(" ") { encoding = .plain; return }
            if value.contains("%20") || value.contains("%3A") || value.contains("%3a") { encoding = .urlEncoded; return }
        }
        encoding = .perValue
    }

    /// The decoded value of a variable; nil when it is missing or empty.
    func variable(_ name: String) -> String? {
        guard let raw = variables[name], !raw.isEmpty else { return nil }
        let value: String = switch encoding {
        case .plain: raw
        case .urlEncoded: FreeSWITCHCall.percentDecoded(raw)
        case .perValue: FreeSWITCHCall.hasPercentEscape(raw) ? FreeSWITCHCall.percentDecoded(raw) : raw
        }
        return value.isEmpty ? nil : value
    }

    /// A variable, or else the current caller profile's field of the same name — the order in
    /// which FreeSWITCH itself expands `${caller_id_number}` and the like.
    func value(_ name: String) -> String? {
        if let value = variable(name) { return value }
        if let value = profiles.first?.fields[name], !value.isEmpty { return value }
        return nil
    }

    /// A value used to build the call: too long a value is refused, not stored.
    func bounded(_ name: String) throws(IngestLineError) -> String? {
        guard let value = value(name) else { return nil }
        guard value.utf8.count <= FreeSWITCHCall.maxValueLength else {
            throw IngestLineError("variables.\(name) is longer than \(FreeSWITCHCall.maxValueLength) bytes")
        }
        return value
    }

    /// The whole-second instant of a time written as microseconds or seconds since 1970 (UTC):
    /// `variables.<name>_uepoch`, then `variables.<name>_epoch`, then the current profile's
    /// `times.<timesName>`; nil when all are missing or 0 (not reached, e.g. never answered).
    func epochInstant(_ name: String, times timesName: String) throws(IngestLineError) -> Date? {
        let sources: [(String, String?, Int64)] = [
            ("variables.\(name)_uepoch", variable("\(name)_uepoch"), 1_000_000),
            ("variables.\(name)_epoch", variable("\(name)_epoch"), 1),
            ("callflow times.\(timesName)", profiles.first?.times[timesName].flatMap { $0.isEmpty ? nil : $0 }, 1_000_000),
        ]
        for (label, text, perSecond) in sources {
            guard let text else { continue }
            guard let number = FreeSWITCHCall.wholeNumber(text) else {
                throw IngestLineError("\(label) is not a whole number of \(perSecond == 1 ? "seconds" : "microseconds") since 1970")
            }
            let seconds = number / perSecond
            guard seconds < 253_402_300_800 else { throw IngestLineError("\(label) is after the year 9999") }
            if seconds > 0 { return Date(timeIntervalSince1970: TimeInterval(seconds)) }
        }
        return nil
    }

    /// The local wall-clock reading of `variables.<name>_stamp`, if there is one.
    func stamp(_ name: String) throws(IngestLineError) -> Int64? {
        guard let text = variable("\(name)_stamp") else { return nil }
        guard let wall = LocalTimeConverter.wallClockSeconds(text.trimmedASCIIWhitespace.utf8) else {
            throw IngestLineError("variables.\(name)_stamp is not a time YYYY-MM-DD HH:MM:SS")
        }
        return wall
    }

    func seconds(_ name: String) throws(IngestLineError) -> Int? {
        guard let text = variable(name) else { return nil }
        guard let number = FreeSWITCHCall.wholeNumber(text), number <= Int64(Int32.max) else {
            throw IngestLineError("variables.\(name) is not a whole number of seconds")
        }
        return Int(number)
    }

    /// The leg this document describes.
    ///
    /// Its linked id is the a-leg's uuid: a b-leg names its a-leg in `originator` or
    /// `originating_leg_uuid` (or in its caller profile's `originator`), an a-leg is its own.
    func leg(format: String, clock: LocalTimeConverter) throws(IngestLineError) -> FreeSWITCHLeg {
        guard let uuid = try bounded("uuid") else {
            throw IngestLineError("variables.uuid is missing (every FreeSWITCH CDR has one)")
        }
        // Times: UTC epochs first, then the local stamps FreeSWITCH writes beside them.
        var start = try epochInstant("start", times: "created_time")
        var end = try epochInstant("end", times: "hangup_time")
        var answer = try epochInstant("answer", times: "answered_time")
        let durationVariable = try seconds("duration")
        if start == nil || end == nil {
            let startWall = try start == nil ? stamp("start") : nil
            let endWall = try end == nil ? stamp("end") : nil
            switch (start, end, startWall, endWall) {
            case (nil, nil, let s?, let e):
                (start, end) = FreeSWITCHCall.resolve(startWall: s, endWall: e, duration: durationVariable ?? 0, clock: clock)
                if e == nil && durationVariable == nil { end = nil }
            case (nil, let e?, let s?, _):
                start = FreeSWITCHCall.closest(s, to: e.addingTimeInterval(-TimeInterval(durationVariable ?? 0)), clock: clock)
            case (let s?, nil, _, let e?):
                end = FreeSWITCHCall.closest(e, to: s.addingTimeInterval(TimeInterval(durationVariable ?? 0)), clock: clock)
            default:
                break
            }
        }
        guard let start else {
            throw IngestLineError("no start time: variables.start_uepoch, start_epoch, start_stamp and callflow times.created_time are all missing")
        }
        if answer == nil, let wall = try stamp("answer") {
            answer = FreeSWITCHCall.closest(wall, to: start, clock: clock)
        }
        if let end, end < start { throw IngestLineError("the end time is before the start time") }
        if let answer, answer < start { throw IngestLineError("the answer time is before the start time") }
        let duration = durationVariable ?? end.map { Int($0.timeIntervalSince(start)) } ?? 0
        let billsec = try seconds("billsec") ?? {
            guard let answer, let end else { return 0 }
            return max(0, Int(end.timeIntervalSince(answer)))
        }()
        guard billsec <= duration + 1 else {
            throw IngestLineError("variables.billsec is more than the duration")
        }
        if answer == nil && billsec > 0 {
            throw IngestLineError("variables.billsec is above 0 but the leg has no answer time")
        }
        let cause = variable("hangup_cause") ?? ""
        guard cause.isEmpty || FreeSWITCHCall.isHangupCause(cause) else {
            throw IngestLineError("variables.hangup_cause is not a FreeSWITCH hangup cause such as NORMAL_CLEARING")
        }

        let current = profiles.first
        let originator = [variable("originator"), variable("originating_leg_uuid"), current?.originatorUUID]
            .lazy.compactMap { $0 }.first { $0 != uuid && $0.utf8.count <= FreeSWITCHCall.maxValueLength }
        let isBLeg = originator != nil
        var callerChannels: [String] = []
        var calleeChannels: [String] = []
        let agentVariables = Self.agentVariables
        if isBLeg {
            callerChannels = [current?.originatorChannel].compactMap { $0 }
            calleeChannels = [current?.fields["chan_name"], variable("channel_name")].compactMap { $0 } + agentVariables.compactMap(variable)
        } else {
            callerChannels = [variable("channel_name"), current?.fields["chan_name"]].compactMap { $0 }
            calleeChannels = agentVariables.compactMap(variable)
        }

        var details: [String: String] = ["leg": isBLeg ? "b" : "a"]
        if let file = FreeSWITCHCall.recordingVariables.lazy.compactMap({ self.variable($0) }).first.flatMap(FreeSWITCHCall.basename),
           file.utf8.count <= FreeSWITCHCall.maxValueLength {
            details["record_file_name"] = file
        }
        for name in ["sip_call_id", "hangup_cause", "read_codec", "write_codec", "accountcode", "bridge_uuid"] {
            if let value = variable(name), value.utf8.count <= FreeSWITCHCall.maxValueLength { details[name] = value }
        }
        return FreeSWITCHLeg(
            format: format, uuid: uuid, linkedID: originator ?? uuid, start: start, answer: answer, end: end,
            duration: duration, billsec: billsec, callerIDName: try bounded("caller_id_name") ?? "",
            callerIDNumber: try bounded("caller_id_number") ?? "", destination: try bounded("destination_number") ?? "",
            context: try bounded("context") ?? "", hangupCause: cause, callDirection: variable("call_direction"),
            callerChannels: callerChannels, calleeChannels: calleeChannels, details: details)
    }
}
