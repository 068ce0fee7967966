public import Foundation

/// What the audio header of a recording says.
public struct AudioInfo: Sendable, Equatable, Codable {
    /// `pcm_s16le`, `pcm_u8`, `alaw`, `mulaw`, `gsm`, …, or `unknown`.
    public var codec: String
    public var sampleRate: Int
    public var channels: Int
    public var bitsPerSample: Int
    /// Duration computed from the data size and byte rate.
    public var durationSeconds: Double
    /// Set when the header disagrees with the file (the file is still stored byte-exact).
    public var warning: String?

    public init(codec: String, sampleRate: Int, channels: Int, bitsPerSample: Int, durationSeconds: Double, warning: String? = nil) {
        self.codec = codec
        self.sampleRate = sampleRate
        self.channels = channels
        self.bitsPerSample = bitsPerSample
        self.durationSeconds = durationSeconds
        self.warning = warning
    }
}

/// What a recording's file name (and sidecar, later) says about the call it belongs to.
public struct RecordingMetadata: Sendable, Equatable {
    /// Stable key: format + PBX unique id (+ file name when one call has several recordings).
    public var sourceKey: String
    /// The PBX unique id of the call the recording belongs to.
    public var callUniqueID: String?
    /// FreePBX's recording type: `in`, `out`, `exten`, `q`, `rg`, `external`, …
    public var type: String
    public var start: Date?
    public var direction: Direction?
    public var from: PhoneNumber?
    public var to: PhoneNumber?
    /// The queue or ring group for `q-`/`rg-` recordings.
    public var queue: String?
    public var agent: String?

    public init(sourceKey: String, callUniqueID: String?, type: String, start: Date?, direction: Direction?,
                from: PhoneNumber?, to: PhoneNumber?, queue: String?, agent: String?) {
        self.sourceKey = sourceKey
        self.callUniqueID = callUniqueID
        self.type = type
        self.start = start
        self.direction = direction
        self.from = from
        self.to = to
        self.queue = queue
        self.agent = agent
    }
}
