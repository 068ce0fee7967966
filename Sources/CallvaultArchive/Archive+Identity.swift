import Foundation
public import CallvaultAccess
import CallvaultModel
import CallvaultIndex
import CallvaultAudit

/// What a token lookup found (`Archive.checkToken`).
enum TokenCheck {
    case unknown
    case revoked(StoredUser)
    case disabled(StoredUser)
    /// A token whose kind no longer fits its account's role (an ingest token never acts as a person).
    case wrongKind(StoredUser)
    case valid(StoredToken, StoredUser, Role)
}

extension Archive {
    // MARK: the command line's identity (issue 16)

    /// Who runs a command, proven rather than declared (issue 16). With `token`
    /// (`CALLVAULT_TOKEN`), that token's account; `pick` (`--as`) may only name the same account.
    /// Otherwise the accounts the OS login `osLogin` (the process's effective user, never an
    /// environment variable) is mapped to: none is an error that says how to get mapped; one is
    /// the actor (`pick` optional, it must match); several need `pick` to name one of them.
    /// A disabled account, an unknown or revoked token is refused. Every refusal is audited
    /// (`cli-auth`, denied) and changes nothing else.
    /// - Parameter host: the machine's name, for the actor's origin (`cli:LOGIN@HOST`).
    public func cliIdentity(osLogin: String, token: String?, pick: String?, host: String) throws -> Actor {
        let origin = "cli:\(osLogin)@\(host)"
        let picked = pick.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        func refuse(_ message: String, account: StoredUser? = nil) throws -> Never {
            try index.write { writer in
                try writer.appendAudit(AuditEvent(actor: account?.name ?? "unknown", role: account?.role ?? "none", action: "cli-auth",
                                                  items: account.map { ["user:\($0.name)"] } ?? [],
                                                  details: ["os_user": String(osLogin.prefix(64)), "method": token == nil ? "os-login" : "token"],
                                                  outcome: .denied, reason: message, origin: origin), at: clock())
            }
            throw ArchiveFailure(.refused, message)
        }
        if let token {
            switch try checkToken(token) {
            case .unknown:
                try refuse("CALLVAULT_TOKEN is not a token of this archive (check the archive, or ask an admin for a new one: `callvault users token NAME`)")
            case .revoked(let user):
                try refuse("CALLVAULT_TOKEN of \(user.name) is revoked: ask an admin for a new one (`callvault users token \(user.name)`)", account: user)
            case .disabled(let user):
                try refuse("CALLVAULT_TOKEN belongs to \(user.name), whose account is disabled: ask an admin to enable it (`callvault users enable \(user.name)`)", account: user)
            case .wrongKind(let user):
                try refuse("CALLVAULT_TOKEN of \(user.name) was issued for another role: ask an admin for a new one (`callvault users token \(user.name)`)", account: user)
            case .valid(let stored, let user, let role):
                if let picked, picked != user.name {
                    try refuse("CALLVAULT_TOKEN belongs to \(user.name), but --as names \(picked): drop --as, or unset CALLVAULT_TOKEN to act as an account your OS login is mapped to", account: user)
                }
                try noteUse(of: stored, at: clock())
                return Actor(Principal(name: user.name, role: role), origin: "cli-token:\(osLogin)@\(host)")
            }
        }
        let (mapped, hasAdmin, hasMappedAdmin) = try index.read { reader in
            (try reader.users(mappedTo: osLogin), try reader.hasEnabledUser(role: Role.admin.rawValue),
             try reader.hasMappedEnabledUser(role: Role.admin.rawValue))
        }
        guard !mapped.isEmpty else {
            guard hasAdmin else {
                try refuse("this archive has no admin yet: create the first one with `\(Self.firstAdminHint)` (NAME is your own user id); it is mapped to your OS login \(osLogin)")
            }
            var message = "the OS login \(osLogin) is not mapped to any account of this archive: an admin maps it with `callvault users map NAME --os-user \(osLogin)` (or `users add NAME --role ROLE --os-user \(osLogin)`), or use a personal token: CALLVAULT_TOKEN=… from `callvault users token NAME`"
            if !hasMappedAdmin {
                message += ". No admin of this archive has an OS login yet (it was made by an older callvault): an admin claims their account once with `callvault users map ADMIN --os-user \(osLogin) --password-stdin` and the admin's password on standard input"
            }
            if picked != nil {
                message += ". (--as no longer names who acts: it only picks among the accounts your OS login is mapped to)"
            }
            try refuse(message)
        }
        let names = mapped.map(\.name).joined(separator: ", ")
        let chosen: StoredUser
        if let picked {
            guard let found = mapped.first(where: { $0.name == picked }) else {
                try refuse("--as \(picked): the OS login \(osLogin) is not mapped to \(picked) (it is mapped to \(names)); an admin maps it with `callvault users map \(picked) --os-user \(osLogin)`")
            }
            chosen = found
        } else if mapped.count == 1 {
            chosen = mapped[0]
        } else {
            try refuse("the OS login \(osLogin) is mapped to several accounts (\(names)): pick one with --as NAME")
        }
        guard !chosen.disabled else {
            try refuse("the account \(chosen.name) is disabled: ask an admin to enable it (`callvault users enable \(chosen.name)`)", account: chosen)
        }
        guard let role = Role(rawValue: chosen.role) else {
            try refuse("the account \(chosen.name) has an unknown role", account: chosen)
        }
        return Actor(Principal(name: chosen.name, role: role), origin: origin)
    }

