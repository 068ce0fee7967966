import GRDB

extension Schema {
    /// Which OS logins may act as which accounts on the command line (issue 16: peer
    /// authentication as PostgreSQL does it). Many-to-many: one login may map to a person's
    /// admin and lead accounts, one account to a person's logins on several machines. Rows are
    /// removed when an admin unmaps them (the audit log keeps who mapped and unmapped what).
    /// An upgraded archive starts with no mappings: its admin claims their account once.
    static func v14OSLogins(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE os_logins (
                login TEXT NOT NULL CHECK (length(login) BETWEEN 1 AND 64),
                user_id INTEGER NOT NULL REFERENCES users(id),
                mapped_at INTEGER NOT NULL,
                mapped_by TEXT NOT NULL,
                PRIMARY KEY (login, user_id)
            ) WITHOUT ROWID;
            CREATE INDEX os_logins_user ON os_logins(user_id);
            """)
    }
}
