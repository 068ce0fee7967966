import Foundation
public import CallvaultModel
import CallvaultIndex
import CallvaultBlobStore
import CallvaultAudit

/// An opened recording for streaming: its size and type, the first piece of the range asked
/// for (read and proven before anything is sent), and reads of any further range that
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
    /// The bytes to send: the range asked for, or all of them; nil for an empty recording.
    public let wanted: ClosedRange<Int64>?
    /// The first bytes of `wanted` (up to the first chunk boundary), already proven.
    public let firstPiece: [UInt8]
    let purpose: String?
    let reader: any BlobReader

    /// Hands the original bytes of `range` (inclusive, within `0..<size`) to `body`, piece by
    /// piece; each stored chunk is proven to belong to this recording before it is handed out.
    public func read(_ range: ClosedRange<Int64>, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try reader.read(range, body)
    }

    /// Reads of ranges aligned to this size decode each stored piece once (the store's chunk size).
    public var preferredReadSize: Int64 { reader.preferredReadSize }

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
    public func openRecording(_ id: String, purpose: String?, actor: Actor, bodyless: Bool = false,
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
        let wanted = range ?? (blob.bytes > 0 ? 0...(blob.bytes - 1) : nil)
        // The stored file must prove itself before anything is promised: a missing, swapped or
        // damaged blob is an error the caller sees (and the log records), not a broken stream.
        let reader: any BlobReader
        var firstPiece: [UInt8] = []
        do {
            reader = try blobs.open(blob.sha256)
            guard reader.size == blob.bytes else {
                throw BlobStoreError.corrupt(sha256: blob.sha256, reason: "it holds \(reader.size) bytes, the index says \(blob.bytes)")
            }
            if let wanted {
                let step = reader.preferredReadSize
                try reader.read(wanted.lowerBound...min(wanted.upperBound, (wanted.lowerBound / step + 1) * step - 1)) {
                    firstPiece.append(contentsOf: $0)
                }
            }
        } catch let error as BlobStoreError {
            try index.write { writer in
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "play", items: [recordingID.description],
                                                  purpose: purpose, outcome: .failed, reason: Self.unservableReason(error),
                                                  origin: actor.origin), at: clock())
            }
            throw ArchiveFailure(.corrupt, "\(recordingID)'s audio cannot be served: \(error.message)")
        }
        var details = ["bytes": String(blob.bytes)]
        if let range { details["range"] = "\(range.lowerBound)-\(range.upperBound)" }
        // A HEAD request learns the recording's size and type, and no audio: the log says so.
        if bodyless { details["method"] = "HEAD"; details["bytes_sent"] = "0" }
        // Unlogged access is not allowed: the entry is written before the first byte is sent.
        try index.write { writer in
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "play", items: [recordingID.description],
                                              purpose: purpose, details: details, origin: actor.origin), at: clock())
        }
        return RecordingPlayback(id: recordingID, sha256: blob.sha256, size: blob.bytes, fileName: blob.fileName,
                                 contentType: RecordingPlayback.contentType(fileName: blob.fileName), wanted: wanted,
                                 firstPiece: firstPiece, purpose: purpose, reader: reader)
    }

    /// Records that a playback stopped part-way (a chunk failed its check, or the store failed):
    /// the entry names the bytes already sent and why it stopped.
    public func recordPlaybackFailure(_ playback: RecordingPlayback, bytesSent: Int64, error: any Error, actor: Actor) throws {
        let reason = (error as? BlobStoreError).map(Self.unservableReason) ?? "the read failed: \(type(of: error))"
        try index.write { writer in
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "play", items: [playback.id.description],
                                              purpose: playback.purpose, details: ["bytes_sent": String(bytesSent)], outcome: .failed,
                                              reason: reason, origin: actor.origin), at: clock())
        }
    }

    /// Why a blob could not be served, for the processing log (no file names, no numbers).
    static func unservableReason(_ error: BlobStoreError) -> String {
        switch error {
        case .notFound: "stored audio missing"
        case .corrupt(_, let reason): "stored audio damaged: \(reason)"
        default: "stored audio unreadable: \(error.kind.rawValue)"
        }
    }
}
