import Foundation
import CallvaultModel
import CallvaultIndex
import CallvaultBlobStore

extension Archive {
    /// Removes the blobs queued by deletions (expiry, erasure) once no recording refers to
    /// them; re-run safely after a crash. A blob ingested again before its removal stays.
    /// - Returns: how many blobs were removed.
    @discardableResult
    func drainBlobDeletions() throws -> Int {
        let queued = try index.write { try $0.pendingBlobDeletions() }
        var removed = 0
        for sha in queued {
            // Checked again under the write lock: an ingest of the same bytes may have just committed.
            try index.write { writer in
                guard try !IndexReader(writer).isBlobReferenced(sha) else {
                    try writer.blobDeleted(sha)
                    return
                }
                do { try blobs.remove(sha) } catch {
                    throw ArchiveFailure(.internal, "cannot remove blob \(sha): \(error)")
                }
                try writer.blobDeleted(sha)
                removed += 1
            }
        }
        return removed
    }
}
