/// Someone the archive has authenticated: a person's or a machine's own account (R10) and the
/// role it holds now. What they may do is `PermissionTable.allows(principal.role, action)`.
public struct Principal: Sendable, Equatable, Hashable, Codable {
    /// The account name (a person's user id or a machine's service id).
    public var name: String
    /// The role the account holds now.
    public var role: Role

    /// Creates a principal.
    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }

    /// Whether this principal may take `action` (R9).
    public func may(_ action: Action) -> Bool { PermissionTable.allows(role, action) }
}

/// A logged-in person's session (issue 5): the session id goes into an HttpOnly,
/// SameSite=Strict cookie; the CSRF token into every state-changing form. Only a digest of
/// the id is stored, so the id is known to the browser alone.
public struct Session: Sendable, Equatable {
    /// The session id for the cookie (plaintext; shown once).
    public var id: String
    /// The token every state-changing form must carry back.
    public var csrf: String
    /// Who logged in.
    public var principal: Principal

    /// Creates a session value.
    public init(id: String, csrf: String, principal: Principal) {
        self.id = id
        self.csrf = csrf
        self.principal = principal
    }
}

/// What an API token lets its holder be: a person's own API access, or a machine that uploads.
public enum TokenKind: String, Sendable, Codable, CaseIterable {
    /// A token of a person's account (acts with the person's current role).
    case person
    /// A token of an `ingest` machine account: upload only.
    case ingest
}

/// The login rules of issue 5: lockout after repeated failures, and the idle timeout of sessions.
public enum LoginPolicy {
    /// Failed logins in a row that lock an account.
    public static let maximumFailedLogins = 5
    /// How long a locked account stays locked.
    public static let lockoutDuration: Double = 15 * 60
    /// How long a session may go unused before it ends.
    public static let defaultIdleTimeout: Double = 30 * 60
}
