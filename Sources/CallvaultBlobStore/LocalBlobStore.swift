public import Foundation
import Crypto
import CallvaultModel
import CallvaultZlib
#if canImport(Glibc)
import Glibc
#endif

/// Blobs as files under `blobs/ab/cd/<sha256>`, written through `tmp/` in the durable order:
/// temp file written and fsynced, renamed into place, folder fsynced. Removal deletes the file
/// and fsyncs its folder.
public struct LocalBlobStore: BlobStore {
    public let root: URL
    public let temporaryFolder: URL
    let chunkSize: Int
    /// Called after each durable step of a put; a test throws or exits here to simulate a crash.
    let faultSeam: @Sendable (BlobWriteStep) throws(BlobStoreError) -> Void

    /// Creates a store in `root`, staging writes in `temporaryFolder` (same file system);
    /// `chunkSize` (tests) overrides the size of the stored chunks.
    public init(root: URL, temporaryFolder: URL, chunkSize: Int? = nil,
                faultSeam: @escaping @Sendable (BlobWriteStep) throws(BlobStoreError) -> Void = { _ throws(BlobStoreError) in }) {
        self.root = root
        self.temporaryFolder = temporaryFolder
        self.chunkSize = chunkSize ?? BlobLayout.defaultChunkSize
        self.faultSeam = faultSeam
    }

    func path(for sha: String) -> URL {
        let s = Array(sha)
        return root.appendingPathComponent(String(s[0..<2])).appendingPathComponent(String(s[2..<4])).appendingPathComponent(sha)
    }

    static func isBlobName(_ name: String) -> Bool {
        name.count == 64 && name.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }

    public func contains(_ sha256: String) -> Bool {
        Self.isBlobName(sha256) && FileManager.default.fileExists(atPath: path(for: sha256).path)
    }

    // MARK: put

    public func put(contentsOf url: URL, hint: CompressionHint) throws(BlobStoreError) -> StoredBlob {
        let staged = try stage(contentsOf: url, hint: hint)
        var installed = false
        defer { if !installed { unlink(staged.path.path) } }
        let destination = path(for: staged.sha256)
        if FileManager.default.fileExists(atPath: destination.path) {
            // The same bytes are stored already, unless that copy is damaged or of the older
            // format (CRC-32 chunks): then this one replaces it.
            if (try? verify(staged.sha256)) != nil,
               (try? LocalBlobReader(path: destination.path, sha256: staged.sha256))?.header.version == BlobLayout.currentVersion {
                return StoredBlob(sha256: staged.sha256, bytes: staged.bytes, storedBytes: staged.storedBytes, isNew: false)
            }
        }
        try install(staged)
        installed = true
        return StoredBlob(sha256: staged.sha256, bytes: staged.bytes, storedBytes: staged.storedBytes, isNew: true)
    }

    /// A blob written and fsynced in the temporary folder, not yet in place.
    struct StagedFile {
        var path: URL
        var sha256: String
        var bytes: Int64
        var storedBytes: Int64
    }

