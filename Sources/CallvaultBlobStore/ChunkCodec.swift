import CallvaultModel
import CallvaultZlib
import Crypto

/// How the chunks of a blob are coded. Stored in the blob header; `put` writes `.modelled`,
/// the older codecs stay readable.
enum ChunkCodec: UInt32 {
    /// Read only: the bytes as they are, a zlib stream.
    case plain = 0
    /// Read only: 16-bit words as deltas from the previous word, split into a low-byte plane and
    /// a high-byte plane, one zlib stream.
    case delta16Planes = 1
    /// Each chunk says how it is coded (`AudioChunkFormat`): raw deflate, or its samples
    /// modelled by linear prediction.
    case modelled = 2

    /// Inverts codec 1's transform: 16-bit deltas in a low-byte and a high-byte plane.
    static func decodeDelta16(_ planes: UnsafeRawBufferPointer, into chunk: UnsafeMutableRawBufferPointer) {
        let words = planes.count / 2
        var previous: UInt16 = 0
        for i in 0..<words {
            let delta = UInt16(planes[i]) | UInt16(planes[words + i]) << 8
            let sample = previous &+ delta
            previous = sample
            chunk[2 * i] = UInt8(truncatingIfNeeded: sample)
            chunk[2 * i + 1] = UInt8(truncatingIfNeeded: sample >> 8)
        }
        if planes.count & 1 == 1 { chunk[planes.count - 1] = planes[planes.count - 1] }
    }
}

/// The on-disk layout of a blob:
/// header (64 bytes) · compressed chunks · chunk index · trailer.
///
/// Format 2 (written today): each index entry (48 bytes) holds the chunk's offset, compressed
/// length and the SHA-256 of its original bytes (bound to the chunk's number); the trailer
/// (48 bytes) holds the *root*, a SHA-256 over the blob's address, its header fields and every
/// index entry in order. A reader checks that the header names the address it was asked for
/// and that the root matches before it trusts the index, then checks each chunk it decompresses
/// against its digest: a range read of any chunk is proven without reading the rest.
///
/// Format 1 (read only): 16-byte entries with a CRC-32 per chunk and a 16-byte trailer; only
/// the whole-blob SHA-256 is strong, so a reader proves a format-1 blob whole before serving
/// any range of it.
enum BlobLayout {
    static let magic = Array("CVBLOB01".utf8)
    static let trailerMagic = Array("CVBE".utf8)
    static let headerSize = 64
    static let defaultChunkSize = 256 * 1024
    /// The format `put` writes.
    static let currentVersion: UInt32 = 2

    static func indexEntrySize(_ version: UInt32) -> Int { version == 1 ? 16 : 48 }
    static func trailerSize(_ version: UInt32) -> Int { version == 1 ? 16 : 48 }

    struct Header {
        var version: UInt32
        var codec: ChunkCodec
        var chunkSize: Int
        var originalSize: Int64
        var sha256: [UInt8]

        func encoded() -> [UInt8] {
            var out = magic
            out.appendLE(version)
            out.appendLE(codec.rawValue)
            out.appendLE(UInt32(chunkSize))
            out.appendLE(UInt32(0))
            out.appendLE(UInt64(originalSize))
            out.append(contentsOf: sha256.count == 32 ? sha256 : [UInt8](repeating: 0, count: 32))
            return out
        }

        init(version: UInt32 = currentVersion, codec: ChunkCodec, chunkSize: Int, originalSize: Int64, sha256: [UInt8]) {
            self.version = version
            self.codec = codec
            self.chunkSize = chunkSize
            self.originalSize = originalSize
            self.sha256 = sha256
        }

        init?(_ bytes: [UInt8]) {
            guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic else { return nil }
            let version = bytes.readLE32(8)
            guard version == 1 || version == 2, let codec = ChunkCodec(rawValue: bytes.readLE32(12)) else { return nil }
            let chunkSize = Int(bytes.readLE32(16))
            guard chunkSize > 0, chunkSize <= 64 << 20 else { return nil }
            guard let originalSize = Int64(exactly: bytes.readLE64(24)), originalSize <= Int64(1) << 50 else { return nil }
            self.init(version: version, codec: codec, chunkSize: chunkSize, originalSize: originalSize, sha256: Array(bytes[32..<64]))
        }

        /// How many chunks a blob of this size has.
        var chunkCount: Int {
            originalSize == 0 ? 0 : Int((originalSize + Int64(chunkSize) - 1) / Int64(chunkSize))
        }
    }

    struct ChunkEntry {
        var offset: UInt64
        var length: UInt32
        /// Format 1: CRC-32 of the original bytes; format 2: reserved (0).
        var crc: UInt32
        /// Format 2: `chunkDigest` of the original bytes.
        var digest: [UInt8]

        func encoded(_ version: UInt32) -> [UInt8] {
            var out: [UInt8] = []
            out.appendLE(offset)
            out.appendLE(length)
            out.appendLE(crc)
            if version != 1 { out.append(contentsOf: digest) }
            return out
        }

        init(offset: UInt64, length: UInt32, crc: UInt32 = 0, digest: [UInt8] = []) {
            self.offset = offset
            self.length = length
            self.crc = crc
            self.digest = digest
        }

        init(_ bytes: [UInt8], at base: Int, version: UInt32) {
            self.init(offset: bytes.readLE64(base), length: bytes.readLE32(base + 8),
                      crc: bytes.readLE32(base + 12),
                      digest: version == 1 ? [] : Array(bytes[(base + 16)..<(base + 48)]))
        }
    }

    /// The SHA-256 of chunk `number`'s original bytes, bound to its place in the blob.
    static func chunkDigest(_ bytes: UnsafeRawBufferPointer, number: Int) -> [UInt8] {
        var hasher = SHA256()
        var prefix = Array("CVCHUNK2".utf8)
        prefix.appendLE(UInt64(number))
        hasher.update(data: prefix)
        hasher.update(bufferPointer: bytes)
        return Array(hasher.finalize())
    }

    /// The root of a format-2 blob: binds every index entry (offset, length, digest), in order,
    /// to the blob's address and the header fields that decide how chunks decode.
    static func root(of header: Header, entries: [ChunkEntry]) -> [UInt8] {
        var hasher = SHA256()
        var fields = Array("CVROOT02".utf8)
        fields.append(contentsOf: header.sha256)
        fields.appendLE(UInt64(header.originalSize))
        fields.appendLE(UInt32(header.chunkSize))
        fields.appendLE(header.codec.rawValue)
        fields.appendLE(UInt64(entries.count))
        hasher.update(data: fields)
        for entry in entries { hasher.update(data: entry.encoded(header.version)) }
        return Array(hasher.finalize())
    }

    /// The trailer: (format 2: root ·) index offset · chunk count · magic.
    static func trailer(version: UInt32, root: [UInt8], indexOffset: Int64, count: Int) -> [UInt8] {
        var out: [UInt8] = version == 1 ? [] : root
        out.appendLE(UInt64(indexOffset))
        out.appendLE(UInt32(count))
        out.append(contentsOf: trailerMagic)
        return out
    }
}
