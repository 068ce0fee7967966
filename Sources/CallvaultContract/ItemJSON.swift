import Foundation
public import CallvaultModel
import CallvaultArchive

/// CLI.md's `item`.
public struct ItemJSON: Encodable {
    var id: String
    var kind: String
    var start: Date
    var direction: String?
    var from: String?
    var to: String?
    var duration_s: Double
    var disposition: String?
    var agent: String?
    var customers: [String]
    var recording: String?
    /// Every call leg of the conversation, oldest first, the item itself included; [] for SMS and recordings.
    var legs: [String]
    /// The recordings of any leg of the conversation.
    var recordings: [String]
    /// null while a linked customer relationship lasts.
    var retain_until: Date?
    var retention_class: String?
    var holds: [String]
    var restricted: Bool
    // `show` only
    var caller_name: String?
    var context: String?
    var unique_id: String?
    var linked_id: String?
    var answer: Date?
    var end: Date?
    var billsec: Int?
    var from_raw: String?
    var to_raw: String?
    var format: String?
    var source_fields: [String: String]?
    var ingested_at: Date?
    var call: String?
    var blob: BlobJSON?

    public struct BlobJSON: Encodable {
        var sha256: String
        var bytes: Int64
        var stored_bytes: Int64
        var codec: String
        var sample_rate: Int
        var channels: Int
        var bits_per_sample: Int
        var audio_duration_s: Double
        var warning: String?
        var file_name: String
    }

    public init(_ item: ArchivedItem) {
        id = item.id.description
        kind = item.id.kind.rawValue
        start = item.start
        direction = item.direction?.rawValue
        from = item.from
        to = item.to
        duration_s = item.durationSeconds
        disposition = item.disposition
        agent = item.agent
        customers = item.customers
        recording = item.recording?.description
        legs = item.legs.map(\.description)
        recordings = item.recordings.map(\.description)
        retain_until = item.retainUntil
        retention_class = item.retentionClass
        holds = item.holds
        restricted = item.restricted
        if let d = item.detail {
            caller_name = d.callerName
            context = d.context
            unique_id = d.uniqueID
            linked_id = d.linkedID
            answer = d.answer
            end = d.end
            billsec = d.billableSeconds
            from_raw = d.fromRaw
            to_raw = d.toRaw
            format = d.format
            source_fields = d.sourceFields
            ingested_at = d.ingestedAt
            call = d.call?.description
            blob = d.blob.map {
                BlobJSON(sha256: $0.sha256, bytes: $0.bytes, stored_bytes: $0.storedBytes, codec: $0.audio.codec,
                         sample_rate: $0.audio.sampleRate, channels: $0.audio.channels, bits_per_sample: $0.audio.bitsPerSample,
                         audio_duration_s: $0.audio.durationSeconds, warning: $0.audio.warning, file_name: $0.fileName)
            }
        }
    }

    // Absent optionals of `item` are written as null, as CLI.md's shape lists them.
    enum CodingKeys: String, CodingKey {
        case id, kind, start, direction, from, to, duration_s, disposition, agent, customers, recording, legs, recordings
        case retain_until, retention_class, holds, restricted
        case caller_name, context, unique_id, linked_id, answer, end, billsec, from_raw, to_raw, format, source_fields
        case ingested_at, call, blob
    }

    // Written field by field with the container's concrete String/Double/Bool calls (the generic
    // path for optionals, arrays and the dates' custom strategy costs twice as much). Used for
    // `show`'s item and as the reference `writeSearchItem` is tested against; search results
    // are written by `writeSearchItem`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(kind, forKey: .kind)
        try c.encode(ContractJSON.isoUTC(start), forKey: .start)
        try c.encodeOrNull(direction, forKey: .direction)
        try c.encodeOrNull(from, forKey: .from)
        try c.encodeOrNull(to, forKey: .to)
        try c.encode(duration_s, forKey: .duration_s)
        try c.encodeOrNull(disposition, forKey: .disposition)
        try c.encodeOrNull(agent, forKey: .agent)
        try c.encodeStrings(customers, forKey: .customers)
        try c.encodeOrNull(recording, forKey: .recording)
        try c.encodeStrings(legs, forKey: .legs)
        try c.encodeStrings(recordings, forKey: .recordings)
        try c.encodeOrNull(retain_until.map(ContractJSON.isoUTC), forKey: .retain_until)
        try c.encodeOrNull(retention_class, forKey: .retention_class)
        try c.encodeStrings(holds, forKey: .holds)
        try c.encode(restricted, forKey: .restricted)
        try c.encodeIfPresent(caller_name, forKey: .caller_name)
        try c.encodeIfPresent(context, forKey: .context)
        try c.encodeIfPresent(unique_id, forKey: .unique_id)
        try c.encodeIfPresent(linked_id, forKey: .linked_id)
        try c.encodeIfPresent(answer.map(ContractJSON.isoUTC), forKey: .answer)
        try c.encodeIfPresent(end.map(ContractJSON.isoUTC), forKey: .end)
        try c.encodeIfPresent(billsec, forKey: .billsec)
        try c.encodeIfPresent(from_raw, forKey: .from_raw)
        try c.encodeIfPresent(to_raw, forKey: .to_raw)
        try c.encodeIfPresent(format, forKey: .format)
        try c.encodeIfPresent(source_fields, forKey: .source_fields)
        try c.encodeIfPresent(ingested_at.map(ContractJSON.isoUTC), forKey: .ingested_at)
        try c.encodeIfPresent(call, forKey: .call)
        try c.encodeIfPresent(blob, forKey: .blob)
    }
}

extension ItemJSON {
    /// Whether this is a search result's item: none of `show`'s detail.
    var isSearchItem: Bool {
        caller_name == nil && context == nil && unique_id == nil && linked_id == nil && answer == nil && end == nil
            && billsec == nil && from_raw == nil && to_raw == nil && format == nil && source_fields == nil
            && ingested_at == nil && call == nil && blob == nil
    }

    /// Writes a search result's item (`isSearchItem`) as `encode(to:)` does, keys sorted.
    func writeSearchItem(to out: inout JSONText) {
        out.raw("{\"agent\":"); out.string(orNull: agent)
        out.raw(",\"customers\":"); out.strings(customers)
        out.raw(",\"direction\":"); out.string(orNull: direction)
        out.raw(",\"disposition\":"); out.string(orNull: disposition)
        out.raw(",\"duration_s\":"); out.number(duration_s)
        out.raw(",\"from\":"); out.string(orNull: from)
        out.raw(",\"holds\":"); out.strings(holds)
        out.raw(",\"id\":"); out.string(id)
        out.raw(",\"kind\":"); out.string(kind)
        out.raw(",\"legs\":"); out.strings(legs)
        out.raw(",\"recording\":"); out.string(orNull: recording)
        out.raw(",\"recordings\":"); out.strings(recordings)
        out.raw(",\"restricted\":"); out.bool(restricted)
        out.raw(",\"retain_until\":"); out.string(orNull: retain_until.map(ContractJSON.isoUTC))
        out.raw(",\"retention_class\":"); out.string(orNull: retention_class)
        out.raw(",\"start\":"); out.string(ContractJSON.isoUTC(start))
        out.raw(",\"to\":"); out.string(orNull: to)
        out.raw("}")
    }
}

public struct RejectJSON: Encodable {
    var file: String
    var line: Int?
    var reason: String

    public init(_ reject: IngestReject) {
        file = reject.file
        line = reject.line
        reason = reject.reason
    }

    enum CodingKeys: String, CodingKey { case file, line, reason }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encode(line, forKey: .line)
        try c.encode(reason, forKey: .reason)
    }
}
