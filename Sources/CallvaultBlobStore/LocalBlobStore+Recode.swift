public import Foundation
import CallvaultZlib
#if canImport(Glibc)
import Glibc
#endif

extension LocalBlobStore {
    public func isCodedWithAnOlderCodec(_ sha256: String) throws(BlobStoreError) -> Bool {
        let header = try openReader(sha256).header
        return header.version != BlobLayout.currentVersion || header.codec != .modelled
    }

    public func storedSize(of sha256: String) throws(BlobStoreError) -> Int64 {
        var st = stat()
        guard Self.isBlobName(sha256), stat(path(for: sha256).path, &st) == 0 else {
            if errno == ENOENT || !Self.isBlobName(sha256) { throw .notFound(sha256: sha256) }
            throw .io("cannot stat blob \(sha256): \(errnoText())")
        }
        return Int64(st.st_size)
    }

    public func estimateRecoded(_ sha256: String, hint: CompressionHint, sampleChunks: Int) throws(BlobStoreError) -> Int64 {
        let blob = try openReader(sha256)
        let count = blob.entries.count
        guard count > 0 else { return try storedSize(of: sha256) }
        let picks = Set((0..<min(count, max(1, sampleChunks))).map { $0 * count / min(count, max(1, sampleChunks)) })
        let scratch = try ChunkDecoding(chunkSize: blob.header.chunkSize)
        let encoder = try BlobStoreError.zlib { () throws(ZlibError) in try AudioChunkEncoder() }
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: blob.header.chunkSize, alignment: 8)
        defer { chunk.deallocate() }
        let samples: AudioSamples? = if case .audio(let samples) = hint { samples } else { nil }
        var original: Int64 = 0, coded: Int64 = 0
        for i in picks.sorted() {
            let bytes = try blob.decode(i, into: chunk, using: scratch)
            guard blob.isIntact(bytes, chunk: i) else { throw .corrupt(sha256: sha256, reason: "chunk \(i) fails its checksum") }
            let payload = try BlobStoreError.zlib { () throws(ZlibError) in
                try encoder.encode(bytes, at: Int64(i) * Int64(blob.header.chunkSize), samples: samples)
            }
            original += Int64(bytes.count)
            coded += Int64(payload.count)
        }
        let layout = Int64(BlobLayout.headerSize + BlobLayout.trailerSize(BlobLayout.currentVersion)
                           + count * BlobLayout.indexEntrySize(BlobLayout.currentVersion))
        return layout + Int64((Double(coded) / Double(max(1, original)) * Double(blob.size)).rounded())
    }

    public func stageRecoded(_ sha256: String, hint: CompressionHint) throws -> RecodedBlob {
        let before = try storedSize(of: sha256)
        try ensureFolder(temporaryFolder)
        // The original, proven chunk by chunk and whole, in a temporary file; then coded anew.
        let original = temporaryFolder.appendingPathComponent("blob-\(UUID().uuidString).original.tmp")
        let fd = Glibc.open(original.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BlobStoreError.io("cannot create \(original.path): \(errnoText())") }
        defer { unlink(original.path) }
        do {
            defer { close(fd) }
            _ = try extractChecked(sha256, into: fd)
        }
        let staged = try stage(contentsOf: original, hint: hint)
        do {
            guard staged.sha256 == sha256 else {
                throw BlobStoreError.corrupt(sha256: sha256, reason: "re-reading the blob gave other bytes (\(staged.sha256.prefix(16))…)")
            }
            // The new copy is read back whole (every chunk against its digest, the content against
            // its SHA-256) before anything may put it in place.
            try LocalBlobReader(path: staged.path.path, sha256: sha256).stream(nil) { _ in }
        } catch {
            unlink(staged.path.path)
            throw error
        }
        return RecodedBlob(sha256: sha256, bytes: staged.bytes, storedBefore: before, storedAfter: staged.storedBytes,
                           stagedPath: staged.path.path)
    }

    public func replace(with recoded: RecodedBlob) throws(BlobStoreError) {
        guard contains(recoded.sha256) else {
            discard(recoded)
            throw .notFound(sha256: recoded.sha256)
        }
        try install(StagedFile(path: URL(fileURLWithPath: recoded.stagedPath), sha256: recoded.sha256,
                               bytes: recoded.bytes, storedBytes: recoded.storedAfter))
    }

    public func discard(_ recoded: RecodedBlob) {
        unlink(recoded.stagedPath)
    }
}