    /// What `token` is: unknown, revoked, of a disabled account, of the wrong kind, or valid.
    func checkToken(_ token: String) throws -> TokenCheck {
        let token = token.trimmingCharacters(in: .whitespaces)
        guard token.hasPrefix(Secrets.tokenPrefix), token.utf8.count < 200 else { return .unknown }
        let digest = Secrets.digest(token)
        let found: (StoredToken, StoredUser)? = try index.read { reader in
            guard let stored = try reader.token(digest: digest), let user = try reader.user(id: stored.userID) else { return nil }
            return (stored, user)
        }
        guard let (stored, user) = found, let role = Role(rawValue: user.role) else { return .unknown }
        if stored.revoked != nil { return .revoked(user) }
        if user.disabled { return .disabled(user) }
        // A token keeps the kind it was issued as: an ingest token never acts as a person.
        guard (stored.kind == TokenKind.ingest.rawValue) == (role == .ingest) else { return .wrongKind(user) }
        return .valid(stored, user, role)
    }

    // MARK: the first admin and OS logins

    /// Creates the first admin of an archive that has no enabled admin (issue 16's bootstrap),
    /// mapped to the OS login `osLogin` that creates it. Refused once an enabled admin exists
    /// (then an admin adds accounts) and for any role but admin. Audited (`user-add`, role
    /// `bootstrap`, by `os:LOGIN`).
    @discardableResult
    public func addFirstAdmin(_ name: String, role: Role, password: String?, osLogin: String, host: String) throws -> UserAccount {
        let name = try Self.accountName(name)
        let login = try Self.osLoginName(osLogin)
        guard role == .admin else {
            throw ArchiveFailure(.refused, "this archive has no admin yet: the first account is an admin, created with `\(Self.firstAdminHint)` (NAME is your own user id); then that admin adds the others")
        }
        let hash = try passwordHash(password, role: role, account: name)
        let time = clock()
        let by = "os:\(login)"
        return try index.write { writer in
            let reader = IndexReader(writer)
            guard try !reader.hasEnabledUser(role: Role.admin.rawValue) else {
                throw ArchiveFailure(.refused, "this archive has an admin already: an admin adds accounts (`callvault users add NAME --role ROLE --os-user LOGIN`)")
            }
            guard try reader.user(named: name) == nil else {
                throw ArchiveFailure(.refused, "an account named \(name) exists already (`callvault users list`)")
            }
            let id = try writer.insertUser(name: name, role: role.rawValue, passwordHash: hash, by: by, at: time)
            try writer.mapOSLogin(login, user: id, by: by, at: time)
            try writer.appendAudit(AuditEvent(actor: by, role: "bootstrap", action: "user-add", items: ["user:\(name)"],
                                              details: ["role": role.rawValue, "password": String(hash != nil), "os_user": login],
                                              origin: "cli:\(login)@\(host)"), at: time)
            return Self.account(try reader.user(id: id)!, osLogins: [login])
        }
    }

    /// Maps the OS login `login` to an account, so that login acts as it on the command line
    /// (with `--as` when it maps to several). Needs `manage-users`. Audited (`os-login-map`).
    public func mapOSLogin(_ login: String, to name: String, actor: Actor) throws -> UserAccount {
        try changeOSLogin(login, of: name, mapped: true, actor: actor)
    }

