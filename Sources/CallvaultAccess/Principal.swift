/// Who a request or session acts as: an account's name and its role (the audit actor's name and role).
public struct Principal: Sendable, Equatable {
    /// The account's name, recorded as the acting user in the audit log.
    public var name: String
    /// The account's role, which the permission table authorises.
    public var role: Role

    /// Creates a principal.
    public init(name: String, role: Role) {
        self.name = name
        self.role = role
    }
}
