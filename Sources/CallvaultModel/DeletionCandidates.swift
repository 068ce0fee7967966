public import Foundation

/// An item past its retain-until date, as expiry sees it: what the index knows, before any
/// decision (`ExpiryPlan` decides).
public struct DueItem: Sendable, Equatable {
    /// What keeps a due item (R18); nil when it may go.
    public enum Keeper: String, Sendable, Codable {
        /// An active legal hold covers it.
        case hold
        /// A linked customer's processing is restricted.
        case restriction
        /// A linked customer's access or portability request freezes it.
        case request
    }

    public var id: ItemID
    public var retainUntil: Date
    public var keptBy: Keeper?

    public init(id: ItemID, retainUntil: Date, keptBy: Keeper? = nil) {
        self.id = id
        self.retainUntil = retainUntil
        self.keptBy = keptBy
    }
}

/// An item linked to a customer, with what an erasure plan decides on (`ErasurePlan`).
public struct ErasureCandidate: Sendable, Equatable {
    public var id: ItemID
    public var retentionClass: String?
    /// nil: while a customer relationship lasts.
    public var retainUntil: Date?
    /// Active holds covering the item.
    public var holds: [String]
    /// Other customers the item links to.
    public var otherCustomers: [String]
    /// For a recording: its original size in bytes (to recognise spool copies).
    public var recordingBytes: Int64?

    public init(id: ItemID, retentionClass: String?, retainUntil: Date?, holds: [String] = [],
                otherCustomers: [String] = [], recordingBytes: Int64? = nil) {
        self.id = id
        self.retentionClass = retentionClass
        self.retainUntil = retainUntil
        self.holds = holds
        self.otherCustomers = otherCustomers
        self.recordingBytes = recordingBytes
    }
}
