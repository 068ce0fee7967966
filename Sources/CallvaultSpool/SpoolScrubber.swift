public import Foundation
import Crypto
import CallvaultModel
#if canImport(Glibc)
import Glibc
#endif

/// Removes an erased customer from the raw copies the spool keeps (`spool/processed/`,
/// `spool/rejected/`): text files lose every line that mentions one of the customer's
/// numbers (in any written form) or name; JSON notes and files whose name mentions a number
/// are removed whole; recording files whose SHA-256 is an erased blob are removed with their
/// sidecars. Everything removed or rewritten is overwritten with zeros first. Leftovers of
/// killed writes in `tmp/` (compressed audio, exports) are overwritten and removed whole.
///
/// Only regular files with one link are ever written: a symbolic or hard link dropped into the
/// spool may name a file outside the archive, so such an entry is at most unlinked (which
/// removes the spool's name for it and leaves the other file alone), never rewritten.
public struct SpoolScrubber {
    /// What identifies the customer in a raw file.
    public struct Needles: Sendable {
        /// Digit-only forms (`358401234567`, `0401234567`), matched after spaces, dashes,
        /// dots, slashes and parentheses are taken out of a line, so `040 123 4567`,
        /// `+358 40-123 4567` and `(040) 1234567` all match.
        public var digits: Set<String> = []
        /// Literal forms: raw values as the sources wrote them, the name (UTF-8 and Latin-1).
        public var literals: Set<Data> = []

        public var isEmpty: Bool { digits.isEmpty && literals.isEmpty }

        public init() {}
    }

    public var folders: [URL]
    public var needles: Needles
    /// Recording blobs erased: their SHA-256 and the sizes of the originals.
    public var blobs: Set<String>
    public var blobSizes: Set<Int64>
    /// Files in `tmp/` to overwrite and remove whole, whoever they belonged to.
    public var leftovers: [URL] = []

    public init(folders: [URL], needles: Needles, blobs: Set<String>, blobSizes: Set<Int64>, leftovers: [URL] = []) {
        self.folders = folders
        self.needles = needles
        self.blobs = blobs
        self.blobSizes = blobSizes
        self.leftovers = leftovers
    }

    /// Scrubs every file under the folders, and the leftovers.
    /// - Returns: how many files were rewritten or removed.
    public func run() throws -> Int {
        var touched = 0
        for url in leftovers where FileManager.default.fileExists(atPath: url.path) {
            try SpoolFiles.destroy(url)
            touched += 1
        }
        for folder in folders {
            guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey]) else { continue }
            var files: [URL] = []
            for case let url as URL in walker where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                files.append(url)
            }
            for url in files where FileManager.default.fileExists(atPath: url.path) {
                if try scrub(url) { touched += 1 }
            }
        }
        return touched
    }

    /// Scrubs one file; true when it was rewritten or removed.
    func scrub(_ url: URL) throws -> Bool {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return false }
        if mentions(Data(url.lastPathComponent.utf8)) {
            try SpoolFiles.destroy(url)
            return true
        }
        // A link (symbolic or hard) names a file that may live outside the archive: never read
        // through it to rewrite it. It is refused at the spool's door; if one is here anyway, its
        // name is removed when its content would have been scrubbed, and the other file is untouched.
        let isSoleRegularFile = info.st_mode & S_IFMT == S_IFREG && info.st_nlink == 1
        let size = Int64(info.st_size)
        if !isSoleRegularFile {
            guard info.st_mode & S_IFMT == S_IFREG, !needles.isEmpty || !blobs.isEmpty else { return false }
            let digest = blobSizes.contains(size) ? (try? sha256(of: url)) : nil
            let data = size < 1 << 31 ? (try? Data(contentsOf: url)) : nil
            guard digest.map({ blobs.contains($0) }) == true || data.map({ mentions($0) }) == true else { return false }
            return unlink(url.path) == 0
        }
        if !blobs.isEmpty && blobSizes.contains(size), let digest = try? sha256(of: url), blobs.contains(digest) {
            // A recording that was erased: the file and the metadata sidecar beside it.
            let sidecar = url.deletingPathExtension().appendingPathExtension("json")
            try SpoolFiles.destroy(url)
            if FileManager.default.fileExists(atPath: sidecar.path) { try SpoolFiles.destroy(sidecar) }
            return true
        }
        guard !needles.isEmpty, size > 0, size < 1 << 31, let data = try? Data(contentsOf: url) else { return false }
        if data.prefix(8192).contains(0) { return false } // binary (audio): only its name and digest are checked
        if url.pathExtension.lowercased() == "json" {
            guard mentions(data) else { return false }
            try SpoolFiles.destroy(url)
            return true
        }
        var kept = Data()
        kept.reserveCapacity(data.count)
        var dropped = 0
        var start = data.startIndex
        while start < data.endIndex {
            let end = data[start...].firstIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? data.endIndex
            let line = data[start..<end]
            if mentions(line) { dropped += 1 } else { kept.append(line) }
            start = end
        }
        guard dropped > 0 else { return false }
        try rewrite(url, with: kept, oldSize: data.count)
        return true
    }

    /// Whether `bytes` hold one of the needles.
    func mentions(_ bytes: Data) -> Bool {
        for literal in needles.literals where bytes.range(of: literal) != nil { return true }
        guard !needles.digits.isEmpty else { return false }
        var compact = [UInt8]()
        compact.reserveCapacity(bytes.count)
        for byte in bytes where !Self.separators.contains(byte) { compact.append(byte) }
        let haystack = Data(compact)
        for digits in needles.digits where haystack.range(of: Data(digits.utf8)) != nil { return true }
        return false
    }

    static let separators: Set<UInt8> = Set(" -./()\t".utf8)

    /// Overwrites the old bytes with zeros, then writes what is kept in place.
    func rewrite(_ url: URL, with kept: Data, oldSize: Int) throws {
        let fd = open(url.path, O_RDWR | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveFailure(.internal, "cannot open \(url.lastPathComponent) to scrub it: \(String(cString: strerror(errno)))") }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_nlink == 1, info.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            // It became a link since it was looked at: remove the spool's name for it, write nothing.
            unlink(url.path)
            return
        }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        defer { try? handle.close() }
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: Data(count: oldSize))
        try handle.synchronize()
        try handle.seek(toOffset: 0)
        try handle.write(contentsOf: kept)
        try handle.truncate(atOffset: UInt64(kept.count))
        try handle.synchronize()
    }

    func sha256(of url: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().hexString
    }
}
