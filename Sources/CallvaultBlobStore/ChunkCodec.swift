import CZlib

/// How one chunk is laid out before deflate. Stored in the blob header.
enum ChunkCodec: UInt32 {
    /// The bytes as they are, deflated with the default strategy.
    case plain = 0
    /// 16-bit words as deltas from the previous word, split into a low-byte plane and a
    /// high-byte plane (each ending a deflate block), deflated with `Z_RLE`.
    case delta16Planes = 1

    var strategy: Int32 { self == .plain ? Z_DEFAULT_STRATEGY : Z_RLE }

    /// Transforms `chunk` into `planes` (same length) for compression; returns the split point.
    static func encodeDelta16(_ chunk: UnsafeRawBufferPointer, into planes: UnsafeMutableRawBufferPointer) -> Int {
        let words = chunk.count / 2
        var previous: UInt16 = 0
        for i in 0..<words {
            let sample = UInt16(chunk[2 * i]) | UInt16(chunk[2 * i + 1]) << 8
            let delta = sample &- previous
            previous = sample
            planes[i] = UInt8(truncatingIfNeeded: delta)
            planes[words + i] = UInt8(truncatingIfNeeded: delta >> 8)
        }
        if chunk.count & 1 == 1 { planes[chunk.count - 1] = chunk[chunk.count - 1] }
        return words
    }

    /// Inverts `encodeDelta16`.
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
/// header (64 bytes) · compressed chunks · chunk index (16 bytes per chunk) · trailer (16 bytes).
enum BlobLayout {
    static let magic = Array("CVBLOB01".utf8)
    static let trailerMagic = Array("CVBE".utf8)
    static let headerSize = 64
    static let indexEntrySize = 16
    static let trailerSize = 16
    static let defaultChunkSize = 256 * 1024

    struct Header {
        var codec: ChunkCodec
        var chunkSize: Int
        var originalSize: Int64
        var sha256: [UInt8]

        func encoded() -> [UInt8] {
            var out = magic
            out.appendLE(UInt32(1))
            out.appendLE(codec.rawValue)
            out.appendLE(UInt32(chunkSize))
            out.appendLE(UInt32(0))
            out.appendLE(UInt64(originalSize))
            out.append(contentsOf: sha256.count == 32 ? sha256 : [UInt8](repeating: 0, count: 32))
            return out
        }

        init(codec: ChunkCodec, chunkSize: Int, originalSize: Int64, sha256: [UInt8]) {
            self.codec = codec
            self.chunkSize = chunkSize
            self.originalSize = originalSize
            self.sha256 = sha256
        }

        init?(_ bytes: [UInt8]) {
            guard bytes.count >= headerSize, Array(bytes[0..<8]) == magic, bytes.readLE32(8) == 1,
                  let codec = ChunkCodec(rawValue: bytes.readLE32(12)) else { return nil }
            let chunkSize = Int(bytes.readLE32(16))
            guard chunkSize > 0, chunkSize <= 64 << 20 else { return nil }
            guard let originalSize = Int64(exactly: bytes.readLE64(24)), originalSize <= Int64(1) << 50 else { return nil }
            self.init(codec: codec, chunkSize: chunkSize, originalSize: originalSize, sha256: Array(bytes[32..<64]))
        }
    }

    struct ChunkEntry {
        var offset: UInt64
        var length: UInt32
        var crc: UInt32
    }
}

extension Array where Element == UInt8 {
    mutating func appendLE(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    mutating func appendLE(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }

    func readLE32(_ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(self[at + $1]) << UInt32(8 * $1) }
    }

    func readLE64(_ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(self[at + $1]) << UInt64(8 * $1) }
    }
}
