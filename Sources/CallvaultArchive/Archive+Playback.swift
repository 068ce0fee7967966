import Foundation
public import CallvaultModel
import CallvaultIndex
import CallvaultBlobStore
import CallvaultAudit

/// An opened recording for streaming: its size and type, and reads of any byte range that
/// decompress only the chunks the range touches.
public struct RecordingPlayback: Sendable {
    /// The recording's id (a call id is resolved to its recording).
    public let id: ItemID
    /// SHA-256 of the original bytes.
    public let sha256: String
    /// The original size in bytes.
    public let size: Int64
    /// The file name the recording was ingested under.
    public let fileName: String
    /// The media type of the original file (`audio/wav`, `audio/mpeg`, …).
    public let contentType: String
    let blobs: any BlobStore

    /// Hands the original bytes of `range` (inclusive, within `0..<size`) to `body`, piece by
    /// piece; each stored chunk is checked against its CRC-32 before it is handed out.
    public func read(_ range: ClosedRange<Int64>, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try blobs.read(sha256, range: range, body)
    }

    /// The size of the stored chunks: reads aligned to it decompress each chunk once.
    public static let preferredReadSize: Int64 = 256 * 1024

    /// The media type of a recording file, by its extension (every stored recording has a WAV header).
    public static func contentType(fileName: String) -> String {
        switch (fileName as NSString).pathExtension.lowercased() {
        case "mp3": return "audio/mpeg"
        case "ogg": return "audio/ogg"
        case "gsm": return "audio/x-gsm"
        case "sln": return "application/octet-stream"
        default: return "audio/wav"
        }
    }
}

extension Archive {
    /// Opens a recording (or a call's recording) for playback. `resolveRange` turns the
    /// recording's size into the range that will be read (nil: all of it), or throws to refuse
    /// (an unsatisfiable range reads nothing and is not audited as a read). The purpose is
    /// required and audited with the range before any byte is read; a restricted customer's
    /// recording is refused, and the refusal audited, for every role but compliance.
    public func openRecording(_ id: String, purpose: String?, actor: Actor,
                              resolveRange: (Int64) throws -> ClosedRange<Int64>?) throws -> RecordingPlayback {
        try authorize(actor, .playRecording, items: [String(id.prefix(40))])
        guard let itemID = ItemID(id) else {
            throw ArchiveFailure(.badInput, "'\(id.prefix(40))' is not an item id (rec-N, or the call-N it belongs to)")
        }
        let purpose = try requirePurpose(purpose, actor: actor, action: "play", items: [itemID.description])
        let found = try index.read { reader -> (ItemID, BlobDetail, Bool)? in
            var recordingID = itemID
            if itemID.kind == .call, let recording = try reader.item(itemID)?.recording { recordingID = recording }
            guard let blob = try reader.blob(of: recordingID) else { return nil }
            let restricted = try reader.isRestricted(recordingID) || reader.isRestricted(itemID)
            return (recordingID, blob, restricted)
        }
        guard let (recordingID, blob, restricted) = found else {
            try index.write { writer in
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "play", items: [itemID.description],
                                                  purpose: purpose, outcome: .failed, reason: "no recording", origin: actor.origin), at: clock())
            }
            throw ArchiveFailure(.notFound, "\(itemID) has no recording")
        }
        if restricted && !maySeeRestricted(actor) {
            throw try index.write { writer in try denyRestricted(recordingID, action: "play", purpose: purpose, actor: actor, writer: writer) }
        }
        let range = try resolveRange(blob.bytes)
        var details = ["bytes": String(blob.bytes)]
        if let range { details["range"] = "\(range.lowerBound)-\(range.upperBound)" }
        // Unlogged access is not allowed: the entry is written before the first byte is read.
        try index.write { writer in
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "play", items: [recordingID.description],
                                              purpose: purpose, details: details, origin: actor.origin), at: clock())
        }
        return RecordingPlayback(id: recordingID, sha256: blob.sha256, size: blob.bytes, fileName: blob.fileName,
                                 contentType: RecordingPlayback.contentType(fileName: blob.fileName), blobs: blobs)
    }
}
