public import Foundation
import Crypto
import CallvaultModel
import CZlib
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

    /// Creates a store in `root`, staging writes in `temporaryFolder` (same file system).
    public init(root: URL, temporaryFolder: URL, chunkSize: Int = 256 * 1024,
                faultSeam: @escaping @Sendable (BlobWriteStep) throws(BlobStoreError) -> Void = { _ throws(BlobStoreError) in }) {
        self.root = root
        self.temporaryFolder = temporaryFolder
        self.chunkSize = chunkSize
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
        let input = open(url.path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw .io("cannot open \(url.lastPathComponent) for reading: \(errnoText())") }
        defer { close(input) }
        try ensureFolder(temporaryFolder)
        let tempURL = temporaryFolder.appendingPathComponent("blob-\(UUID().uuidString).tmp")
        let output = open(tempURL.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw .io("cannot create \(tempURL.path): \(errnoText())") }
        var keepTemp = false
        defer {
            if output >= 0 { close(output) }
            if !keepTemp { unlink(tempURL.path) }
        }

        let codec: ChunkCodec = hint == .pcm16 ? .delta16Planes : .plain
        let deflater = try Deflater(level: 6, strategy: codec.strategy)
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
            switch codec {
            case .plain:
                try deflater.compress(original, flush: Z_FINISH, into: &compressed)
            case .delta16Planes:
                let words = ChunkCodec.encodeDelta16(original, into: planes)
                try deflater.compress(UnsafeRawBufferPointer(rebasing: planes[0..<words]), flush: Z_BLOCK, into: &compressed)
                try deflater.compress(UnsafeRawBufferPointer(rebasing: planes[words..<count]), flush: Z_FINISH, into: &compressed)
            }
            entries.append(.init(offset: UInt64(writeOffset), length: UInt32(compressed.count), crc: crc32Of(original)))
            try writeAll(output, compressed, at: writeOffset)
            writeOffset += Int64(compressed.count)
            total += Int64(count)
        }
        let digest = Array(hasher.finalize())
        let sha = digest.hexString
        var tail: [UInt8] = []
        tail.reserveCapacity(entries.count * BlobLayout.indexEntrySize + BlobLayout.trailerSize)
        for entry in entries {
            tail.appendLE(entry.offset)
            tail.appendLE(entry.length)
            tail.appendLE(entry.crc)
        }
        tail.appendLE(UInt64(writeOffset))
        tail.appendLE(UInt32(entries.count))
        tail.append(contentsOf: BlobLayout.trailerMagic)
        try writeAll(output, tail, at: writeOffset)
        header.originalSize = total
        header.sha256 = digest
        try writeAll(output, header.encoded(), at: 0)
        let storedBytes = writeOffset + Int64(tail.count)
        try faultSeam(.tempWritten)
        guard fsync(output) == 0 else { throw .io("fsync of the temporary blob failed: \(errnoText())") }
        try faultSeam(.tempSynced)

        let destination = path(for: sha)
        if FileManager.default.fileExists(atPath: destination.path) {
            // The same bytes are stored already, unless that copy is damaged: then this one replaces it.
            if (try? verify(sha)) != nil {
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

    struct OpenBlob {
        let fd: Int32
        let header: BlobLayout.Header
        let entries: [BlobLayout.ChunkEntry]
    }

    func openBlob(_ sha: String) throws(BlobStoreError) -> OpenBlob {
        guard Self.isBlobName(sha) else { throw .notFound(sha256: sha) }
        let fd = open(path(for: sha).path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { throw .notFound(sha256: sha) }
            throw .io("cannot open blob \(sha): \(errnoText())")
        }
        do {
            var st = stat()
            guard fstat(fd, &st) == 0 else { throw BlobStoreError.io("cannot stat blob \(sha)") }
            let fileSize = Int64(st.st_size)
            guard fileSize >= Int64(BlobLayout.headerSize + BlobLayout.trailerSize) else {
                throw BlobStoreError.corrupt(sha256: sha, reason: "file is shorter than a blob header")
            }
            guard let header = BlobLayout.Header(try readAt(fd, count: BlobLayout.headerSize, at: 0)) else {
                throw BlobStoreError.corrupt(sha256: sha, reason: "bad header")
            }
            let trailer = try readAt(fd, count: BlobLayout.trailerSize, at: fileSize - Int64(BlobLayout.trailerSize))
            guard Array(trailer[12..<16]) == BlobLayout.trailerMagic else {
                throw BlobStoreError.corrupt(sha256: sha, reason: "bad trailer (truncated file?)")
            }
            guard let indexOffset = Int64(exactly: trailer.readLE64(0)), indexOffset <= fileSize else {
                throw BlobStoreError.corrupt(sha256: sha, reason: "bad trailer (index offset)")
            }
            let count = Int(trailer.readLE32(8))
            let expectedChunks = header.originalSize == 0 ? 0 : Int((header.originalSize + Int64(header.chunkSize) - 1) / Int64(header.chunkSize))
            guard count == expectedChunks,
                  indexOffset + Int64(count * BlobLayout.indexEntrySize + BlobLayout.trailerSize) == fileSize else {
                throw BlobStoreError.corrupt(sha256: sha, reason: "chunk index does not match the file")
            }
            let index = try readAt(fd, count: count * BlobLayout.indexEntrySize, at: indexOffset)
            var entries: [BlobLayout.ChunkEntry] = []
            entries.reserveCapacity(count)
            for i in 0..<count {
                let base = i * BlobLayout.indexEntrySize
                let entry = BlobLayout.ChunkEntry(offset: index.readLE64(base), length: index.readLE32(base + 8), crc: index.readLE32(base + 12))
                guard let offset = Int64(exactly: entry.offset), offset >= Int64(BlobLayout.headerSize),
                      Int(entry.length) <= 2 * header.chunkSize + 4096, offset + Int64(entry.length) <= indexOffset else {
                    throw BlobStoreError.corrupt(sha256: sha, reason: "chunk \(i) lies outside the file")
                }
                entries.append(entry)
            }
            return OpenBlob(fd: fd, header: header, entries: entries)
        } catch let error as BlobStoreError {
            close(fd)
            throw error
        } catch {
            close(fd)
            throw .internalFailure("\(error)")
        }
    }

    public func size(of sha256: String) throws(BlobStoreError) -> Int64 {
        let blob = try openBlob(sha256)
        close(blob.fd)
        return blob.header.originalSize
    }

    public func read(_ sha256: String, range: ClosedRange<Int64>?, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let blob = try openBlob(sha256)
        defer { close(blob.fd) }
        let size = blob.header.originalSize
        if let range, range.lowerBound < 0 || range.upperBound >= size {
            throw BlobStoreError.rangeNotSatisfiable(requested: "\(range.lowerBound)-\(range.upperBound)", size: size)
        }
        let wanted = range ?? 0...(max(size, 1) - 1)
        if size == 0 {
            guard Array(SHA256.hash(data: Data())) == blob.header.sha256, sha256 == blob.header.sha256.hexString else {
                throw BlobStoreError.corrupt(sha256: sha256, reason: "SHA-256 mismatch")
            }
            return
        }
        let chunkSize = Int64(blob.header.chunkSize)
        let first = Int(wanted.lowerBound / chunkSize), last = Int(wanted.upperBound / chunkSize)
        let inflater = try Inflater()
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: blob.header.chunkSize, alignment: 8)
        let planes = UnsafeMutableRawBufferPointer.allocate(byteCount: blob.header.chunkSize, alignment: 8)
        defer { chunk.deallocate(); planes.deallocate() }
        var hasher = range == nil ? SHA256() : nil
        var compressed: [UInt8] = []
        for i in first...last {
            let entry = blob.entries[i]
            let chunkStart = Int64(i) * chunkSize
            let length = Int(min(chunkSize, size - chunkStart))
            compressed = try readAt(blob.fd, count: Int(entry.length), at: Int64(entry.offset))
            let target = blob.header.codec == .plain ? chunk : planes
            let ok = compressed.withUnsafeBytes { inflater.inflate($0, into: UnsafeMutableRawBufferPointer(rebasing: target[0..<length])) }
            guard ok else { throw BlobStoreError.corrupt(sha256: sha256, reason: "chunk \(i) does not decompress") }
            if blob.header.codec == .delta16Planes {
                ChunkCodec.decodeDelta16(UnsafeRawBufferPointer(rebasing: planes[0..<length]), into: chunk)
            }
            let original = UnsafeRawBufferPointer(rebasing: chunk[0..<length])
            guard crc32Of(original) == entry.crc else {
                throw BlobStoreError.corrupt(sha256: sha256, reason: "chunk \(i) fails its checksum")
            }
            hasher?.update(bufferPointer: original)
            if hasher != nil, i == last {
                // A full read: nothing of the last chunk is handed out before the SHA-256 matches.
                let digest = Array(hasher!.finalize())
                guard digest == blob.header.sha256, digest.hexString == sha256 else {
                    throw BlobStoreError.corrupt(sha256: sha256, reason: "SHA-256 of the content does not match")
                }
            }
            let from = Int(max(wanted.lowerBound, chunkStart) - chunkStart)
            let to = Int(min(wanted.upperBound, chunkStart + Int64(length) - 1) - chunkStart)
            try body(UnsafeRawBufferPointer(rebasing: original[from...to]))
        }
    }

    public func extract(_ sha256: String, to url: URL) throws -> Int64 {
        let folder = url.deletingLastPathComponent()
        let temp = folder.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).part")
        let fd = open(temp.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
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

    /// Decompresses a whole blob into `fd` while a second thread checks each chunk's CRC-32
    /// and the SHA-256: the two cores share the work. The output is a temporary file that is
    /// discarded unless every check passes, so bytes written before a check fails are never served.
    func extractChecked(_ sha256: String, into fd: Int32) throws -> Int64 {
        let blob = try openBlob(sha256)
        defer { close(blob.fd) }
        let size = blob.header.originalSize
        let chunkSize = blob.header.chunkSize
        let inflater = try Inflater()
        let planes = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 8)
        // Three chunk buffers rotate: one being filled, up to two waiting for their checks.
        let buffers = (0..<3).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 8) }
        let free = DispatchSemaphore(value: 3)
        let checker = DispatchQueue(label: "callvault.extract.check")
        let state = CheckState()
        defer {
            checker.sync {}
            planes.deallocate()
            buffers.forEach { $0.deallocate() }
        }
        var written: Int64 = 0
        for (i, entry) in blob.entries.enumerated() {
            let length = Int(min(Int64(chunkSize), size - Int64(i) * Int64(chunkSize)))
            free.wait()
            let chunk = buffers[i % 3]
            let compressed = try readAt(blob.fd, count: Int(entry.length), at: Int64(entry.offset))
            let target = blob.header.codec == .plain ? chunk : planes
            let ok = compressed.withUnsafeBytes { inflater.inflate($0, into: UnsafeMutableRawBufferPointer(rebasing: target[0..<length])) }
            guard ok else {
                free.signal()
                throw BlobStoreError.corrupt(sha256: sha256, reason: "chunk \(i) does not decompress")
            }
            if blob.header.codec == .delta16Planes {
                ChunkCodec.decodeDelta16(UnsafeRawBufferPointer(rebasing: planes[0..<length]), into: chunk)
            }
            let original = UnsafeRawBufferPointer(rebasing: chunk[0..<length])
            // The buffer is not reused before the checker signals `free`.
            let view = ChunkView(bytes: original)
            checker.async {
                state.check(view.bytes, crc: entry.crc, chunk: i)
                free.signal()
            }
            try writeAll(fd, original, at: written)
            written += Int64(length)
        }
        checker.sync {}
        if let bad = state.badChunk {
            throw BlobStoreError.corrupt(sha256: sha256, reason: "chunk \(bad) fails its checksum")
        }
        let digest = state.digest()
        guard digest == blob.header.sha256, digest.hexString == sha256 else {
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
        let fd = open(url.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
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
    private var hasher = SHA256()
    private(set) var badChunk: Int?

    func check(_ bytes: UnsafeRawBufferPointer, crc: UInt32, chunk: Int) {
        if badChunk == nil && crc32Of(bytes) != crc { badChunk = chunk }
        hasher.update(bufferPointer: bytes)
    }

    func digest() -> [UInt8] { Array(hasher.finalize()) }
}
