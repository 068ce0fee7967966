import GRDB

extension Schema {
    /// Accounts, API tokens and login sessions (issue 5). Secrets are never stored: a password as
    /// its bcrypt hash, a token and a session id as their SHA-256. Rows are never deleted, only
    /// disabled or revoked, so the access review can list every grant with its age and last use.
    static func v6Users(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE users (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL CHECK (role IN ('admin', 'compliance', 'lead', 'auditor', 'ingest')),
                disabled INTEGER NOT NULL DEFAULT 0 CHECK (disabled IN (0, 1)),
                password_hash TEXT CHECK (password_hash IS NULL OR length(password_hash) = 60),
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                role_changed_at INTEGER NOT NULL,
                role_changed_by TEXT NOT NULL,
                failed_logins INTEGER NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
                locked_until INTEGER,
                last_login_at INTEGER
            );
            CREATE TABLE tokens (
                id INTEGER PRIMARY KEY,
                user_id INTEGER NOT NULL REFERENCES users(id),
                digest TEXT NOT NULL UNIQUE CHECK (length(digest) = 64),
                kind TEXT NOT NULL CHECK (kind IN ('person', 'ingest')),
                created_at INTEGER NOT NULL,
                created_by TEXT NOT NULL,
                last_used_at INTEGER,
                revoked_at INTEGER
            );
            CREATE INDEX tokens_user ON tokens(user_id) WHERE revoked_at IS NULL;
            CREATE TABLE sessions (
                digest TEXT PRIMARY KEY NOT NULL CHECK (length(digest) = 64),
                user_id INTEGER NOT NULL REFERENCES users(id),
                csrf TEXT NOT NULL,
                origin TEXT NOT NULL,
                created_at INTEGER NOT NULL,
                last_seen INTEGER NOT NULL,
                revoked_at INTEGER,
                revoke_reason TEXT
            ) WITHOUT ROWID;
            CREATE INDEX sessions_user ON sessions(user_id) WHERE revoked_at IS NULL;
            """)
    }
}