    /// Codes the file at `url` into a new temporary blob, fsynced; the caller installs or removes it.
    func stage(contentsOf url: URL, hint: CompressionHint) throws(BlobStoreError) -> StagedFile {
        let input = Glibc.open(url.path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .io("cannot open \(url.lastPathComponent) for reading: \(errnoText())") }
        defer { close(input) }
        try ensureFolder(temporaryFolder)
        let tempURL = temporaryFolder.appendingPathComponent("blob-\(UUID().uuidString).tmp")
        let output = Glibc.open(tempURL.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw .io("cannot create \(tempURL.path): \(errnoText())") }
        var staged = false
        defer {
            close(output)
            if !staged { unlink(tempURL.path) }
        }
        let samples: AudioSamples? = if case .audio(let samples) = hint { samples } else { nil }
        var hasher = SHA256()
        var header = BlobLayout.Header(codec: .modelled, chunkSize: chunkSize, originalSize: 0, sha256: [])
        try writeAll(output, header.encoded(), at: 0)
        var writeOffset = Int64(BlobLayout.headerSize)
        var entries: [BlobLayout.ChunkEntry] = []
        var total: Int64 = 0
        let pipeline = try ChunkPipeline(chunkSize: chunkSize)
        while true {
            let batch = try pipeline.readBatch(input, name: url.lastPathComponent)
            if batch.isEmpty { break }
            let coded = try pipeline.encode(batch, firstOffset: total, firstNumber: entries.count, samples: samples, hasher: &hasher)
            for piece in coded {
                entries.append(.init(offset: UInt64(writeOffset), length: UInt32(piece.payload.count), digest: piece.digest))
                try writeAll(output, piece.payload, at: writeOffset)
                writeOffset += Int64(piece.payload.count)
            }
            total += Int64(batch.reduce(0) { $0 + $1.count })
        }
        let digest = Array(hasher.finalize())
        let sha = digest.hexString
        header.originalSize = total
        header.sha256 = digest
        var tail: [UInt8] = []
        tail.reserveCapacity(entries.count * BlobLayout.indexEntrySize(header.version) + BlobLayout.trailerSize(header.version))
        for entry in entries { tail.append(contentsOf: entry.encoded(header.version)) }
        tail.append(contentsOf: BlobLayout.trailer(version: header.version, root: BlobLayout.root(of: header, entries: entries),
                                                   indexOffset: writeOffset, count: entries.count))
        try writeAll(output, tail, at: writeOffset)
        try writeAll(output, header.encoded(), at: 0)
        let storedBytes = writeOffset + Int64(tail.count)
        try faultSeam(.tempWritten)
        guard fsync(output) == 0 else { throw .io("fsync of the temporary blob failed: \(errnoText())") }
        try faultSeam(.tempSynced)

        staged = true
        return StagedFile(path: tempURL, sha256: sha, bytes: total, storedBytes: storedBytes)
    }

    /// Renames a staged blob into place (replacing what is there) and syncs the folder.
    func install(_ staged: StagedFile) throws(BlobStoreError) {
        let destination = path(for: staged.sha256)
        try ensureFolder(destination.deletingLastPathComponent())
        guard rename(staged.path.path, destination.path) == 0 else { throw .io("cannot move the blob into place: \(errnoText())") }
        try faultSeam(.renamed)
        try syncFolder(destination.deletingLastPathComponent())
        try faultSeam(.folderSynced)
    }

    // MARK: read

    public func open(_ sha256: String) throws(BlobStoreError) -> any BlobReader {
        let reader = try openReader(sha256)
        if reader.header.version == 1 {
            // Format 1 has only CRC-32 per chunk: prove the whole file once; ranges are then
            // read from this same open file.
            do {
                try reader.stream(nil) { _ in }
            } catch let error as BlobStoreError {
                throw error
            } catch {
                throw .internalFailure("\(error)")
            }
        }
        return reader
    }

    func openReader(_ sha: String) throws(BlobStoreError) -> LocalBlobReader {
        guard Self.isBlobName(sha) else { throw .notFound(sha256: sha) }
        return try LocalBlobReader(path: path(for: sha).path, sha256: sha)
    }

    public func size(of sha256: String) throws(BlobStoreError) -> Int64 {
        try openReader(sha256).size
    }

    public func read(_ sha256: String, range: ClosedRange<Int64>?, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if let range {
            try open(sha256).read(range, body)
        } else {
            try openReader(sha256).stream(nil, body)
        }
    }

