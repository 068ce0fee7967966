public import CallvaultModel
import GRDB

extension IndexReader {
    /// The distinct blobs recordings refer to, with their original and stored sizes.
    public func blobTotals() throws -> BlobTotals {
        let row = try Row.fetchOne(db, sql: """
            SELECT COUNT(*) AS blobs, COALESCE(SUM(bytes), 0) AS bytes, COALESCE(SUM(stored_bytes), 0) AS stored
            FROM (SELECT MAX(bytes) AS bytes, MAX(stored_bytes) AS stored_bytes FROM recordings GROUP BY sha256)
            """)
        return BlobTotals(blobs: row?["blobs"] ?? 0, bytes: row?["bytes"] ?? 0, storedBytes: row?["stored"] ?? 0)
    }
}
