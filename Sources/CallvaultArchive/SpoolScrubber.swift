import Foundation
import Crypto
import CallvaultModel

/// Removes an erased customer from the raw copies the spool keeps (`spool/processed/`,
/// `spool/rejected/`): text files lose every line that mentions one of the customer's
/// numbers (in any written form) or name; JSON notes and files whose name mentions a number
/// are removed whole; recording files whose SHA-256 is an erased blob are removed with their
/// sidecars. Everything removed or rewritten is overwritten with zeros first.
struct SpoolScrubber {
    /// What identifies the customer in a raw file.
    struct Needles {
        /// Digit-only forms (`358401234567`, `0401234567`), matched after spaces, dashes,
        /// dots, slashes and parentheses are taken out of a line, so `040 123 4567`,
        /// `+358 40-123 4567` and `(040) 1234567` all match.
        var digits: Set<String> = []
        /// Literal forms: raw values as the sources wrote them, the name (UTF-8 and Latin-1).
        var literals: Set<Data> = []

        var isEmpty: Bool { digits.isEmpty && literals.isEmpty }
    }

    var folders: [URL]
    var needles: Needles
    /// Recording blobs erased: their SHA-256 and the sizes of the originals.
    var blobs: Set<String>
    var blobSizes: Set<Int64>

    /// Scrubs every file under the folders.
    /// - Returns: how many files were rewritten or removed.
    func run() throws -> Int {
        var touched = 0
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
        if mentions(Data(url.lastPathComponent.utf8)) {
            try SpoolWatcher.destroy(url)
            return true
        }
        let size = Int64((try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0)
        if !blobs.isEmpty && blobSizes.contains(size), let digest = try? sha256(of: url), blobs.contains(digest) {
            // A recording that was erased: the file and the metadata sidecar beside it.
            let sidecar = url.deletingPathExtension().appendingPathExtension("json")
            try SpoolWatcher.destroy(url)
            if FileManager.default.fileExists(atPath: sidecar.path) { try SpoolWatcher.destroy(sidecar) }
            return true
        }
        guard !needles.isEmpty, size > 0, size < 1 << 31, let data = try? Data(contentsOf: url) else { return false }
        if data.prefix(8192).contains(0) { return false } // binary (audio): only its name and digest are checked
        if url.pathExtension.lowercased() == "json" {
            guard mentions(data) else { return false }
            try SpoolWatcher.destroy(url)
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
        let handle = try FileHandle(forUpdating: url)
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
