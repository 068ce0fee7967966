import GRDB

extension Schema {
    /// The processing log becomes keyed: entries from `audit_head.keyed_from` on are sealed with
    /// HMAC-SHA256 under the chain key kept outside the index (NULL until the archive adopts its
    /// key store, which sets it to the next sequence number; a new archive's is 1). The anchors
    /// outside the archive record the same switch point, so moving it here is detected.
    ///
    /// The number-hashing secret leaves `archive_secrets` for the key store in `Archive`'s open
    /// (a migration cannot write the key file first), not here.
    static func v15KeyedAudit(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE audit_head ADD COLUMN keyed_from INTEGER CHECK (keyed_from >= 1);
            """)
    }
}
