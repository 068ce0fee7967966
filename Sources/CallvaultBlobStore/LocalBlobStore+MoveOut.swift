public import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension LocalBlobStore {
    /// Hard-links the blob file at `destination` (same file system: the quarantine is inside the
    /// archive folder), syncs that folder, then unlinks it from the store and syncs the store's folder.
    public func moveOut(_ sha256: String, to destination: URL) throws(BlobStoreError) {
        guard Self.isBlobName(sha256) else { throw .notFound(sha256: sha256) }
        let source = path(for: sha256)
        guard link(source.path, destination.path) == 0 else {
            if errno == ENOENT { throw .notFound(sha256: sha256) }
            throw .io("cannot move blob \(sha256) to \(destination.path): \(errnoText())")
        }
        try syncFolder(destination.deletingLastPathComponent())
        guard unlink(source.path) == 0 else { throw .io("cannot remove blob \(sha256) from the store: \(errnoText())") }
        try syncFolder(source.deletingLastPathComponent())
    }
}
