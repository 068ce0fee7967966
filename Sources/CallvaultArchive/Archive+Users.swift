public import Foundation
public import CallvaultAccess
import CallvaultModel
import CallvaultIndex
import CallvaultAudit

/// An account as `users list` shows it (no secrets).
public struct UserAccount: Sendable, Equatable {
    public var name: String
    public var role: Role
    public var isDisabled: Bool
    /// Whether the account logs in with a password (people); machine accounts use tokens only.
    public var hasPassword: Bool
    public var created: Date
    public var createdBy: String
    /// When the current role was granted, and by whom.
    public var roleGranted: Date
    public var roleGrantedBy: String
    /// Set while the account is locked after failed logins.
    public var lockedUntil: Date?
    public var lastLogin: Date?
    /// The latest use of any of the account's tokens (noted at most once a minute).
    public var lastTokenUse: Date?
    public var activeTokens: Int
    public var activeSessions: Int
    /// The OS logins that act as this account on the command line (issue 16), sorted.
    public var osLogins: [String]
}

/// The outcome of a change to someone's access: the account after it and what it ended.
public struct AccessChange: Sendable, Equatable {
    public var user: UserAccount
    /// The role before a role change (nil for other changes).
    public var previousRole: Role?
    /// Sessions ended by the change.
    public var endedSessions: Int
    /// Tokens revoked by the change.
    public var revokedTokens: Int
}

/// A freshly issued API token. The plaintext exists only in this value: print it once.
public struct IssuedToken: Sendable, Equatable {
    public var token: String
    public var user: String
    public var kind: TokenKind
}

extension Archive {
    /// The command that creates the first admin (printed by `init` and by refusals).
    public static let firstAdminHint = "callvault users add NAME --role admin --password-stdin"

    // MARK: administration

    /// Whether an enabled admin account exists (`serve` refuses to start without one).
    public func hasEnabledAdmin() throws -> Bool {
        try index.read { try $0.hasEnabledUser(role: Role.admin.rawValue) }
    }

    /// Throws, saying how to create one, unless an enabled admin account exists.
    public func requireEnabledAdmin() throws {
        guard try hasEnabledAdmin() else {
            throw ArchiveFailure(.refused, "this archive has no enabled admin account: create the first one with `\(Self.firstAdminHint)` (NAME is your own user id)")
        }
    }

