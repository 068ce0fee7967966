import Foundation
import Crypto
import CallvaultModel
import CallvaultZlib
#if canImport(Glibc)
import Glibc
#endif

/// An open local blob file whose header and chunk index were checked against the address it
/// was opened for (see `BlobLayout`). The descriptor stays open for the reader's life, so a
/// file renamed over the blob afterwards is not read.
final class LocalBlobReader: BlobReader, @unchecked Sendable {
    // @unchecked: every stored property is immutable after init, and `pread` on a shared
    // descriptor is safe from any thread.
    let sha256: String
    let fd: Int32
    let header: BlobLayout.Header
    let entries: [BlobLayout.ChunkEntry]

    var size: Int64 { header.originalSize }
    var preferredReadSize: Int64 { Int64(header.chunkSize) }

    /// Opens `path` as the blob `sha256`: `notFound` when there is no file, `corrupt` when the
    /// file is not that blob or its layout is damaged.
    init(path: String, sha256: String) throws(BlobStoreError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .notFound(sha256: sha256) }
            throw .io("cannot open blob \(sha256): \(errnoText())")
        }
        do {
            (header, entries) = try Self.layout(of: fd, sha256: sha256)
        } catch {
            close(fd)
            throw error
        }
        self.fd = fd
        self.sha256 = sha256
    }

    deinit { close(fd) }

    private static func layout(of fd: Int32, sha256: String) throws(BlobStoreError) -> (BlobLayout.Header, [BlobLayout.ChunkEntry]) {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io("cannot stat blob \(sha256): \(errnoText())") }
        let fileSize = Int64(st.st_size)
        guard fileSize >= Int64(BlobLayout.headerSize + BlobLayout.trailerSize(1)) else {
            throw .corrupt(sha256: sha256, reason: "file is shorter than a blob header")
        }
        guard let header = BlobLayout.Header(try readAt(fd, count: BlobLayout.headerSize, at: 0)) else {
            throw .corrupt(sha256: sha256, reason: "bad header")
        }
        // The file must be the blob the index asked for, whatever its chunks say.
        guard header.sha256.hexString == sha256 else {
            throw .corrupt(sha256: sha256, reason: "the file holds another blob (\(header.sha256.hexString.prefix(16))…): swapped, misnamed or a damaged header")
        }
        let trailerSize = BlobLayout.trailerSize(header.version), entrySize = BlobLayout.indexEntrySize(header.version)
        guard fileSize >= Int64(BlobLayout.headerSize + trailerSize) else {
            throw .corrupt(sha256: sha256, reason: "file is shorter than a blob header and trailer")
        }
        let trailer = try readAt(fd, count: trailerSize, at: fileSize - Int64(trailerSize))
        let tail = trailerSize - 16
        guard Array(trailer[(tail + 12)..<(tail + 16)]) == BlobLayout.trailerMagic else {
            throw .corrupt(sha256: sha256, reason: "bad trailer (truncated file?)")
        }
        guard let indexOffset = Int64(exactly: trailer.readLE64(tail)), indexOffset <= fileSize else {
            throw .corrupt(sha256: sha256, reason: "bad trailer (index offset)")
        }
        let count = Int(trailer.readLE32(tail + 8))
        guard count == header.chunkCount, indexOffset + Int64(count * entrySize + trailerSize) == fileSize else {
            throw .corrupt(sha256: sha256, reason: "chunk index does not match the file")
        }
        let index = try readAt(fd, count: count * entrySize, at: indexOffset)
        var entries: [BlobLayout.ChunkEntry] = []
        entries.reserveCapacity(count)
        for i in 0..<count {
            let entry = BlobLayout.ChunkEntry(index, at: i * entrySize, version: header.version)
            guard let offset = Int64(exactly: entry.offset), offset >= Int64(BlobLayout.headerSize),
                  Int(entry.length) <= 2 * header.chunkSize + 4096, offset + Int64(entry.length) <= indexOffset else {
                throw .corrupt(sha256: sha256, reason: "chunk \(i) lies outside the file")
            }
            entries.append(entry)
        }
        if header.version != 1, BlobLayout.root(of: header, entries: entries) != Array(trailer[0..<32]) {
            throw .corrupt(sha256: sha256, reason: "the chunk index does not belong to this blob (root mismatch)")
        }
        return (header, entries)
    }

    /// The original length of chunk `i`.
    func length(ofChunk i: Int) -> Int {
        Int(min(Int64(header.chunkSize), header.originalSize - Int64(i) * Int64(header.chunkSize)))
    }

    /// Decodes chunk `i` into `chunk` with `scratch`. The bytes are not yet checked: see `isIntact`.
    func decode(_ i: Int, into chunk: UnsafeMutableRawBufferPointer, using scratch: ChunkDecoding) throws(BlobStoreError) -> UnsafeRawBufferPointer {
        let entry = entries[i], length = length(ofChunk: i)
        let compressed = try readAt(fd, count: Int(entry.length), at: Int64(entry.offset))
        let target = UnsafeMutableRawBufferPointer(rebasing: chunk[0..<length])
        let ok = compressed.withUnsafeBytes { payload in
            switch header.codec {
            case .plain:
                return scratch.inflater.inflate(payload, into: target)
            case .delta16Planes:
                let planes = UnsafeMutableRawBufferPointer(rebasing: scratch.planes[0..<length])
                guard scratch.inflater.inflate(payload, into: planes) else { return false }
                ChunkCodec.decodeDelta16(UnsafeRawBufferPointer(planes), into: target)
                return true
            case .modelled:
                return scratch.audio.decode(payload, into: target)
            }
        }
        guard ok else { throw .corrupt(sha256: sha256, reason: "chunk \(i) does not decompress") }
        return UnsafeRawBufferPointer(target)
    }

    /// Whether `bytes`, decoded from chunk `i`, are the bytes stored there: its SHA-256 digest
    /// (format 2) or CRC-32 (format 1, whose blobs are proven whole before a range is served).
    func isIntact(_ bytes: UnsafeRawBufferPointer, chunk i: Int) -> Bool {
        header.version == 1 ? CRC32.of(bytes) == entries[i].crc : BlobLayout.chunkDigest(bytes, number: i) == entries[i].digest
    }

    func read(_ range: ClosedRange<Int64>, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        try stream(range, body)
    }

    /// Streams `range` (nil: the whole blob, also checked against its SHA-256 before the last
    /// chunk is handed out) chunk by chunk; each chunk is checked before any byte of it leaves.
    func stream(_ range: ClosedRange<Int64>?, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let range, range.lowerBound < 0 || range.upperBound >= size {
            throw BlobStoreError.rangeNotSatisfiable(requested: "\(range.lowerBound)-\(range.upperBound)", size: size)
        }
        if size == 0 {
            guard Array(SHA256.hash(data: Data())) == header.sha256 else {
                throw BlobStoreError.corrupt(sha256: sha256, reason: "SHA-256 mismatch")
            }
            return
        }
        let wanted = range ?? 0...(size - 1)
        let chunkSize = Int64(header.chunkSize)
        let first = Int(wanted.lowerBound / chunkSize), last = Int(wanted.upperBound / chunkSize)
        let scratch = try ChunkDecoding(chunkSize: header.chunkSize)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: header.chunkSize, alignment: 8)
        defer { chunk.deallocate() }
        var hasher = range == nil ? SHA256() : nil
        for i in first...last {
            let original = try decode(i, into: chunk, using: scratch)
            guard isIntact(original, chunk: i) else {
                throw BlobStoreError.corrupt(sha256: sha256, reason: "chunk \(i) fails its checksum")
            }
            hasher?.update(bufferPointer: original)
            if hasher != nil, i == last {
                // A full read: nothing of the last chunk is handed out before the SHA-256 matches.
                guard Array(hasher!.finalize()) == header.sha256 else {
                    throw BlobStoreError.corrupt(sha256: sha256, reason: "SHA-256 of the content does not match")
                }
            }
            let chunkStart = Int64(i) * chunkSize
            let from = Int(max(wanted.lowerBound, chunkStart) - chunkStart)
            let to = Int(min(wanted.upperBound, chunkStart + Int64(original.count) - 1) - chunkStart)
            try body(UnsafeRawBufferPointer(rebasing: original[from...to]))
        }
    }
}

/// What decoding the chunks of a blob needs, kept between chunks; one per thread.
final class ChunkDecoding {
    let inflater: Inflater
    /// The byte planes of a `delta16Planes` chunk.
    let planes: UnsafeMutableRawBufferPointer
    let audio: AudioChunkDecoder

    init(chunkSize: Int) throws(BlobStoreError) {
        (inflater, audio) = try BlobStoreError.zlib { () throws(ZlibError) in (try Inflater(), try AudioChunkDecoder()) }
        planes = .allocate(byteCount: chunkSize, alignment: 8)
    }

    deinit { planes.deallocate() }
}
