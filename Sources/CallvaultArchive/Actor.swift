public import CallvaultAccess

/// Who acts: a person's user id or a service identity, with the authorisation used and origin.
public struct Actor: Sendable, Equatable {
    public var name: String
    public var role: String
    public var origin: String

    public init(name: String, role: String = "cli", origin: String = "cli") {
        self.name = name
        self.role = role
        self.origin = origin
    }
}

extension Actor {
    /// The actor of an authenticated request: the principal's name and current role, and where
    /// the request came from (e.g. `http@10.0.0.7`).
    public init(_ principal: Principal, origin: String) {
        self.init(name: principal.name, role: principal.role.rawValue, origin: origin)
    }

    /// Whether the role this actor acts in may take `action` (PermissionTable, R9); a role
    /// name that is not a `Role` (a service, the plain CLI) may take none of the gated actions.
    func may(_ action: Action) -> Bool {
        Role(rawValue: role).map { PermissionTable.allows($0, action) } ?? false
    }
}