    /// Creates an account (R10): a personal or service id, never a shared or generic name.
    /// People (admin, compliance, lead, auditor) need a password that meets `PasswordPolicy`;
    /// an `ingest` machine account has none and authenticates with tokens only. `osLogins` are
    /// mapped to it at once (issue 16). Needs `manage-users` (the first admin of an archive is
    /// made by `addFirstAdmin`). Audited with the actor.
    @discardableResult
    public func addUser(_ name: String, role: Role, password: String?, osLogins: [String] = [], actor: Actor) throws -> UserAccount {
        try authorize(actor, .manageUsers, items: ["user:\(name.prefix(64))"])
        let name = try Self.accountName(name)
        let logins = try Array(Set(osLogins.map(Self.osLoginName))).sorted()
        let hash = try passwordHash(password, role: role, account: name)
        let time = clock()
        return try managingUsers("user-add", target: name, actor: actor) { writer, reader in
            guard try reader.user(named: name) == nil else {
                throw ArchiveFailure(.refused, "an account named \(name) exists already (`callvault users list`)")
            }
            let id = try writer.insertUser(name: name, role: role.rawValue, passwordHash: hash, by: actor.name, at: time)
            for login in logins { try writer.mapOSLogin(login, user: id, by: actor.name, at: time) }
            var details = ["role": role.rawValue, "password": String(hash != nil)]
            if !logins.isEmpty { details["os_user"] = logins.joined(separator: ",") }
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "user-add", items: ["user:\(name)"],
                                              details: details, origin: actor.origin), at: time)
            return Self.account(try reader.user(id: id)!, osLogins: logins)
        }
    }

    /// Checks a new account's password against its kind and `PasswordPolicy`, and hashes it.
    func passwordHash(_ password: String?, role: Role, account name: String) throws -> String? {
        if role.isPerson {
            guard let password else {
                throw ArchiveFailure(.badInput, "\(role == .admin || role == .auditor ? "an" : "a") \(role.rawValue) account is a person's and needs a password: pass it on standard input with --password-stdin")
            }
            try Self.checkPolicy(password, account: name)
        } else if password != nil {
            throw ArchiveFailure(.badInput, "an ingest account is a machine's: it has no password and authenticates with a token; omit --password-stdin and run `callvault users token \(name)`")
        }
        return password.map(passwords.hash)
    }

    /// Every account, by name, with the OS logins mapped to it; needs `manage-users`. Audited.
    public func listUsers(actor: Actor) throws -> [UserAccount] {
        try authorize(actor, .manageUsers)
        return try managingUsers("user-list", target: nil, actor: actor) { writer, reader in
            let logins = try reader.osLoginsByUser()
            let users = try reader.users().map { Self.account($0, osLogins: logins[$0.id] ?? []) }
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "user-list", details: ["users": String(users.count)],
                                              origin: actor.origin), at: clock())
            return users
        }
    }

    /// Gives an account another role (R11): a grant and the revoke of the old role, audited
    /// with who did it and why. The account's sessions and tokens end at once, so nothing keeps
    /// acting with the old role. Refused for one's own account (self-approval) and for the last
    /// enabled admin.
    public func setRole(_ name: String, to role: Role, reason: String? = nil, actor: Actor) throws -> AccessChange {
        try authorize(actor, .manageUsers, items: ["user:\(name.prefix(64))"])
        let name = try Self.existingName(name)
        let time = clock()
        return try managingUsers("user-role", target: name, actor: actor) { writer, reader in
            let user = try Self.requireUser(name, reader)
            guard user.name != actor.name else {
                throw ArchiveFailure(.refused, "you cannot change your own role (R11: a grant needs an approver other than the grantee); ask another admin")
            }
            let previous = Role(rawValue: user.role)
            guard previous != role else { throw ArchiveFailure(.refused, "\(name) has the \(role.rawValue) role already") }
            if role == .ingest, user.passwordHash != nil {
                throw ArchiveFailure(.refused, "\(name) is a person's account (it has a password); an ingest account is a machine's: add one with `callvault users add NAME --role ingest`")
            }
            if role.isPerson, user.passwordHash == nil {
                throw ArchiveFailure(.refused, "\(name) is a machine account without a password; \(role == .admin || role == .auditor ? "an" : "a") \(role.rawValue) account is a person's: add one for the person with `callvault users add NAME --role \(role.rawValue) --password-stdin`")
            }
            try Self.keepAnAdmin(losing: user, reader)
            try writer.setRole(user: user.id, role: role.rawValue, by: actor.name, at: time)
            let sessions = try writer.revokeSessions(user: user.id, at: time, reason: "role changed")
            let tokens = try writer.revokeTokens(user: user.id, at: time)
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "user-role", items: ["user:\(name)"],
                                              details: ["from": user.role, "to": role.rawValue, "grant": role.rawValue, "revoke": user.role,
                                                        "sessions-ended": String(sessions), "tokens-revoked": String(tokens)],
                                              reason: Self.trimmed(reason), origin: actor.origin), at: time)
            return AccessChange(user: try Self.account(id: user.id, reader), previousRole: previous,
                                endedSessions: sessions, revokedTokens: tokens)
        }
    }

    /// Disables an account: it can no longer log in, and its sessions and tokens end at once
    /// (R11). Refused for one's own account and for the last enabled admin. Audited.
    public func disableUser(_ name: String, reason: String? = nil, actor: Actor) throws -> AccessChange {
        try authorize(actor, .manageUsers, items: ["user:\(name.prefix(64))"])
        let name = try Self.existingName(name)
        let time = clock()
        return try managingUsers("user-disable", target: name, actor: actor) { writer, reader in
            let user = try Self.requireUser(name, reader)
            guard user.name != actor.name else { throw ArchiveFailure(.refused, "you cannot disable your own account; ask another admin") }
            try Self.keepAnAdmin(losing: user, reader)
            try writer.setDisabled(user: user.id, true)
            let sessions = try writer.revokeSessions(user: user.id, at: time, reason: "account disabled")
            let tokens = try writer.revokeTokens(user: user.id, at: time)
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "user-disable", items: ["user:\(name)"],
                                              details: ["role": user.role, "was-disabled": String(user.disabled),
                                                        "sessions-ended": String(sessions), "tokens-revoked": String(tokens)],
                                              reason: Self.trimmed(reason), origin: actor.origin), at: time)
            return AccessChange(user: try Self.account(id: user.id, reader), previousRole: nil,
                                endedSessions: sessions, revokedTokens: tokens)
        }
    }

    /// Enables a disabled account again (its old tokens stay revoked: issue new ones). Audited.
    public func enableUser(_ name: String, reason: String? = nil, actor: Actor) throws -> UserAccount {
        try authorize(actor, .manageUsers, items: ["user:\(name.prefix(64))"])
        let name = try Self.existingName(name)
        let time = clock()
        return try managingUsers("user-enable", target: name, actor: actor) { writer, reader in
            let user = try Self.requireUser(name, reader)
            guard user.name != actor.name else { throw ArchiveFailure(.refused, "you cannot enable your own account; ask another admin") }
            try writer.setDisabled(user: user.id, false)
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "user-enable", items: ["user:\(name)"],
                                              details: ["role": user.role, "was-disabled": String(user.disabled)],
                                              reason: Self.trimmed(reason), origin: actor.origin), at: time)
            return try Self.account(id: user.id, reader)
        }
    }

    /// Sets a person's password (by an admin, or by the person for their own account, as proven
    /// by the actor's identity: `--as` cannot make anyone else that person); clears
    /// a lockout and ends the account's sessions. Audited (never the password).
    public func setPassword(_ name: String, password: String, actor: Actor) throws {
        let name = try Self.existingName(name)
        // A person may set their own password; anyone else's needs `manage-users`.
        if name != actor.name { try authorize(actor, .manageUsers, items: ["user:\(name)"]) }
        try Self.checkPolicy(password, account: name)
        let hash = passwords.hash(password)
        let time = clock()
        try managingUsers("user-passwd", target: name, actor: actor) { writer, reader in
            let user = try Self.requireUser(name, reader)
            guard Role(rawValue: user.role)?.isPerson == true else {
                throw ArchiveFailure(.refused, "\(name) is an ingest (machine) account: it has no password; issue it a token with `callvault users token \(name)`")
            }
            guard !user.disabled else { throw ArchiveFailure(.refused, "\(name) is disabled; enable it first with `callvault users enable \(name)`") }
            try writer.setPasswordHash(user: user.id, hash)
            let sessions = try writer.revokeSessions(user: user.id, at: time, reason: "password changed")
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "user-passwd", items: ["user:\(name)"],
                                              details: ["sessions-ended": String(sessions)], origin: actor.origin), at: time)
        }
    }

    /// Issues an API token for an existing, enabled account: an `ingest` token for an ingest
    /// account, a person token (acting with the person's role) otherwise. Only the token's
    /// SHA-256 is stored; the plaintext is returned once. Needs an enabled admin. Audited.
    public func issueToken(for name: String, actor: Actor) throws -> IssuedToken {
        try authorize(actor, .manageUsers, items: ["user:\(name.prefix(64))"])
        let name = try Self.existingName(name)
        let token = Secrets.newToken()
        let time = clock()
        return try managingUsers("token-issue", target: name, actor: actor) { writer, reader in
            let user = try Self.requireUser(name, reader)
            guard !user.disabled else { throw ArchiveFailure(.refused, "\(name) is disabled: a disabled account gets no token") }
            let kind: TokenKind = user.role == Role.ingest.rawValue ? .ingest : .person
            let id = try writer.insertToken(user: user.id, digest: Secrets.digest(token), kind: kind.rawValue, by: actor.name, at: time)
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "token-issue", items: ["user:\(name)", "token-\(id)"],
                                              details: ["kind": kind.rawValue, "role": user.role], origin: actor.origin), at: time)
            return IssuedToken(token: token, user: name, kind: kind)
        }
    }

    // MARK: authentication

    /// Who a bearer token belongs to, or nil if it is unknown, revoked, or its account is
    /// disabled. Costs one SHA-256 and an index lookup (no bcrypt), so it runs on every request;
    /// the token's last use is noted at most once a minute.
    public func authenticate(token: String, now: Date? = nil) throws -> Principal? {
        guard case .valid(let stored, let user, let role) = try checkToken(token) else { return nil }
        try noteUse(of: stored, at: now ?? clock())
        return Principal(name: user.name, role: role)
    }

    /// Notes a token's use (at most once a minute), for the access review's last use.
    func noteUse(of token: StoredToken, at time: Date) throws {
        if token.lastUsed.map({ time.timeIntervalSince($0) >= 60 }) ?? true {
            try index.write { writer in try writer.touchToken(token.id, at: time) }
        }
    }

    /// Logs a person in with name and password and starts a session (issue 5). After
    /// `LoginPolicy.maximumFailedLogins` wrong passwords in a row the account is locked for
    /// `LoginPolicy.lockoutDuration`; while locked every attempt is refused without checking the
    /// password. Failed logins, lockouts and logins are audited with `origin` (e.g. the client
    /// address); a password is never recorded.
    /// - Throws: `ArchiveFailure(.refused)` with one message for an unknown name, a wrong password,
    ///   a disabled account and a locked one, in about the same time (one bcrypt run each): the
    ///   answer never confirms that an account exists (the audit log records which it was).
    public func login(name: String, password: String, origin: String, now: Date? = nil) throws -> Session {
        let time = now ?? clock()
        let name = name.trimmingCharacters(in: .whitespaces).lowercased()
        let wrong = ArchiveFailure(.refused, Self.loginRefusal)
        let user = name.isEmpty || name.utf8.count > 64 ? nil : try index.read { try $0.user(named: name) }
        guard let user, !user.disabled, let hash = user.passwordHash, let role = Role(rawValue: user.role), role.isPerson else {
            // Spend as long as a real check (one bcrypt run), so the answer's timing does not tell which names exist.
            _ = passwords.hash(password)
            try auditLogin("login-failed", user: user, origin: origin, reason: user == nil ? "unknown account" : "account disabled or without password", at: time)
            throw wrong
        }
        if let until = user.lockedUntil, until > time {
            // The same answer, in the same time, as a wrong password: a lockout must not tell a
            // guesser that the name is an account. The password is checked and ignored.
            _ = passwords.verify(password, hash: hash)
            try auditLogin("login-failed", user: user, origin: origin, reason: "locked", at: time)
            throw wrong
        }
        guard passwords.verify(password, hash: hash) else {
            try recordWrongPassword(user, action: "login-failed", origin: origin, at: time)
            throw wrong
        }
        let id = Secrets.newSessionID(), csrf = Secrets.newCSRFToken()
        try index.write { writer in
            try writer.recordLogin(user: user.id, at: time)
            try writer.insertSession(digest: Secrets.digest(id), user: user.id, csrf: csrf, origin: origin, at: time)
            try writer.appendAudit(AuditEvent(actor: user.name, role: user.role, action: "login", items: ["user:\(user.name)"],
                                              origin: origin), at: time)
        }
        return Session(id: id, csrf: csrf, principal: Principal(name: user.name, role: role))
    }

    /// The one answer to a refused login, whatever the reason (unknown name, wrong password,
    /// disabled or locked account).
    public static let loginRefusal = "wrong user name or password (after \(LoginPolicy.maximumFailedLogins) failed logins in a row an account is locked for \(Int(LoginPolicy.lockoutDuration / 60)) minutes: wait, or ask an admin to set a new password)"

    /// Who a session belongs to, or nil if it is unknown, ended, idle for longer than
    /// `idleTimeout` (it is ended then, audited), or its account is disabled. Counts as
    /// activity: the idle clock restarts (noted at most every 10 seconds).
    public func session(id: String, now: Date? = nil, idleTimeout: TimeInterval = LoginPolicy.defaultIdleTimeout) throws -> Principal? {
        guard !id.isEmpty, id.utf8.count < 200 else { return nil }
        let digest = Secrets.digest(id)
        let time = now ?? clock()
        let found: (StoredSession, StoredUser)? = try index.read { reader in
            guard let session = try reader.session(digest: digest), let user = try reader.user(id: session.userID) else { return nil }
            return (session, user)
        }
        guard let (session, user) = found, session.revoked == nil, !user.disabled, let role = Role(rawValue: user.role) else { return nil }
        if time.timeIntervalSince(session.lastSeen) > idleTimeout {
            try index.write { writer in
                guard try writer.revokeSession(digest: digest, at: time, reason: "idle") else { return }
                try writer.appendAudit(AuditEvent(actor: user.name, role: user.role, action: "session-expire", items: ["user:\(user.name)"],
                                                  details: ["idle-s": String(Int(time.timeIntervalSince(session.lastSeen)))],
                                                  reason: "idle timeout", origin: session.origin), at: time)
            }
            return nil
        }
        if time.timeIntervalSince(session.lastSeen) >= 10 {
            try index.write { writer in try writer.touchSession(digest: digest, at: time) }
        }
        return Principal(name: user.name, role: role)
    }

    /// Whether `token` is the CSRF token of the live session `sessionID` (compared in constant time).
    public func isValidCSRF(_ token: String, session sessionID: String) throws -> Bool {
        guard let csrf = try csrfToken(session: sessionID) else { return false }
        return Secrets.constantTimeEquals(csrf, token)
    }

    /// The CSRF token of the live session `sessionID`, to put into forms; nil for an ended session.
    public func csrfToken(session sessionID: String) throws -> String? {
        let digest = Secrets.digest(sessionID)
        return try index.read { reader in
            guard let session = try reader.session(digest: digest), session.revoked == nil else { return nil }
            return session.csrf
        }
    }

    /// Ends a session (logout); audited. Returns whether it was live.
    @discardableResult
    public func logout(sessionID: String, now: Date? = nil) throws -> Bool {
        let digest = Secrets.digest(sessionID)
        let time = now ?? clock()
        return try index.write { writer in
            let reader = IndexReader(writer)
            guard let session = try reader.session(digest: digest), let user = try reader.user(id: session.userID),
                  try writer.revokeSession(digest: digest, at: time, reason: "logout") else { return false }
            try writer.appendAudit(AuditEvent(actor: user.name, role: user.role, action: "logout", items: ["user:\(user.name)"],
                                              origin: session.origin), at: time)
            return true
        }
    }

    // MARK: helpers

    /// Runs a user-management step for `actor` (authorised by the caller) in one write
    /// transaction; a failure thrown by `body` is audited (denied for a refusal, else failed)
    /// and thrown (`body` validates before it writes).
    @discardableResult
    func managingUsers<T>(_ action: String, target: String?, actor: Actor,
                          _ body: (IndexWriter, IndexReader) throws -> T) throws -> T {
        let time = clock()
        let items = target.map { ["user:\($0)"] } ?? []
        let outcome: Result<T, ArchiveFailure> = try index.write { writer in
            do {
                return .success(try body(writer, IndexReader(writer)))
            } catch let failure as ArchiveFailure {
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: action, items: items,
                                                  outcome: failure.kind == .refused ? .denied : .failed,
                                                  reason: failure.message, origin: actor.origin), at: time)
                return .failure(failure)
            }
        }
        return try outcome.get()
    }

    /// Counts a wrong password against `user` (audited as `action`, denied); after
    /// `LoginPolicy.maximumFailedLogins` in a row locks the account (audited `login-lockout`).
    /// - Returns: when the account is now locked until, if it was locked.
    @discardableResult
    func recordWrongPassword(_ user: StoredUser, action: String, origin: String, at time: Date) throws -> Date? {
        try index.write { writer in
            let failures = try writer.recordFailedLogin(user: user.id)
            try writer.appendAudit(AuditEvent(actor: user.name, role: user.role, action: action, items: ["user:\(user.name)"],
                                              details: ["failures": String(failures)], outcome: .denied, reason: "wrong password",
                                              origin: origin), at: time)
            guard failures >= LoginPolicy.maximumFailedLogins else { return nil }
            let until = time.addingTimeInterval(LoginPolicy.lockoutDuration)
            try writer.lock(user: user.id, until: until)
            try writer.appendAudit(AuditEvent(actor: user.name, role: user.role, action: "login-lockout", items: ["user:\(user.name)"],
                                              details: ["failures": String(failures), "until": Self.isoFormatter.format(until)],
                                              outcome: .denied, reason: "\(failures) failed logins", origin: origin), at: time)
            return until
        }
    }

    func auditLogin(_ action: String, user: StoredUser?, origin: String, reason: String, at time: Date) throws {
        _ = try index.write { writer in
            try writer.appendAudit(AuditEvent(actor: user?.name ?? "unknown", role: user?.role ?? "none", action: action,
                                              items: user.map { ["user:\($0.name)"] } ?? [], outcome: .denied, reason: reason,
                                              origin: origin), at: time)
        }
    }

    static func accountName(_ name: String) throws -> String {
        do { return try AccountName.validate(name) } catch { throw ArchiveFailure(.badInput, error.description) }
    }

    /// The canonical form of the name of an account that should exist (not re-checked against
    /// the generic names, so an old account can still be managed).
    static func existingName(_ name: String) throws -> String {
        let canonical = name.trimmingCharacters(in: .whitespaces).lowercased()
        guard !canonical.isEmpty, canonical.utf8.count <= 64 else {
            throw ArchiveFailure(.badInput, "name an account (2–64 characters); `callvault users list` lists them")
        }
        return canonical
    }

    static func checkPolicy(_ password: String, account: String) throws {
        do { try PasswordPolicy.check(password, account: account) } catch { throw ArchiveFailure(.badInput, error.description) }
    }

    static func requireUser(_ name: String, _ reader: IndexReader) throws -> StoredUser {
        guard let user = try reader.user(named: name) else {
            throw ArchiveFailure(.notFound, "no account named \(name); `callvault users list` lists them")
        }
        return user
    }

    /// Refuses a change that would leave the archive without an enabled admin.
    static func keepAnAdmin(losing user: StoredUser, _ reader: IndexReader) throws {
        guard user.role == Role.admin.rawValue, !user.disabled else { return }
        let others = try reader.users().filter { $0.role == Role.admin.rawValue && !$0.disabled && $0.id != user.id }
        if others.isEmpty {
            throw ArchiveFailure(.refused, "\(user.name) is the only enabled admin: add another admin first, or the archive could no longer be managed")
        }
    }

    static func trimmed(_ text: String?) -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespacesAndNewlines), !text.isEmpty else { return nil }
        return text
    }

    /// The account with row id `id` as `users list` shows it, with its OS logins.
    static func account(id: Int64, _ reader: IndexReader) throws -> UserAccount {
        account(try reader.user(id: id)!, osLogins: try reader.osLoginsByUser()[id] ?? [])
    }

    static func account(_ user: StoredUser, osLogins: [String]) -> UserAccount {
        UserAccount(name: user.name, role: Role(rawValue: user.role) ?? .auditor, isDisabled: user.disabled,
                    hasPassword: user.passwordHash != nil, created: user.created, createdBy: user.createdBy,
                    roleGranted: user.roleChanged, roleGrantedBy: user.roleChangedBy, lockedUntil: user.lockedUntil,
                    lastLogin: user.lastLogin, lastTokenUse: user.lastTokenUse, activeTokens: user.activeTokens, activeSessions: user.activeSessions,
                    osLogins: osLogins)
    }
}
