import Foundation
import CallvaultSpool
#if canImport(Glibc)
import Glibc
#endif

/// The archive's in-use lock (`tmp/.in-use`): every open `Archive` holds it shared for as long
/// as it lives, so an open that gets it exclusive knows no other process (and no other `Archive`
/// in this one) is writing, and that whatever `tmp/` and `spool/incoming/.upload-*.part` hold
/// are leftovers of killed writes. Those are removed then, before anything else runs.
///
/// Why a lock and not an age: a write in progress in a running `serve` looks exactly like a
/// killed one from the outside, and removing its temp file would fail (or damage) that write.
final class ArchiveUseLock: Sendable {
    private let descriptor: Int32
    /// How many leftovers this open removed (0 when another user held the archive).
    let leftoversRemoved: Int

    /// Takes the lock shared, clearing leftovers first when no one else holds it. Nil when the
    /// lock file cannot be opened (a read-only copy of an archive): then nothing is cleared.
    init?(layout: ArchiveLayout) {
        try? FileManager.default.createDirectory(at: layout.temporary, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        let fd = open(layout.inUseLock.path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return nil }
        descriptor = fd
        var removed = 0
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            removed = Self.removeLeftovers(layout)
        }
        // Downgrade (or wait for another open's brief exclusive clean-up to finish).
        _ = flock(fd, LOCK_SH)
        leftoversRemoved = removed
    }

    deinit { close(descriptor) }

    /// Removes every file in `tmp/` but the lock, and half-received uploads in the spool.
    /// Only called while holding the lock exclusively.
    static func removeLeftovers(_ layout: ArchiveLayout) -> Int {
        var removed = 0
        for url in temporaryLeftovers(layout) where unlink(url.path) == 0 { removed += 1 }
        let incoming = (try? FileManager.default.contentsOfDirectory(atPath: layout.incoming.path)) ?? []
        for name in incoming where name.hasPrefix(SpoolFiles.uploadPrefix) && name.hasSuffix(".part") {
            if unlink(layout.incoming.appendingPathComponent(name).path) == 0 { removed += 1 }
        }
        return removed
    }

    /// The files in `tmp/` other than the lock: blob writes (`blob-*.tmp`), exports
    /// (`export-*.zip`) and anything else staged there. Folders and links are not followed.
    /// With `untouchedFor`, only files not written for that many seconds (what an erasure may
    /// scrub while this process may be writing: a write in progress keeps its file's time fresh).
    static func temporaryLeftovers(_ layout: ArchiveLayout, untouchedFor age: TimeInterval? = nil) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: layout.temporary.path)) ?? []
        let now = Date().timeIntervalSince1970
        return names.filter { $0 != layout.inUseLock.lastPathComponent }.sorted().compactMap { name in
            let url = layout.temporary.appendingPathComponent(name)
            var info = stat()
            guard lstat(url.path, &info) == 0, info.st_mode & S_IFMT != S_IFDIR else { return nil }
            if let age, now - Double(info.st_mtim.tv_sec) < age { return nil }
            return url
        }
    }
}
