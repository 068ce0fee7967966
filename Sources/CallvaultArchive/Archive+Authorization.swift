import Foundation
public import CallvaultAccess
import CallvaultModel
import CallvaultIndex
import CallvaultAudit

extension Archive {
    /// The identity the spool watcher ingests under (R3): it may ingest, nothing else.
    public static let spoolActor = Actor(service: .spool, origin: "spool")

    /// The identity scheduled expiry runs under (R3): it may run expiry, nothing else.
    public static let expiryActor = Actor(service: .expiry, origin: "expiry")

    /// The identity the archive's own upgrade steps run under (dating items stored before
    /// retention classes existed); it takes no action of the permission table.
    static let upgradeActor = Actor(service: .upgrade, origin: "upgrade")

    /// The one authorisation check of the archive: every public use case starts with it, with
    /// the same `PermissionTable` the HTTP routes and web pages are authorised by. A refusal is
    /// audited (outcome `denied`, the action's name, `items`) and thrown as `.refused`.
    func authorize(_ actor: Actor, _ action: Action, items: [String] = []) throws {
        guard !actor.may(action) else { return }
        let denial: String
        if let role = Role(rawValue: actor.role) {
            denial = "\(actor.name): \(AccessError.denied(role: role, action: action).description)"
        } else {
            denial = "\(actor.name) is a service identity and may not \(action.rawValue)"
        }
        try recordDenial(action: action.rawValue, items: items, reason: denial, actor: actor)
        throw ArchiveFailure(.refused, denial)
    }
}
