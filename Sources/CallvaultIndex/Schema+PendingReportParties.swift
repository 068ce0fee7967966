import GRDB

extension Schema {
    /// A delivery report kept because no SMS had its message id yet also keeps its SMSC, sender
    /// and recipient: Kannel logs `Sent SMS` with an empty `[FID:]` when the SMSC assigns the id
    /// later, so the message that arrives after its final report carries no id, and is found by
    /// its parties and time instead (`IndexWriter.applyPendingStatuses`).
    static func v18PendingReportParties(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE sms_pending_status ADD COLUMN smsc TEXT;
            ALTER TABLE sms_pending_status ADD COLUMN from_e164 TEXT;
            ALTER TABLE sms_pending_status ADD COLUMN to_e164 TEXT;
            """)
    }

    /// Kept reports are found by the sender and recipient of a new message logged without an
    /// id (`IndexWriter.applyPendingStatuses`), never by reading every kept report.
    static func v20PendingReportPartiesIndex(_ db: Database) throws {
        try db.execute(sql: """
            CREATE INDEX sms_pending_status_parties ON sms_pending_status(from_e164, to_e164)
                WHERE from_e164 IS NOT NULL AND to_e164 IS NOT NULL;
            """)
    }
}