    /// Removes the mapping of the OS login `login` to an account. Needs `manage-users`.
    /// Audited (`os-login-unmap`).
    public func unmapOSLogin(_ login: String, from name: String, actor: Actor) throws -> UserAccount {
        try changeOSLogin(login, of: name, mapped: false, actor: actor)
    }

    func changeOSLogin(_ login: String, of name: String, mapped: Bool, actor: Actor) throws -> UserAccount {
        try authorize(actor, .manageUsers, items: ["user:\(name.prefix(64))"])
        let name = try Self.existingName(name)
        let login = try Self.osLoginName(login)
        let action = mapped ? "os-login-map" : "os-login-unmap"
        let time = clock()
        return try managingUsers(action, target: name, actor: actor) { writer, reader in
            let user = try Self.requireUser(name, reader)
            let changed = mapped ? try writer.mapOSLogin(login, user: user.id, by: actor.name, at: time)
                                 : try writer.unmapOSLogin(login, user: user.id)
            guard changed else {
                throw ArchiveFailure(.refused, mapped ? "the OS login \(login) is mapped to \(name) already" : "the OS login \(login) is not mapped to \(name)")
            }
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: action, items: ["user:\(name)"],
                                              details: ["os_user": login], origin: actor.origin), at: time)
            return try Self.account(id: user.id, reader)
        }
    }

    /// An archive made before OS logins (schema v14) has admins but none mapped: an admin
    /// claims their own account once for the OS login running the command, proving it with the
    /// account's password (failures count towards the lockout, as at the web login). Refused
    /// once any enabled admin is mapped (from then on admins map logins). Audited.
    public func claimAdmin(_ name: String, password: String, osLogin: String, host: String) throws -> UserAccount {
        let name = try Self.existingName(name)
        let login = try Self.osLoginName(osLogin)
        let origin = "cli:\(login)@\(host)"
        let time = clock()
        let user = try index.read { reader -> StoredUser? in
            guard try !reader.hasMappedEnabledUser(role: Role.admin.rawValue) else {
                throw ArchiveFailure(.refused, "an admin of this archive has an OS login already: ask that admin to map yours (`callvault users map \(name) --os-user \(login)`)")
            }
            return try reader.user(named: name)
        }
        guard let user, user.role == Role.admin.rawValue, !user.disabled, let hash = user.passwordHash else {
            _ = passwords.hash(password)
            try auditLogin("os-login-claim", user: user, origin: origin, reason: "not an enabled admin", at: time)
            throw ArchiveFailure(.refused, "\(name) is not an enabled admin account of this archive: only an admin claims an OS login (`callvault users list` as an admin lists the accounts)")
        }
        if let until = user.lockedUntil, until > time {
            try auditLogin("os-login-claim", user: user, origin: origin, reason: "locked", at: time)
            throw ArchiveFailure(.refused, "the account \(user.name) is locked after \(LoginPolicy.maximumFailedLogins) failed logins until \(Self.isoFormatter.format(until)) (UTC)")
        }
        guard passwords.verify(password, hash: hash) else {
            try recordWrongPassword(user, action: "os-login-claim", origin: origin, at: time)
            throw ArchiveFailure(.refused, "wrong password for \(user.name)")
        }
        return try index.write { writer in
            let reader = IndexReader(writer)
            try writer.recordLogin(user: user.id, at: time)
            try writer.mapOSLogin(login, user: user.id, by: user.name, at: time)
            try writer.appendAudit(AuditEvent(actor: user.name, role: user.role, action: "os-login-claim", items: ["user:\(user.name)"],
                                              details: ["os_user": login], origin: origin), at: time)
            return try Self.account(id: user.id, reader)
        }
    }

    /// An OS login name as `--os-user` takes it: what POSIX allows in a user name.
    static func osLoginName(_ text: String) throws -> String {
        let login = text.trimmingCharacters(in: .whitespaces)
        let allowed = login.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-$".unicodeScalars.contains($0)) }
        guard !login.isEmpty, login.utf8.count <= 64, allowed, !login.hasPrefix("-") else {
            throw ArchiveFailure(.badInput, "'\(login.prefix(64))' is not an OS login name: give the user name as `id -un` prints it (letters, digits, '.', '_', '-')")
        }
        return login
    }
}
