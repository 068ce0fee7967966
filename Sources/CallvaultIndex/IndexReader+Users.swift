public import Foundation
import GRDB

/// An account row (`users`), with how many of its tokens and sessions are live.
public struct StoredUser: Sendable, Equatable {
    public var id: Int64
    public var name: String
    /// The role name (one of `CallvaultAccess.Role`'s raw values; the schema checks it).
    public var role: String
    public var disabled: Bool
    /// The bcrypt hash, nil for a token-only machine account.
    public var passwordHash: String?
    public var created: Date
    public var createdBy: String
    public var roleChanged: Date
    public var roleChangedBy: String
    public var failedLogins: Int
    public var lockedUntil: Date?
    public var lastLogin: Date?
    /// The latest use of any of the account's tokens.
    public var lastTokenUse: Date?
    /// Tokens not revoked.
    public var activeTokens: Int
    /// Sessions not revoked (idle ones included until they are next looked at).
    public var activeSessions: Int
}

/// An API token row, found by its digest.
public struct StoredToken: Sendable, Equatable {
    public var id: Int64
    public var userID: Int64
    /// `person` or `ingest`.
    public var kind: String
    public var created: Date
    public var lastUsed: Date?
    public var revoked: Date?
}

/// A login session row, found by the digest of its id.
public struct StoredSession: Sendable, Equatable {
    public var userID: Int64
    public var csrf: String
    public var origin: String
    public var created: Date
    public var lastSeen: Date
    public var revoked: Date?
}

extension IndexReader {
    static let userColumns = """
        u.*, (SELECT count(*) FROM tokens t WHERE t.user_id = u.id AND t.revoked_at IS NULL) AS active_tokens,
        (SELECT count(*) FROM sessions s WHERE s.user_id = u.id AND s.revoked_at IS NULL) AS active_sessions,
        (SELECT max(t.last_used_at) FROM tokens t WHERE t.user_id = u.id) AS last_token_use
        """

    /// The account called `name` (canonical lowercase form), or nil.
    public func user(named name: String) throws -> StoredUser? {
        try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM users u WHERE u.name = ?", arguments: [name]).map(Self.user)
    }

    /// The account with row id `id`, or nil.
    public func user(id: Int64) throws -> StoredUser? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(Self.userColumns) FROM users u WHERE u.id = ?"), arguments: [id]).map(Self.user)
    }

    /// Every account, by name.
    public func users() throws -> [StoredUser] {
        try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM users u ORDER BY u.name").map(Self.user)
    }

    /// Whether an enabled account holds `role`.
    public func hasEnabledUser(role: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM users WHERE role = ? AND disabled = 0)", arguments: [role]) ?? false
    }

    /// The token whose SHA-256 is `digest`, revoked or not.
    public func token(digest: String) throws -> StoredToken? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tokens WHERE digest = ?"), arguments: [digest]).map { row in
            StoredToken(id: row["id"], userID: row["user_id"], kind: row["kind"], created: Date(unixSeconds: row["created_at"]),
                        lastUsed: (row["last_used_at"] as Int64?).map(Date.init(unixSeconds:)),
                        revoked: (row["revoked_at"] as Int64?).map(Date.init(unixSeconds:)))
        }
    }

    /// The session whose id has SHA-256 `digest`, revoked or not.
    public func session(digest: String) throws -> StoredSession? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sessions WHERE digest = ?"), arguments: [digest]).map { row in
            StoredSession(userID: row["user_id"], csrf: row["csrf"], origin: row["origin"],
                          created: Date(unixSeconds: row["created_at"]), lastSeen: Date(unixSeconds: row["last_seen"]),
                          revoked: (row["revoked_at"] as Int64?).map(Date.init(unixSeconds:)))
        }
    }

    static func user(_ row: Row) -> StoredUser {
        StoredUser(
            id: row["id"], name: row["name"], role: row["role"], disabled: row["disabled"], passwordHash: row["password_hash"],
            created: Date(unixSeconds: row["created_at"]), createdBy: row["created_by"],
            roleChanged: Date(unixSeconds: row["role_changed_at"]), roleChangedBy: row["role_changed_by"],
            failedLogins: row["failed_logins"], lockedUntil: (row["locked_until"] as Int64?).map(Date.init(unixSeconds:)),
            lastLogin: (row["last_login_at"] as Int64?).map(Date.init(unixSeconds:)),
            lastTokenUse: (row["last_token_use"] as Int64?).map(Date.init(unixSeconds:)),
            activeTokens: row["active_tokens"], activeSessions: row["active_sessions"])
    }
}

extension IndexReader {
    /// The accounts the OS login `login` is mapped to, by name (enabled or not).
    public func users(mappedTo login: String) throws -> [StoredUser] {
        try Row.fetchAll(db, sql: """
            SELECT \(Self.userColumns) FROM os_logins m JOIN users u ON u.id = m.user_id WHERE m.login = ? ORDER BY u.name
            """, arguments: [login]).map(Self.user)
    }

    /// The OS logins mapped to each account (by account row id), logins sorted.
    public func osLoginsByUser() throws -> [Int64: [String]] {
        var logins: [Int64: [String]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT user_id, login FROM os_logins ORDER BY login") {
            logins[row["user_id"], default: []].append(row["login"])
        }
        return logins
    }

    /// Whether an enabled account holding `role` is mapped to some OS login.
    public func hasMappedEnabledUser(role: String) throws -> Bool {
        try Bool.fetchOne(db, sql: """
            SELECT EXISTS (SELECT 1 FROM os_logins m JOIN users u ON u.id = m.user_id WHERE u.role = ? AND u.disabled = 0)
            """, arguments: [role]) ?? false
    }
}
