public import Foundation

/// What a put stored.
public struct StoredBlob: Sendable, Equatable {
    /// SHA-256 of the original bytes, lowercase hex: the blob's name.
    public var sha256: String
    /// Size of the original.
    public var bytes: Int64
    /// Size on disk after compression.
    public var storedBytes: Int64
    /// False when the store already held these bytes (put is idempotent).
    public var isNew: Bool
}

/// Content-addressed storage of recordings.
///
/// Contract (the conformance suite checks it for every store): `put` is idempotent and
/// durable before it returns; every read returns the original bytes exactly, and a blob whose
/// bytes no longer match their SHA-256 is reported as corrupt, never returned; after `remove`
/// a read fails with `notFound`.
public protocol BlobStore: Sendable {
    /// Stores the file at `url`, streaming it with constant memory.
    func put(contentsOf url: URL, hint: CompressionHint) throws(BlobStoreError) -> StoredBlob
    /// Whether the blob exists.
    func contains(_ sha256: String) -> Bool
    /// The original size of a stored blob.
    func size(of sha256: String) throws(BlobStoreError) -> Int64
    /// Opens a blob for reads of any range. Throws `notFound`, or `corrupt` when the stored file
    /// is not the blob named `sha256` (a swapped file, a damaged header or chunk index).
    func open(_ sha256: String) throws(BlobStoreError) -> any BlobReader
    /// Streams the original bytes of `range` (all of them when nil) to `body`, chunk by chunk;
    /// no byte is handed out before the chunk holding it is proven to belong to `sha256`, and a
    /// full read also checks the SHA-256 of the whole.
    func read(_ sha256: String, range: ClosedRange<Int64>?, _ body: (UnsafeRawBufferPointer) throws -> Void) throws
    /// Writes the original bytes to `url` (via a temp file, so a corrupt blob leaves nothing behind).
    func extract(_ sha256: String, to url: URL) throws -> Int64
    /// Re-reads the whole blob against its SHA-256.
    func verify(_ sha256: String) throws(BlobStoreError)
    /// Deletes a blob.
    /// - Warning: destroys data; the index row must be gone (committed) first.
    func remove(_ sha256: String) throws(BlobStoreError)
    /// Names of all stored blobs.
    func allBlobs() throws(BlobStoreError) -> [String]
    /// Removes leftovers of interrupted writes; returns how many.
    func removeStaleTemporaries() throws(BlobStoreError) -> Int
    /// Moves a blob out of the store, exactly as stored (also when damaged), to `destination`, a
    /// new file outside the store: it is in place and synced there before the store stops holding
    /// it, so a crash leaves it in one place or both, never in neither (repair's quarantine).
    func moveOut(_ sha256: String, to destination: URL) throws(BlobStoreError)
}

/// An opened blob. The file it opened stays the one it reads (a file swapped in after `open`
/// is not seen), and every chunk is proven against the blob's address before a byte of it is
/// handed out.
public protocol BlobReader: Sendable {
    /// SHA-256 of the original bytes: the blob's address.
    var sha256: String { get }
    /// The original size.
    var size: Int64 { get }
    /// Reads of ranges aligned to this size (the stored chunk size) decode each stored piece once.
    var preferredReadSize: Int64 { get }
    /// Hands the original bytes of `range` (within `0..<size`) to `body`, piece by piece.
    func read(_ range: ClosedRange<Int64>, _ body: (UnsafeRawBufferPointer) throws -> Void) throws
}

/// How the bytes of a recording are best compressed.
public enum CompressionHint: Sendable {
    /// Plain zlib.
    case generic
    /// 16-bit little-endian PCM: sample deltas in byte planes compress far better.
    case pcm16
}
