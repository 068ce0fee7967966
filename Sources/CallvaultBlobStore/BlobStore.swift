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

    // MARK: recoding (`callvault recompress`)

    /// Whether the blob is stored in an older layout or codec than `put` writes today.
    func isCodedWithAnOlderCodec(_ sha256: String) throws(BlobStoreError) -> Bool
    /// The bytes the blob takes in the store.
    func storedSize(of sha256: String) throws(BlobStoreError) -> Int64
    /// The stored size the blob would have with today's codec, estimated by coding
    /// `sampleChunks` chunks spread over it.
    func estimateRecoded(_ sha256: String, hint: CompressionHint, sampleChunks: Int) throws(BlobStoreError) -> Int64
    /// Codes the blob anew with today's codec into a staged copy beside the store, which is
    /// read back whole against the blob's SHA-256 before it is returned. The stored blob is
    /// untouched until `replace(with:)`.
    func stageRecoded(_ sha256: String, hint: CompressionHint) throws -> RecodedBlob
    /// Puts a staged copy in place of the stored blob in one atomic step; `notFound` (and the
    /// copy discarded) when the blob is no longer stored, so a removed blob never comes back.
    func replace(with recoded: RecodedBlob) throws(BlobStoreError)
    /// Drops a staged copy.
    func discard(_ recoded: RecodedBlob)
}

/// A blob coded anew and proven, staged beside the store (see `BlobStore.stageRecoded`).
public struct RecodedBlob: Sendable, Equatable {
    public var sha256: String
    /// The original size.
    public var bytes: Int64
    /// Bytes in the store now, and with the new coding.
    public var storedBefore: Int64
    public var storedAfter: Int64
    /// Where the staged copy is.
    var stagedPath: String
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
public enum CompressionHint: Sendable, Equatable {
    /// Plain zlib.
    case generic
    /// A recording whose samples are described: each chunk's samples are modelled (linear
    /// prediction, G.711 awareness). Exact whatever the description says: a wrong one only
    /// costs size.
    case audio(AudioSamples)

    /// Mono 16-bit little-endian PCM from the first byte (tests and headerless files).
    public static var pcm16: CompressionHint { .audio(AudioSamples(encoding: .pcm16, channels: 1, dataOffset: 0)) }
}

/// Where the samples of a recording lie in its file, and how they are encoded: what its WAV
/// header says.
public struct AudioSamples: Sendable, Equatable {
    public enum Encoding: Sendable, Equatable {
        /// 16-bit little-endian linear PCM.
        case pcm16
        /// 8-bit G.711 A-law codes.
        case aLaw
        /// 8-bit G.711 µ-law codes.
        case muLaw
    }

    public var encoding: Encoding
    /// Interleaved channels.
    public var channels: Int
    /// Offset of the first sample in the file.
    public var dataOffset: Int64
    /// Bytes of sample data, nil when the samples run to the end of the file.
    public var dataBytes: Int64?

    public init(encoding: Encoding, channels: Int, dataOffset: Int64, dataBytes: Int64? = nil) {
        self.encoding = encoding
        self.channels = channels
        self.dataOffset = dataOffset
        self.dataBytes = dataBytes
    }
}
