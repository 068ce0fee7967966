/// Sizes of the stored recordings, for monitoring.
public struct BlobTotals: Sendable, Equatable {
    /// Distinct blobs the index refers to.
    public var blobs: Int64
    /// Their original size.
    public var bytes: Int64
    /// Their size on disk, compressed.
    public var storedBytes: Int64

    public init(blobs: Int64, bytes: Int64, storedBytes: Int64) {
        self.blobs = blobs
        self.bytes = bytes
        self.storedBytes = storedBytes
    }
}
