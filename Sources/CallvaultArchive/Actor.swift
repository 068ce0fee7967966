public import CallvaultAccess

/// Who acts in a use case: a proven person or machine (an authenticated `Principal`: a web
/// session, a bearer token, or on the command line the OS login or `CALLVAULT_TOKEN` that
/// `Archive.cliIdentity` resolved), or one of the archive's own jobs (`Archive.spoolActor`,
/// `Archive.expiryActor`). There is no way to make one from a name and a role someone merely
/// declared: what an actor may do is its account's role in `PermissionTable`, or its job's grant.
public struct Actor: Sendable, Equatable {
    /// The account name, or the service identity (`svc:spool`, `svc:expiry`).
    public let name: String
    /// What the audit log records as the role: the account's role, or `service`.
    public let role: String
    /// Where it acts from (`http@10.0.0.7`, `cli:ann@host`, `spool`, ...).
    public let origin: String
    /// The actions it may take.
    let grants: Set<Action>

    /// The actor of an authenticated principal: its name and current role, and where it acts
    /// from (e.g. `http@10.0.0.7`).
    public init(_ principal: Principal, origin: String) {
        name = principal.name
        role = principal.role.rawValue
        self.origin = origin
        grants = PermissionTable.grants[principal.role, default: []]
    }

    /// A job's own identity, with its grant; made only by the archive (`spoolActor`, `expiryActor`).
    init(service: ServiceIdentity, origin: String) {
        name = service.rawValue
        role = "service"
        self.origin = origin
        grants = service.grants
    }

    /// Whether this actor may take `action` (PermissionTable, R9).
    func may(_ action: Action) -> Bool { grants.contains(action) }
}
