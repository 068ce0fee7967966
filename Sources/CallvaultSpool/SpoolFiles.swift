public import Foundation
import CallvaultModel
#if canImport(Glibc)
import Glibc
#endif

/// The spool's own rules for its files, below the façade: which names an upload may have, how a
/// name is shown (numbers masked), how a file that held personal data is destroyed, and how the
/// day folders of `processed/` are named.
public enum SpoolFiles {
    /// The prefix of an upload being received into `spool/incoming/` (a dot-file: the watcher skips it).
    public static let uploadPrefix = ".upload-"

    /// The longest file name (in bytes) the spool takes: the file system's limit (NAME_MAX).
    /// Notes are named by a short id, and a name taken in `processed/` or `rejected/` is
    /// shortened to make room for its `.N`, so any name up to this length is filed.
    public static let maxNameBytes = 255

    /// Why `name` may not be an uploaded file's name, or nil when it may: a plain file name of at
    /// most 255 bytes, without a path, a leading dot, control characters, or a spool note's ending.
    public static func uploadNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "the file name is empty" }
        if name.utf8.count > maxNameBytes { return "the file name is longer than \(maxNameBytes) bytes (\(name.utf8.count)): the spool's file system cannot hold it; shorten it" }
        if name == "." || name == ".." { return "the file name is a folder's" }
        if name.contains("/") || name.contains("\\") { return "the file name holds a path separator: give the plain name" }
        if name.hasPrefix(".") { return "the file name starts with a dot" }
        if name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return "the file name holds control characters" }
        if name.hasSuffix(".reason.json") || name.hasSuffix(".ingested.json") || name.hasSuffix(".part") {
            return "the file name ends like a spool note (.reason.json, .ingested.json, .part)"
        }
        return nil
    }

    /// Overwrites a file's bytes, syncs, and unlinks it, so no message text lingers on disk.
    /// A link (symbolic, or a file with other names) is only unlinked: writing through it would
    /// overwrite a file that may live outside the archive.
    public static func destroy(_ url: URL) throws {
        let fd = open(url.path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        var info = stat()
        if fd >= 0, fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_nlink == 1 {
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            let size = (try? handle.seekToEnd()) ?? 0
            try? handle.seek(toOffset: 0)
            var left = size
            let zeros = Data(count: 1 << 16)
            while left > 0 {
                let n = min(UInt64(zeros.count), left)
                try? handle.write(contentsOf: zeros.prefix(Int(n)))
                left -= n
            }
            try? handle.synchronize()
            try? handle.close()
        } else if fd >= 0 {
            close(fd)
        }
        guard unlink(url.path) == 0 || errno == ENOENT else {
            throw ArchiveFailure(.internal, "cannot remove \(url.lastPathComponent): \(String(cString: strerror(errno)))")
        }
    }

    /// The name of a day folder under `spool/processed/` (`2026-10-23`, the archive's clock in UTC).
    public static let dayFormatter = Date.ISO8601FormatStyle().year().month().day()

    /// `name` with every run of 6 or more digits masked but its first and last two.
    public static func masked(_ name: String) -> String {
        var out = ""
        var run = ""
        func flush() {
            if run.count >= 6 {
                out += run.prefix(2) + String(repeating: "*", count: run.count - 4) + run.suffix(2)
            } else {
                out += run
            }
            run = ""
        }
        for ch in name {
            if ch.isASCII && ch.isNumber { run.append(ch) } else { flush(); out.append(ch) }
        }
        flush()
        return out
    }
}
