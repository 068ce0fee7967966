import Foundation
import Crypto
import CallvaultModel
import CallvaultZlib

/// Writes blobs in the layouts callvault wrote before today's (format 1 with CRC-32 chunks;
/// format 2 with codec 0, plain zlib, or codec 1, 16-bit delta planes), byte for byte as it
/// wrote them: the fixtures that prove old blobs stay readable and that `recompress` upgrades
/// them. Not used by any write path.
enum LegacyBlobWriter {
    /// Stores `original` in `store` in the given older layout; returns its address.
    static func write(_ original: [UInt8], version: UInt32, codec: ChunkCodec, chunkSize: Int,
                      into store: LocalBlobStore) throws -> String {
        precondition(codec != .modelled, "today's codec is written by put")
        let digest = Array(SHA256.hash(data: original))
        let deflater = try Deflater(level: 6, strategy: codec == .delta16Planes ? .runLength : .standard)
        var body: [UInt8] = [], entries: [BlobLayout.ChunkEntry] = []
        for start in stride(from: 0, to: original.count, by: chunkSize) {
            let chunk = Array(original[start..<min(original.count, start + chunkSize)])
            var compressed: [UInt8] = []
            deflater.reset()
            if codec == .delta16Planes {
                let planes = delta16Planes(chunk), words = chunk.count / 2
                try planes.withUnsafeBytes {
                    try deflater.compress(UnsafeRawBufferPointer(rebasing: $0[0..<words]), flush: .block, into: &compressed)
                    try deflater.compress(UnsafeRawBufferPointer(rebasing: $0[words...]), flush: .finish, into: &compressed)
                }
            } else {
                try chunk.withUnsafeBytes { try deflater.compress($0, flush: .finish, into: &compressed) }
            }
            let number = entries.count
            entries.append(.init(offset: UInt64(BlobLayout.headerSize + body.count), length: UInt32(compressed.count),
                                 crc: version == 1 ? chunk.withUnsafeBytes { CRC32.of($0) } : 0,
                                 digest: version == 1 ? [] : chunk.withUnsafeBytes { BlobLayout.chunkDigest($0, number: number) }))
            body += compressed
        }
        let header = BlobLayout.Header(version: version, codec: codec, chunkSize: chunkSize,
                                       originalSize: Int64(original.count), sha256: digest)
        var file = header.encoded() + body
        let indexOffset = Int64(file.count)
        for entry in entries { file += entry.encoded(version) }
        file += BlobLayout.trailer(version: version, root: version == 1 ? [] : BlobLayout.root(of: header, entries: entries),
                                   indexOffset: indexOffset, count: entries.count)
        let url = store.path(for: digest.hexString)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(file).write(to: url)
        return digest.hexString
    }

    /// Codec 1's transform: 16-bit words as deltas, low bytes then high bytes (odd byte last).
    static func delta16Planes(_ chunk: [UInt8]) -> [UInt8] {
        let words = chunk.count / 2
        var planes = [UInt8](repeating: 0, count: chunk.count)
        var previous: UInt16 = 0
        for i in 0..<words {
            let sample = UInt16(chunk[2 * i]) | UInt16(chunk[2 * i + 1]) << 8
            let delta = sample &- previous
            previous = sample
            planes[i] = UInt8(truncatingIfNeeded: delta)
            planes[words + i] = UInt8(truncatingIfNeeded: delta >> 8)
        }
        if chunk.count & 1 == 1 { planes[chunk.count - 1] = chunk[chunk.count - 1] }
        return planes
    }
}
