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
        let input = Glibc.open(url.path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .io("cannot open \(url.lastPathComponent) for reading: \(errnoText())") }
        defer { close(input) }
        try ensureFolder(temporaryFolder)
        let tempURL = temporaryFolder.appendingPathComponent("blob-\(UUID().uuidString).tmp")
        let output = Glibc.open(tempURL.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw .io("cannot create \(tempURL.path): \(errnoText())") }
        var keepTemp = false
        defer {
            if output >= 0 { close(output) }
            if !keepTemp { unlink(tempURL.path) }
        }

        let codec: ChunkCodec = hint == .pcm16 ? .delta16Planes : .plain
        let deflater = try BlobStoreError.zlib { () throws(ZlibError) in try Deflater(level: 6, strategy: codec.strategy) }
        var hasher = SHA256()
        var header = BlobLayout.Header(codec: codec, chunkSize: chunkSize, originalSize: 0, sha256: [])
        try writeAll(output, header.encoded(), at: 0)
        var writeOffset = Int64(BlobLayout.headerSize)
        var entries: [BlobLayout.ChunkEntry] = []
        var total: Int64 = 0
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 8)
        let planes = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 8)
        defer { chunk.deallocate(); planes.deallocate() }
        var compressed: [UInt8] = []
        compressed.reserveCapacity(chunkSize + 1024)
        while true {
            let count = try readFull(input, into: chunk, name: url.lastPathComponent)
            if count == 0 { break }
            let original = UnsafeRawBufferPointer(rebasing: chunk[0..<count])
            hasher.update(bufferPointer: original)
            compressed.removeAll(keepingCapacity: true)
            deflater.reset()
            try BlobStoreError.zlib { () throws(ZlibError) in
                switch codec {
                case .plain:
                    try deflater.compress(original, flush: .finish, into: &compressed)
                case .delta16Planes:
                    let words = ChunkCodec.encodeDelta16(original, into: planes)
                    try deflater.compress(UnsafeRawBufferPointer(rebasing: planes[0..<words]), flush: .block, into: &compressed)
                    try deflater.compress(UnsafeRawBufferPointer(rebasing: planes[words..<count]), flush: .finish, into: &compressed)
                }
            }
            entries.append(.init(offset: UInt64(writeOffset), length: UInt32(compressed.count),
                                 digest: BlobLayout.chunkDigest(original, number: entries.count)))
            try writeAll(output, compressed, at: writeOffset)
            writeOffset += Int64(compressed.count)
            total += Int64(count)
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

        let destination = path(for: sha)
        if FileManager.default.fileExists(atPath: destination.path) {
            // The same bytes are stored already, unless that copy is damaged or of the older
            // format (CRC-32 chunks): then this one replaces it.
            if (try? verify(sha)) != nil, (try? LocalBlobReader(path: destination.path, sha256: sha))?.header.version == BlobLayout.currentVersion {
                return StoredBlob(sha256: sha, bytes: total, storedBytes: storedBytes, isNew: false)
            }
        }
        try ensureFolder(destination.deletingLastPathComponent())
        guard rename(tempURL.path, destination.path) == 0 else { throw .io("cannot move the blob into place: \(errnoText())") }
        keepTemp = true
        try faultSeam(.renamed)
        try syncFolder(destination.deletingLastPathComponent())
        try faultSeam(.folderSynced)
        return StoredBlob(sha256: sha, bytes: total, storedBytes: storedBytes, isNew: true)
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

    /// Decompresses a whole blob into `fd` while a second thread checks each chunk's digest
    /// and the SHA-256: the two cores share the work. The output is a temporary file that is
    /// discarded unless every check passes, so bytes written before a check fails are never served.
    func extractChecked(_ sha256: String, into fd: Int32) throws -> Int64 {
        let blob = try openReader(sha256)
        let chunkSize = blob.header.chunkSize
        let inflater = try BlobStoreError.zlib { () throws(ZlibError) in try Inflater() }
        let planes = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 8)
        // Three chunk buffers rotate: one being filled, up to two waiting for their checks.
        let buffers = (0..<3).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 8) }
        let free = DispatchSemaphore(value: 3)
        let checker = DispatchQueue(label: "callvault.extract.check")
        let state = CheckState(blob)
        defer {
            checker.sync {}
            planes.deallocate()
            buffers.forEach { $0.deallocate() }
        }
        var written: Int64 = 0
        for i in blob.entries.indices {
            free.wait()
            let original: UnsafeRawBufferPointer
            do {
                original = try blob.decode(i, into: buffers[i % 3], planes: planes, inflater: inflater)
            } catch {
                free.signal()
                throw error
            }
            // The buffer is not reused before the checker signals `free`.
            let view = ChunkView(bytes: original)
            checker.async {
                state.check(view.bytes, chunk: i)
                free.signal()
            }
            try writeAll(fd, original, at: written)
            written += Int64(original.count)
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
