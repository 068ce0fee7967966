public import Foundation

/// An item as the archive shows it: the `item` of CLI.md, plus details for `show`.
public struct ArchivedItem: Sendable, Equatable {
    public var id: ItemID
    public var start: Date
    public var direction: Direction?
    /// E.164 when known, else the raw value.
    public var from: String?
    public var to: String?
    public var durationSeconds: Double
    public var disposition: String?
    public var agent: String?
    public var customers: [String]
    /// The recording of a call (for a call), or nil.
    public var recording: ItemID?
    /// For a call: every call leg of its conversation (the legs sharing its linked id),
    /// oldest first, itself included; empty for SMS and recordings.
    public var legs: [ItemID]
    /// For a call: the recordings of any leg of its conversation, by id; empty otherwise.
    public var recordings: [ItemID]
    /// When the item may be deleted; nil while a linked customer relationship lasts.
    public var retainUntil: Date?
    /// The retention class that set `retainUntil` (nil until computed for an old item).
    public var retentionClass: String?
    /// Active legal holds covering the item.
    public var holds: [String]
    /// Whether a linked customer's processing is restricted (only compliance sees the item).
    public var restricted: Bool
    /// Detail shown by `show`; nil in search results.
    public var detail: ItemDetail?

    public init(id: ItemID, start: Date, direction: Direction?, from: String?, to: String?, durationSeconds: Double,
                disposition: String?, agent: String?, customers: [String], recording: ItemID?, retainUntil: Date?,
                retentionClass: String? = nil, holds: [String], restricted: Bool = false,
                legs: [ItemID] = [], recordings: [ItemID] = [], detail: ItemDetail? = nil) {
        self.id = id
        self.start = start
        self.direction = direction
        self.from = from
        self.to = to
        self.durationSeconds = durationSeconds
        self.disposition = disposition
        self.agent = agent
        self.customers = customers
        self.recording = recording
        self.legs = legs
        self.recordings = recordings
        self.retainUntil = retainUntil
        self.retentionClass = retentionClass
        self.holds = holds
        self.restricted = restricted
        self.detail = detail
    }
}

/// What `show` adds to an item.
public struct ItemDetail: Sendable, Equatable {
    public var format: String
    public var callerName: String?
    public var context: String?
    public var uniqueID: String?
    public var linkedID: String?
    public var answer: Date?
    public var end: Date?
    public var billableSeconds: Int?
    public var fromRaw: String?
    public var toRaw: String?
    public var sourceFields: [String: String]
    public var ingestedAt: Date
    /// For a recording: the call it belongs to.
    public var call: ItemID?
    /// For a recording: its stored form.
    public var blob: BlobDetail?

    public init(format: String, callerName: String?, context: String?, uniqueID: String?, linkedID: String?,
                answer: Date?, end: Date?, billableSeconds: Int?, fromRaw: String?, toRaw: String?,
                sourceFields: [String: String], ingestedAt: Date, call: ItemID?, blob: BlobDetail?) {
        self.format = format
        self.callerName = callerName
        self.context = context
        self.uniqueID = uniqueID
        self.linkedID = linkedID
        self.answer = answer
        self.end = end
        self.billableSeconds = billableSeconds
        self.fromRaw = fromRaw
        self.toRaw = toRaw
        self.sourceFields = sourceFields
        self.ingestedAt = ingestedAt
        self.call = call
        self.blob = blob
    }
}

/// A recording's stored form.
public struct BlobDetail: Sendable, Equatable {
    public var sha256: String
    public var bytes: Int64
    public var storedBytes: Int64
    public var audio: AudioInfo
    public var fileName: String

    public init(sha256: String, bytes: Int64, storedBytes: Int64, audio: AudioInfo, fileName: String) {
        self.sha256 = sha256
        self.bytes = bytes
        self.storedBytes = storedBytes
        self.audio = audio
        self.fileName = fileName
    }
}