    public func extract(_ sha256: String, to url: URL) throws -> Int64 {
        let folder = url.deletingLastPathComponent()
        let temp = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).part")
        let fd = Glibc.open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw BlobStoreError.io("cannot create \(temp.path): \(errnoText())") }
        var done = false
        defer {
            close(fd)
            if !done { unlink(temp.path) }
        }
        let written = try extractChecked(sha256, into: fd)
        // An extract is a copy for a person; the archive's own copy is the durable one, so the
        // copy is not fsynced (that would cap extract at the disk's write speed).
        guard rename(temp.path, url.path) == 0 else {
            throw BlobStoreError.io("cannot write \(url.path): \(errnoText())")
        }
        done = true
        return written
    }

    /// Decodes a whole blob into `fd`, a batch of chunks at a time on every core, while another
    /// thread checks each chunk's digest and the SHA-256. The output is a temporary file that is
    /// discarded unless every check passes, so bytes written before a check fails are never served.
    func extractChecked(_ sha256: String, into fd: Int32) throws -> Int64 {
        let blob = try openReader(sha256)
        let width = max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))
        let decoders = try (0..<width).map { _ in try ChunkDecoding(chunkSize: blob.header.chunkSize) }
        // Three batches of buffers rotate: one being decoded, up to two waiting for their checks.
        let slots = (0..<3).map { _ in (0..<width).map { _ in
            UnsafeMutableRawBufferPointer.allocate(byteCount: blob.header.chunkSize, alignment: 8)
        } }
        let free = DispatchSemaphore(value: 3)
        let checker = DispatchQueue(label: "callvault.extract.check")
        let state = CheckState(blob)
        defer {
            checker.sync {}
            slots.joined().forEach { $0.deallocate() }
        }
        var written: Int64 = 0
        for (batch, first) in stride(from: 0, to: blob.entries.count, by: width).enumerated() {
            free.wait()
            let chunks = Array(first..<min(blob.entries.count, first + width))
            let decoded: [UnsafeRawBufferPointer]
            do {
                decoded = try DecodeBatch(blob, chunks: chunks, into: slots[batch % 3], decoders: decoders).run()
            } catch {
                free.signal()
                throw error
            }
            // The buffers are not reused before the checker signals `free`.
            let views = decoded.map(ChunkView.init)
            checker.async {
                for (chunk, view) in zip(chunks, views) { state.check(view.bytes, chunk: chunk) }
                free.signal()
            }
            for bytes in decoded {
                try writeAll(fd, bytes, at: written)
                written += Int64(bytes.count)
            }
        }
        checker.sync {}
        if let bad = state.badChunk {
            throw BlobStoreError.corrupt(sha256: sha256, reason: "chunk \(bad) fails its checksum")
        }
        guard state.digest() == blob.header.sha256 else {
            throw BlobStoreError.corrupt(sha256: sha256, reason: "SHA-256 of the content does not match")
        }
        return written
    }

    public func verify(_ sha256: String) throws(BlobStoreError) {
        do {
            try read(sha256, range: nil) { _ in }
        } catch let error as BlobStoreError {
            throw error
        } catch {
            throw .internalFailure("\(error)")
        }
    }

    // MARK: remove and list

    public func remove(_ sha256: String) throws(BlobStoreError) {
        guard Self.isBlobName(sha256) else { throw .notFound(sha256: sha256) }
        let url = path(for: sha256)
        guard unlink(url.path) == 0 else {
            if errno == ENOENT { throw .notFound(sha256: sha256) }
            throw .io("cannot remove blob \(sha256): \(errnoText())")
        }
        try syncFolder(url.deletingLastPathComponent())
    }

    public func allBlobs() throws(BlobStoreError) -> [String] {
        var names: [String] = []
        guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
        for case let url as URL in enumerator where Self.isBlobName(url.lastPathComponent) {
            names.append(url.lastPathComponent)
        }
        return names.sorted()
    }

    public func removeStaleTemporaries() throws(BlobStoreError) -> Int {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: temporaryFolder.path)) ?? []
        var removed = 0
        for name in names where name.hasPrefix("blob-") && name.hasSuffix(".tmp") {
            if unlink(temporaryFolder.appendingPathComponent(name).path) == 0 { removed += 1 }
        }
        return removed
    }

    // MARK: file helpers

    func ensureFolder(_ url: URL) throws(BlobStoreError) {
        if FileManager.default.fileExists(atPath: url.path) { return }
        let parent = url.deletingLastPathComponent()
        if parent.path != url.path { try ensureFolder(parent) }
        if mkdir(url.path, 0o700) != 0 && errno != EEXIST {
            throw .io("cannot create folder \(url.path): \(errnoText())")
        }
        try syncFolder(parent)
    }

    func syncFolder(_ url: URL) throws(BlobStoreError) {
        let fd = Glibc.open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw .io("cannot open folder \(url.path): \(errnoText())") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .io("fsync of folder \(url.path) failed: \(errnoText())") }
    }
}

