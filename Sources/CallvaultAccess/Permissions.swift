/// A role a user account holds (CLI.md, issue 5): what a person or machine may do in the archive.
public enum Role: String, Sendable, CaseIterable, Codable, Comparable {
    /// Manages users and the configuration; sees no personal data.
    case admin
    /// Holds, erasure, restriction, exports, the request register and the audit trail; the only
    /// role that sees restricted customers' data.
    case compliance
    /// Customer-service lead: searches, views and plays calls.
    case lead
    /// Reads the audit trail only.
    case auditor
    /// A machine that uploads PBX exports; nothing else.
    case ingest

    public static func < (lhs: Role, rhs: Role) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// Whether accounts of this role are people who log in with a password (every role but
    /// `ingest`, whose machines authenticate with tokens only).
    public var isPerson: Bool { self != .ingest }

    /// The roles people hold (what the CLI's `--role` accepts).
    public static var personRoles: [Role] { allCases.filter(\.isPerson) }

    /// Parses a role name, with an error that lists the valid ones.
    public init(parsing text: String) throws(AccessError) {
        guard let role = Role(rawValue: text.lowercased()) else {
            throw AccessError.unknownRole(String(text.prefix(32)))
        }
        self = role
    }
}

/// Everything the archive lets someone do, as one vocabulary shared by the CLI, the web UI and
/// the HTTP API. Every route and command maps to exactly one action.
public enum Action: String, Sendable, CaseIterable, Codable {
    case search
    case viewItem = "view-item"
    case playRecording = "play-recording"
    case viewCustomer = "view-customer"
    /// Sees items of customers whose processing is restricted (R14/Art. 18).
    case viewRestricted = "view-restricted"
    case listHolds = "list-holds"
    case placeHold = "place-hold"
    case releaseHold = "release-hold"
    case erase
    case restrict
    case export
    case manageRequests = "manage-requests"
    case runExpiry = "run-expiry"
    case readAudit = "read-audit"
    case verifyAudit = "verify-audit"
    case viewIngestStatus = "view-ingest-status"
    case ingest
    case manageUsers = "manage-users"
    case readMetrics = "read-metrics"
    /// Ingests files from the archive machine's own folders (`callvault ingest`); uploads over
    /// HTTP and the spool are `ingest`.
    case ingestFiles = "ingest-files"
    /// Loads the customers file: names and numbers, relinking items (`customers import`).
    case importCustomers = "import-customers"
    /// Corrects an item's customer link by hand (`link` / `unlink`, R36).
    case rectify
    /// Recomputes every item's retention after a rule change (`retention apply`).
    case manageRetention = "manage-retention"
    /// Re-reads every blob against the index (`verify`), lists the quarantine (`quarantine list`).
    case verifyArchive = "verify-archive"
    /// Heals blobs a source proves and quarantines the rest (`verify --repair`); deletes
    /// quarantine entries not under hold (`quarantine purge`); re-codes blobs with today's
    /// codec (`recompress`).
    case repairArchive = "repair-archive"
}

/// The single role × action table every request and command is authorised by (R9: least
/// privilege; a role not listed for an action is denied).
public enum PermissionTable {
    /// The actions each role may take.
    public static let grants: [Role: Set<Action>] = [
        .admin: [.manageUsers, .verifyAudit, .viewIngestStatus, .readMetrics, .runExpiry,
                 .ingestFiles, .importCustomers, .manageRetention, .verifyArchive, .repairArchive],
        .compliance: [.search, .viewItem, .playRecording, .viewCustomer, .viewRestricted,
                      .listHolds, .placeHold, .releaseHold, .erase, .restrict, .export,
                      .manageRequests, .runExpiry, .readAudit, .verifyAudit, .viewIngestStatus,
                      .importCustomers, .rectify, .manageRetention],
        .lead: [.search, .viewItem, .playRecording, .viewCustomer],
        .auditor: [.readAudit, .verifyAudit],
        .ingest: [.ingest, .ingestFiles],
    ]

    /// Whether `role` may take `action`.
    public static func allows(_ role: Role, _ action: Action) -> Bool {
        grants[role, default: []].contains(action)
    }

    /// The roles that may take `action`, in declaration order (for error messages).
    public static func roles(allowedTo action: Action) -> [Role] {
        Role.allCases.filter { allows($0, action) }
    }
}

/// The identities the archive's own jobs act as (R3), never a person's: each may take only the
/// action its job is for. A person who runs a job by hand (`callvault expire`) acts as themselves.
public enum ServiceIdentity: String, Sendable, CaseIterable {
    /// The spool watcher (`watch`, and inside `serve`): files PBX hooks drop.
    case spool = "svc:spool"
    /// Scheduled expiry inside `serve`.
    case expiry = "svc:expiry"
    /// The archive's own upgrade steps on opening (dating items stored before retention
    /// classes); runs no use case, so it is granted nothing.
    case upgrade = "svc:upgrade"

    /// The actions the job may take.
    public var grants: Set<Action> {
        switch self {
        case .spool: return [.ingest]
        case .expiry: return [.runExpiry]
        case .upgrade: return []
        }
    }
}

/// Why an account operation or an authorisation failed, worded for the person who can fix it.
public enum AccessError: Error, Equatable, CustomStringConvertible, Sendable {
    case unknownRole(String)
    case denied(role: Role, action: Action)
    /// A password that breaks `PasswordPolicy`, with what to change.
    case weakPassword(String)
    /// An account name that is not a valid user id.
    case invalidAccountName(String)
    /// A shared or generic account name (R10).
    case genericAccountName(String)

    public var description: String {
        switch self {
        case .unknownRole(let text):
            return "unknown role '\(text)'; use one of: \(Role.allCases.map(\.rawValue).joined(separator: ", "))"
        case .denied(let role, let action):
            let allowed = PermissionTable.roles(allowedTo: action).map(\.rawValue).joined(separator: " or ")
            return "the \(role.rawValue) role may not \(action.rawValue) (allowed: \(allowed.isEmpty ? "nobody" : allowed))"
        case .weakPassword(let why):
            return why
        case .invalidAccountName(let name):
            return "'\(name)' is not a valid account name: use 2–64 lowercase letters, digits, '.', '-' or '_', starting with a letter (e.g. a person's user id like anna.k)"
        case .genericAccountName(let name):
            return "'\(name)' is a shared or generic account name; every account belongs to one person or one named machine (R10): use the person's own user id (e.g. anna.k) or a service id (e.g. pbx1-upload)"
        }
    }
}
