import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultAccess
import CallvaultModel

/// `users add|list|map|unmap|disable|enable|role|passwd|token`: accounts, roles, the OS logins
/// that act as them, and API tokens (issues 5 and 16).
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage accounts, their OS logins, roles and API tokens (needs an admin account; the first admin needs none).",
        subcommands: [Add.self, List.self, Map.self, Unmap.self, Disable.self, Enable.self, SetRole.self, Passwd.self, Token.self])

    /// `users add NAME --role ROLE [--password-stdin] [--os-user LOGIN]...`.
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract: "Create an account: a person's (with a password read from standard input) or an ingest machine's (token only).",
            discussion: """
                Names are personal user ids or service ids; shared or generic names (admin, root, support, \
                test, shared, user, ...) are refused. While the archive has no admin, the first account \
                is an admin, created by anyone who can run callvault on it and mapped to the OS login that \
                creates it: \(Archive.firstAdminHint). After that an admin adds accounts and maps them to OS \
                logins with --os-user.
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The person's own user id, or the machine's service id.") var name: String
        @Option(help: "The new account's role: admin, compliance, lead, auditor or ingest.") var role: String
        @Flag(help: "Read the password from standard input (people; at least \(PasswordPolicy.minimumLength) characters).")
        var passwordStdin = false
        @Option(name: .customLong("os-user"), help: ArgumentHelp("An OS login that acts as the account on the command line (repeatable).", valueName: "LOGIN"))
        var osUsers: [String] = []

        func run() throws {
            let role = try UsersCommand.role(role)
            let archive = try global.openArchive()
            let user: UserAccount
            if try !archive.hasEnabledAdmin() {
                // Bootstrap: the first admin, mapped to the OS login that creates it.
                let login = try GlobalOptions.osLogin()
                _ = try GlobalOptions.token()
                guard osUsers.allSatisfy({ $0 == login }) else {
                    throw ValidationError("the first admin is mapped to the OS login that creates it (\(login)); map other logins later with `callvault users map \(name) --os-user LOGIN`")
                }
                let password = passwordStdin ? try UsersCommand.readPassword() : nil
                user = try archive.addFirstAdmin(name, role: role, password: password, osLogin: login, host: GlobalOptions.host)
            } else {
                let actor = try global.actor(in: archive)
                let password = passwordStdin ? try UsersCommand.readPassword() : nil
                user = try archive.addUser(name, role: role, password: password, osLogins: osUsers, actor: actor)
            }
            if global.json {
                Output.json(UserJSON(user))
            } else {
                let logins = user.osLogins.isEmpty ? "" : " OS login: \(user.osLogins.joined(separator: ", "))."
                Output.text("Added \(user.name) (\(user.role.rawValue)).\(logins)" + (user.role == .ingest
                    ? " Issue its upload token with `callvault users token \(user.name)`." : ""))
            }
        }
    }

    /// `users list [--json]`.
    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List accounts with their role, OS logins, state, tokens and last login.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let users = try archive.listUsers(actor: actor)
            if global.json {
                Output.json(["users": users.map(UserJSON.init)])
                return
            }
            for user in users {
                var state = user.isDisabled ? "disabled" : "enabled"
                if let until = user.lockedUntil, until > Date() { state += ", locked until \(Output.isoUTC(until))" }
                let logins = user.osLogins.isEmpty ? "-" : user.osLogins.joined(separator: ",")
                Output.text("\(user.name)\t\(user.role.rawValue)\tos \(logins)\t\(state)\ttokens \(user.activeTokens)\tlast login \(user.lastLogin.map(Output.isoUTC) ?? "never")\tgranted \(Output.isoUTC(user.roleGranted)) by \(user.roleGrantedBy)")
            }
        }
    }

    /// `users map NAME --os-user LOGIN [--password-stdin]`.
    struct Map: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "map",
            abstract: "Let an OS login act as an account on the command line (audited).",
            discussion: """
                An admin maps any login. On an archive made by an older callvault no admin has an OS login \
                yet: an admin claims their own account once for the login running the command, with the \
                account's password on standard input (--password-stdin).
                """)

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account.") var name: String
        @Option(name: .customLong("os-user"), help: ArgumentHelp("The OS login (as `id -un` prints it).", valueName: "LOGIN"))
        var osUser: String
        @Flag(help: "Claim an admin account of an upgraded archive with its password from standard input.")
        var passwordStdin = false

        func run() throws {
            let archive = try global.openArchive()
            let user: UserAccount
            if passwordStdin {
                let login = try GlobalOptions.osLogin()
                guard osUser == login else {
                    throw ValidationError("--password-stdin claims an account for the OS login running the command (\(login)), not \(osUser)")
                }
                user = try archive.claimAdmin(name, password: try UsersCommand.readPassword(), osLogin: login, host: GlobalOptions.host)
            } else {
                user = try archive.mapOSLogin(osUser, to: name, actor: try global.actor(in: archive))
            }
            UsersCommand.print(user, json: global.json, done: "The OS login \(osUser) acts as \(user.name)")
        }
    }

    /// `users unmap NAME --os-user LOGIN`.
    struct Unmap: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "unmap", abstract: "Stop an OS login acting as an account (audited).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account.") var name: String
        @Option(name: .customLong("os-user"), help: ArgumentHelp("The OS login.", valueName: "LOGIN"))
        var osUser: String

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let user = try archive.unmapOSLogin(osUser, from: name, actor: actor)
            UsersCommand.print(user, json: global.json, done: "The OS login \(osUser) no longer acts as \(user.name)")
        }
    }

    /// `users disable NAME`.
    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "disable", abstract: "Disable an account: its sessions and tokens end at once (audited).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account.") var name: String
        @Option(help: "Why; audited.") var reason: String?

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let change = try archive.disableUser(name, reason: reason, actor: actor)
            UsersCommand.print(change, json: global.json, done: "Disabled \(change.user.name)")
        }
    }

    /// `users enable NAME`.
    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "enable", abstract: "Enable a disabled account again (old tokens stay revoked; audited).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account.") var name: String
        @Option(help: "Why; audited.") var reason: String?

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let user = try archive.enableUser(name, reason: reason, actor: actor)
            if global.json { Output.json(UserJSON(user)) } else { Output.text("Enabled \(user.name) (\(user.role.rawValue)).") }
        }
    }

    /// `users role NAME ROLE`.
    struct SetRole: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "role",
            abstract: "Give an account another role: audited with who granted it; its sessions and tokens end at once.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account.") var name: String
        @Argument(help: "admin, compliance, lead or auditor (ingest for machine accounts).") var role: String
        @Option(help: "Why; audited.") var reason: String?

        func run() throws {
            let role = try UsersCommand.role(role)
            let (archive, actor) = try global.openAsActor()
            let change = try archive.setRole(name, to: role, reason: reason, actor: actor)
            UsersCommand.print(change, json: global.json,
                               done: "\(change.user.name): \(change.previousRole?.rawValue ?? "?") -> \(change.user.role.rawValue)")
        }
    }

    /// `users passwd NAME --password-stdin`.
    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "passwd", abstract: "Set a person's password (read from standard input); clears a lockout and ends their sessions.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account.") var name: String
        @Flag(help: "Read the new password from standard input (required: passwords never go on the command line).")
        var passwordStdin = false

        func run() throws {
            guard passwordStdin else {
                throw ValidationError("pass the new password on standard input with --password-stdin (never as an argument: it would show in the process list and shell history)")
            }
            let password = try UsersCommand.readPassword()
            let (archive, actor) = try global.openAsActor()
            try archive.setPassword(name, password: password, actor: actor)
            if global.json {
                Output.json(["user": name.lowercased()])
            } else {
                Output.text("Password of \(name.lowercased()) set; their sessions have ended.")
            }
        }
    }

    /// `users token NAME [--json]`.
    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract: "Issue an API token for an account (printed once; only its hash is kept). Send it as `Authorization: Bearer TOKEN`.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The account.") var name: String

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let issued = try archive.issueToken(for: name, actor: actor)
            if global.json {
                Output.json(["token": issued.token, "user": issued.user, "kind": issued.kind.rawValue])
            } else {
                Output.text(issued.token)
                Output.error("This \(issued.kind.rawValue) token for \(issued.user) is shown once: store it now. Disabling the account or changing its role revokes it.")
            }
        }
    }

    static func role(_ text: String) throws -> Role {
        do { return try Role(parsing: text) } catch { throw ValidationError(error.description) }
    }

    /// The password on standard input: everything up to EOF, without the final line break.
    static func readPassword() throws -> String {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard var text = String(data: data, encoding: .utf8) else {
            throw ArchiveFailure(.badInput, "the password on standard input is not UTF-8 text")
        }
        if text.hasSuffix("\n") { text.removeLast() }
        if text.hasSuffix("\r") { text.removeLast() }
        guard !text.isEmpty else {
            throw ArchiveFailure(.badInput, "no password on standard input: pipe it in, e.g. `printf '%s\\n' \"$PASSWORD\" | callvault users ... --password-stdin`")
        }
        return text
    }

    static func print(_ user: UserAccount, json: Bool, done: String) {
        if json { Output.json(UserJSON(user)) } else { Output.text("\(done).") }
    }

    static func print(_ change: AccessChange, json: Bool, done: String) {
        if json {
            Output.json(AccessChangeJSON(change))
        } else {
            Output.text("\(done). Ended \(change.endedSessions) session(s), revoked \(change.revokedTokens) token(s).")
        }
    }
}

/// One account in `users list --json` (and the answer of `users add` / `enable`).
struct UserJSON: Encodable {
    var name: String
    var role: String
    var disabled: Bool
    var password: Bool
    var created_at: Date
    var created_by: String
    var role_granted_at: Date
    var role_granted_by: String
    var locked_until: Date?
    var last_login: Date?
    var last_token_use: Date?
    var tokens: Int
    var sessions: Int
    var os_users: [String]

    init(_ user: UserAccount) {
        name = user.name
        role = user.role.rawValue
        disabled = user.isDisabled
        password = user.hasPassword
        created_at = user.created
        created_by = user.createdBy
        role_granted_at = user.roleGranted
        role_granted_by = user.roleGrantedBy
        locked_until = user.lockedUntil
        last_login = user.lastLogin
        last_token_use = user.lastTokenUse
        tokens = user.activeTokens
        sessions = user.activeSessions
        os_users = user.osLogins
    }

    enum CodingKeys: String, CodingKey {
        case name, role, disabled, password, created_at, created_by, role_granted_at, role_granted_by, locked_until, last_login, last_token_use, tokens, sessions, os_users
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(role, forKey: .role)
        try c.encode(disabled, forKey: .disabled)
        try c.encode(password, forKey: .password)
        try c.encode(created_at, forKey: .created_at)
        try c.encode(created_by, forKey: .created_by)
        try c.encode(role_granted_at, forKey: .role_granted_at)
        try c.encode(role_granted_by, forKey: .role_granted_by)
        try c.encode(locked_until, forKey: .locked_until)
        try c.encode(last_login, forKey: .last_login)
        try c.encode(last_token_use, forKey: .last_token_use)
        try c.encode(tokens, forKey: .tokens)
        try c.encode(sessions, forKey: .sessions)
        try c.encode(os_users, forKey: .os_users)
    }
}

/// `users disable` / `users role --json`.
struct AccessChangeJSON: Encodable {
    var user: String
    var role: String
    var previous_role: String?
    var disabled: Bool
    var ended_sessions: Int
    var revoked_tokens: Int

    init(_ change: AccessChange) {
        user = change.user.name
        role = change.user.role.rawValue
        previous_role = change.previousRole?.rawValue
        disabled = change.user.isDisabled
        ended_sessions = change.endedSessions
        revoked_tokens = change.revokedTokens
    }
}