func errnoText() -> String { String(cString: strerror(errno)) }


func readFull(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, name: String) throws(BlobStoreError) -> Int {
    var filled = 0
    while filled < buffer.count {
        let n = Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
        if n < 0 {
            if errno == EINTR { continue }
            throw .io("cannot read \(name): \(errnoText())")
        }
        if n == 0 { break }
        filled += n
    }
    return filled
}

func readAt(_ fd: Int32, count: Int, at offset: Int64) throws(BlobStoreError) -> [UInt8] {
    var out = [UInt8](repeating: 0, count: count)
    var filled = 0
    while filled < count {
        let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + filled, count - filled, off_t(offset) + off_t(filled)) }
        if n < 0 && errno == EINTR { continue }
        guard n > 0 else { throw .io("short read of a blob at offset \(offset)") }
        filled += n
    }
    return out
}

func writeAll(_ fd: Int32, _ bytes: some ContiguousBytes, at offset: Int64) throws(BlobStoreError) {
    var failure: BlobStoreError?
    bytes.withUnsafeBytes { raw in
        var done = 0
        while done < raw.count {
            let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset) + off_t(done))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { failure = .io("write failed: \(errnoText())"); return }
            done += n
        }
    }
    if let failure { throw failure }
}

/// A chunk buffer handed to the checker thread; the semaphore in `extractChecked` keeps it alive and unchanged.
private struct ChunkView: @unchecked Sendable {
    let bytes: UnsafeRawBufferPointer
}

/// Chunks of one blob decoded in parallel, chunk j with decoder j into buffer j; no two tasks
/// share state, and `run` returns after all of them ended.
private final class DecodeBatch: @unchecked Sendable {
    private let blob: LocalBlobReader
    private let chunks: [Int]
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let decoders: [ChunkDecoding]
    private let results: UnsafeMutableBufferPointer<Result<UnsafeRawBufferPointer, BlobStoreError>?>

    init(_ blob: LocalBlobReader, chunks: [Int], into buffers: [UnsafeMutableRawBufferPointer], decoders: [ChunkDecoding]) {
        self.blob = blob
        self.chunks = chunks
        self.buffers = buffers
        self.decoders = decoders
        results = .allocate(capacity: chunks.count)
        results.initialize(repeating: nil)
    }

    deinit {
        _ = results.deinitialize()
        results.deallocate()
    }

    func run() throws(BlobStoreError) -> [UnsafeRawBufferPointer] {
        if chunks.count == 1 {
            decode(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: chunks.count) { decode($0) }
        }
        return try results.map { (result) throws(BlobStoreError) in try result!.get() }
    }

    private func decode(_ j: Int) {
        results[j] = Result { () throws(BlobStoreError) in try blob.decode(chunks[j], into: buffers[j], using: decoders[j]) }
    }
}

/// The running checks of `extractChecked`, touched only on its serial checker queue.
private final class CheckState: @unchecked Sendable {
    private let blob: LocalBlobReader
    private var hasher = SHA256()
    private(set) var badChunk: Int?

    init(_ blob: LocalBlobReader) { self.blob = blob }

    func check(_ bytes: UnsafeRawBufferPointer, chunk: Int) {
        if badChunk == nil && !blob.isIntact(bytes, chunk: chunk) { badChunk = chunk }
        hasher.update(bufferPointer: bytes)
    }

    func digest() -> [UInt8] { Array(hasher.finalize()) }
}
