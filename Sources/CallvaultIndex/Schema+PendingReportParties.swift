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
}
