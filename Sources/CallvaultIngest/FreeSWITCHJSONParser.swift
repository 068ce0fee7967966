public import Foundation
public import CallvaultModel

/// Turns one FreeSWITCH `mod_json_cdr` document (`json_cdr/<uuid>.cdr.json`, one per call leg)
/// into a `Call`.
///
/// Reads `variables` (plain, or url-encoded as `encode-values` writes them by default) and the
/// `callflow` (an array, or the repeated `callflow` keys of older versions). Times come from the
/// UTC epochs (`start_uepoch`, `start_epoch`, then `callflow[0].times.created_time`), falling back
/// to the local `*_stamp` values; they are whole seconds, as in the other formats. The linked id
/// is the a-leg's uuid: a b-leg names its a-leg in `originator` or `originating_leg_uuid`.
public struct FreeSWITCHJSONParser: Sendable {
    /// The format name recorded with each call and used in source keys.
    public static let format = "freeswitch-json"

    let normalizer: PhoneNumberNormalizer
    let clock: LocalTimeConverter

    /// Creates a parser that normalises numbers with `normalizer` and reads local stamps with `clock`.
    public init(normalizer: PhoneNumberNormalizer, clock: LocalTimeConverter) {
        self.normalizer = normalizer
        self.clock = clock
    }

    /// True when `head` (a file's first bytes) starts a json_cdr document: a JSON object with
    /// FreeSWITCH's `core-uuid`, `channel_data` or `variables` key near the top.
    public static func looksLikeDocument(_ head: [UInt8]) -> Bool {
        var i = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < head.count, head[i] == 32 || head[i] == 9 || head[i] == 10 || head[i] == 13 { i += 1 }
        guard i < head.count, head[i] == UInt8(ascii: "{") else { return false }
        let window = head[i..<min(head.count, i + 64 * 1024)]
        return ["\"core-uuid\"", "\"channel_data\"", "\"variables\""].contains { contains(window, Array($0.utf8)) }
    }

    static func contains(_ haystack: ArraySlice<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var i = haystack.startIndex
        while i <= haystack.endIndex - needle.count {
            if haystack[i] == first, haystack[i..<(i + needle.count)].elementsEqual(needle) { return true }
            i += 1
        }
        return false
    }

    /// Parses one document; throws `IngestLineError` with a reason that names the field.
    public func parse(data: Data) throws(IngestLineError) -> Call {
        let document = try Self.document(data)
        return try document.leg(format: Self.format, clock: clock).call(normalizer: normalizer)
    }

    static func document(_ data: Data) throws(IngestLineError) -> FreeSWITCHDocument {
        if data.isEmpty { throw IngestLineError("the file is empty") }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw IngestLineError("not a JSON document (mod_json_cdr writes one JSON object per call leg)")
        }
        guard let root = object as? [String: Any] else {
            throw IngestLineError("the JSON document is not an object (mod_json_cdr writes one object per call leg)")
        }
        guard let variables = root["variables"] as? [String: Any] else {
            throw IngestLineError("the JSON object has no \"variables\" object: not a FreeSWITCH json_cdr record")
        }
        var document = FreeSWITCHDocument()
        for (name, value) in variables {
            if let text = string(value) { document.variables[name] = text }
        }
        document.detectEncoding()
        document.switchname = root["switchname"].flatMap(string)
        let callflow: [Any] = (root["callflow"] as? [Any]) ?? (root["callflow"].map { [$0] } ?? [])
        for entry in callflow {
            guard let entry = entry as? [String: Any] else { continue }
            var profile = FreeSWITCHDocument.Profile()
            if let caller = entry["caller_profile"] as? [String: Any] {
                for (name, value) in caller {
                    if let text = string(value) { profile.fields[name] = text }
                }
                if let originator = caller["originator"] as? [String: Any],
                   let first = (originator["originator_caller_profiles"] as? [Any])?.first as? [String: Any] {
                    profile.originatorUUID = first["uuid"].flatMap(string).flatMap { $0.isEmpty ? nil : $0 }
                    profile.originatorChannel = first["chan_name"].flatMap(string).flatMap { $0.isEmpty ? nil : $0 }
                }
            }
            if let times = entry["times"] as? [String: Any] {
                for (name, value) in times {
                    if let text = string(value) { profile.times[name] = text }
                }
            }
            document.profiles.append(profile)
        }
        return document
    }

    /// A JSON string, or a number written as text (some exporters write times as numbers).
    static func string(_ value: Any) -> String? {
        if let text = value as? String { return text }
        if let number = value as? NSNumber, !(value is Bool) {
            let double = number.doubleValue
            if double.rounded() == double, abs(double) < 1e18 { return String(number.int64Value) }
            return number.stringValue
        }
        return nil
    }
}
