public import Foundation
public import CallvaultModel

/// What a recording's metadata sidecar (`<recording name>.json`) says about it.
public struct RecordingSidecar: Sendable, Equatable {
    public var callID: String?
    public var agent: String?
    public var queue: String?
    public var direction: Direction?
    public var customerID: String?
    public var tags: [String]
}

/// Reads recording sidecars: a flat JSON object with any of `call_id`, `agent`, `queue`,
/// `direction`, `customer_id`, `tags` (a list of words). Unknown keys are ignored.
public enum RecordingSidecarParser {
    /// The sidecar that belongs to `recording`, if one lies next to it (`x.wav` → `x.json`).
    public static func sidecarURL(for recording: URL) -> URL? {
        guard RecordingNameParser.audioExtensions.contains(recording.pathExtension.lowercased()) else { return nil }
        let candidate = recording.deletingPathExtension().appendingPathExtension("json")
        return FileManager.default.fileExists(atPath: candidate.path) ? candidate : nil
    }

    /// Whether `file` is the sidecar of an audio file beside it.
    public static func isSidecar(_ file: URL) -> Bool {
        guard file.pathExtension.lowercased() == "json" else { return false }
        let stem = file.deletingPathExtension()
        return RecordingNameParser.audioExtensions.contains { ext in
            FileManager.default.fileExists(atPath: stem.appendingPathExtension(ext).path)
                || FileManager.default.fileExists(atPath: stem.appendingPathExtension(ext.uppercased()).path)
        }
    }

    /// Parses a sidecar document (at most 64 KiB).
    public static func parse(_ data: Data) throws(IngestLineError) -> RecordingSidecar {
        guard data.count <= 64 * 1024 else { throw IngestLineError("sidecar is larger than 64 KiB") }
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw IngestLineError("sidecar is not a JSON object")
        }
        func text(_ key: String) throws(IngestLineError) -> String? {
            guard let value = object[key], !(value is NSNull) else { return nil }
            if let string = value as? String {
                let trimmed = String(string.trimmedASCIIWhitespace)
                guard trimmed.count <= 256 else { throw IngestLineError("sidecar field '\(key)' is longer than 256 characters") }
                return trimmed.isEmpty ? nil : trimmed
            }
            if let number = value as? NSNumber { return number.stringValue }
            throw IngestLineError("sidecar field '\(key)' is not a string")
        }
        var direction: Direction?
        if let written = try text("direction") {
            switch written.lowercased() {
            case "inbound", "in", "incoming": direction = .inbound
            case "outbound", "out", "outgoing": direction = .outbound
            case "internal": direction = .internal
            default: throw IngestLineError("sidecar field 'direction' is not inbound, outbound or internal")
            }
        }
        var tags: [String] = []
        if let list = object["tags"] {
            guard let strings = list as? [String], strings.count <= 32 else {
                throw IngestLineError("sidecar field 'tags' is not a list of at most 32 words")
            }
            tags = strings.map { String($0.trimmedASCIIWhitespace) }.filter { !$0.isEmpty && $0.count <= 64 }
        }
        return RecordingSidecar(callID: try text("call_id"), agent: try text("agent"), queue: try text("queue"),
                                direction: direction, customerID: try text("customer_id"), tags: tags)
    }

    /// The recording's metadata with the sidecar's fields applied (the sidecar wins).
    public static func apply(_ sidecar: RecordingSidecar, to meta: RecordingMetadata) -> RecordingMetadata {
        var meta = meta
        if let callID = sidecar.callID { meta.callUniqueID = callID }
        if let agent = sidecar.agent { meta.agent = agent }
        if let queue = sidecar.queue { meta.queue = queue }
        if let direction = sidecar.direction { meta.direction = direction }
        return meta
    }
}
