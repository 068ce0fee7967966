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
