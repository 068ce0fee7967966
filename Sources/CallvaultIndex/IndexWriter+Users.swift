public import Foundation
import GRDB

extension IndexWriter {
    /// Creates an account; the caller has validated the name and role and hashed the password.
    /// - Returns: the account's row id.
    public func insertUser(name: String, role: String, passwordHash: String?, by actor: String, at time: Date) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO users (name, role, password_hash, created_at, created_by, role_changed_at, role_changed_by)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [name, role, passwordHash, time.unixSeconds, actor, time.unixSeconds, actor])
        return db.lastInsertedRowID
    }

    /// Gives an account another role.
    public func setRole(user id: Int64, role: String, by actor: String, at time: Date) throws {
        try db.execute(sql: "UPDATE users SET role = ?, role_changed_at = ?, role_changed_by = ? WHERE id = ?",
                       arguments: [role, time.unixSeconds, actor, id])
    }

    /// Disables or re-enables an account.
    public func setDisabled(user id: Int64, _ disabled: Bool) throws {
        try db.execute(sql: "UPDATE users SET disabled = ? WHERE id = ?", arguments: [disabled, id])
    }

    /// Replaces an account's password hash and clears its failed logins and lock.
    public func setPasswordHash(user id: Int64, _ hash: String?) throws {
        try db.execute(sql: "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL WHERE id = ?",
                       arguments: [hash, id])
    }

    /// Counts one more failed login.
    /// - Returns: the failed logins since the last success or lock.
    public func recordFailedLogin(user id: Int64) throws -> Int {
        try db.execute(sql: "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = ?", arguments: [id])
        return try Int.fetchOne(db, sql: "SELECT failed_logins FROM users WHERE id = ?", arguments: [id]) ?? 0
    }

    /// Locks an account until `until` and restarts its failed-login count.
    public func lock(user id: Int64, until: Date) throws {
        try db.execute(sql: "UPDATE users SET locked_until = ?, failed_logins = 0 WHERE id = ?", arguments: [until.unixSeconds, id])
    }

    /// Records a successful login: clears the failed-login count and any lock.
    public func recordLogin(user id: Int64, at time: Date) throws {
        try db.execute(sql: "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?",
                       arguments: [time.unixSeconds, id])
    }

    /// Stores a new token by its digest.
    public func insertToken(user id: Int64, digest: String, kind: String, by actor: String, at time: Date) throws -> Int64 {
        try db.execute(sql: "INSERT INTO tokens (user_id, digest, kind, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                       arguments: [id, digest, kind, time.unixSeconds, actor])
        return db.lastInsertedRowID
    }

    /// Notes that a token was used (the access review shows the last use).
    public func touchToken(_ id: Int64, at time: Date) throws {
        try db.execute(sql: "UPDATE tokens SET last_used_at = ? WHERE id = ?", arguments: [time.unixSeconds, id])
    }

    /// Revokes every live token of an account.
    /// - Returns: how many were revoked.
    @discardableResult
    public func revokeTokens(user id: Int64, at time: Date) throws -> Int {
        try db.execute(sql: "UPDATE tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", arguments: [time.unixSeconds, id])
        return db.changesCount
    }

    /// Stores a new session by the digest of its id.
    public func insertSession(digest: String, user id: Int64, csrf: String, origin: String, at time: Date) throws {
        try db.execute(sql: """
            INSERT INTO sessions (digest, user_id, csrf, origin, created_at, last_seen) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [digest, id, csrf, origin, time.unixSeconds, time.unixSeconds])
    }

    /// Notes activity in a session (the idle timeout counts from here).
    public func touchSession(digest: String, at time: Date) throws {
        try db.execute(sql: "UPDATE sessions SET last_seen = ? WHERE digest = ? AND revoked_at IS NULL",
                       arguments: [time.unixSeconds, digest])
    }

    /// Ends one session.
    /// - Returns: whether it was live.
    @discardableResult
    public func revokeSession(digest: String, at time: Date, reason: String) throws -> Bool {
        try db.execute(sql: "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE digest = ? AND revoked_at IS NULL",
                       arguments: [time.unixSeconds, reason, digest])
        return db.changesCount > 0
    }

    /// Ends every live session of an account.
    /// - Returns: how many were ended.
    @discardableResult
    public func revokeSessions(user id: Int64, at time: Date, reason: String) throws -> Int {
        try db.execute(sql: "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE user_id = ? AND revoked_at IS NULL",
                       arguments: [time.unixSeconds, reason, id])
        return db.changesCount
    }
}

extension IndexWriter {
    /// Maps the OS login `login` to an account.
    /// - Returns: whether the mapping is new.
    @discardableResult
    public func mapOSLogin(_ login: String, user id: Int64, by actor: String, at time: Date) throws -> Bool {
        try db.execute(sql: "INSERT OR IGNORE INTO os_logins (login, user_id, mapped_at, mapped_by) VALUES (?, ?, ?, ?)",
                       arguments: [login, id, time.unixSeconds, actor])
        return db.changesCount > 0
    }

    /// Removes the mapping of the OS login `login` to an account.
    /// - Returns: whether there was one.
    @discardableResult
    public func unmapOSLogin(_ login: String, user id: Int64) throws -> Bool {
        try db.execute(sql: "DELETE FROM os_logins WHERE login = ? AND user_id = ?", arguments: [login, id])
        return db.changesCount > 0
    }
}
