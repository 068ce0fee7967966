import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultAccess

/// Options every command takes (CLI.md "Global").
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Archive folder (default: $CALLVAULT_ARCHIVE, else ./callvault-data).")
    var archive: String?

    @Option(name: .customLong("as"), help: "Acting user for the audit log (default: $CALLVAULT_USER, else the OS user).")
    var actingUser: String?

    @Option(name: .long, help: "Role acted in: admin, compliance, lead or auditor (default: $CALLVAULT_ROLE, else lead). Only compliance sees restricted customers' items. For `users add`: the new account's role (also ingest).")
    var role: String?

    @Flag(name: .long, help: "Print one JSON document on stdout.")
    var json = false

    @Option(name: .customLong("key-dir"), help: "Folder of the audit log's keys, outside the archive (default: $CALLVAULT_KEY_DIR, else <archive>.keys beside it; a systemd credential in $CREDENTIALS_DIRECTORY wins).")
    var keyDirectory: String?

    @Option(name: .customLong("anchor-file"), help: "Append-only file the audit log's head is anchored in, outside the archive (default: $CALLVAULT_ANCHOR_FILE, else <archive>.anchors beside it).")
    var anchorFile: String?

    var archiveURL: URL {
        let path = archive ?? ProcessInfo.processInfo.environment["CALLVAULT_ARCHIVE"] ?? "./callvault-data"
        return URL(fileURLWithPath: path)
    }

    var actor: Actor {
        get throws {
            let env = ProcessInfo.processInfo.environment
            let name = actingUser ?? env["CALLVAULT_USER"] ?? env["USER"] ?? env["LOGNAME"] ?? NSUserName()
            return Actor(name: name.isEmpty ? "unknown" : name, role: try roleName, origin: "cli@\(ProcessInfo.processInfo.hostName)")
        }
    }

    /// The actor of `users` commands: named by `--as` (or as `actor`); what it may do comes from
    /// its account in the archive, not from `--role` (which `users add` uses for the new account).
    var accountActor: Actor {
        let env = ProcessInfo.processInfo.environment
        let name = actingUser ?? env["CALLVAULT_USER"] ?? env["USER"] ?? env["LOGNAME"] ?? NSUserName()
        return Actor(name: name.isEmpty ? "unknown" : name, role: "cli", origin: "cli@\(ProcessInfo.processInfo.hostName)")
    }

    /// The actor of a destructive or export command: a named user is required (`--as` or
    /// `$CALLVAULT_USER`), never the OS account by default.
    var namedActor: Actor {
        get throws {
            let env = ProcessInfo.processInfo.environment
            guard let name = actingUser ?? env["CALLVAULT_USER"], !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError("this command changes or exports personal data: name the acting user with --as USER (or $CALLVAULT_USER)")
            }
            return Actor(name: name, role: try roleName, origin: "cli@\(ProcessInfo.processInfo.hostName)")
        }
    }

    /// The role given by `--role` or `$CALLVAULT_ROLE`, checked.
    var roleName: String {
        get throws {
            let value = role ?? ProcessInfo.processInfo.environment["CALLVAULT_ROLE"] ?? "lead"
            guard let parsed = Role(rawValue: value), parsed.isPerson else {
                throw ValidationError("unknown role '\(value.prefix(32))'; use one of: \(Self.roles.joined(separator: ", "))")
            }
            return parsed.rawValue
        }
    }

    /// The roles a person acts in on the command line (every `Role` but the machines' `ingest`).
    static var roles: [String] { Role.personRoles.map(\.rawValue) }

    /// Where the key store and the anchor file are: from the command line or the environment
    /// only, never from the archive's own configuration.
    var keys: AuditKeyOptions {
        let env = ProcessInfo.processInfo.environment
        func url(_ value: String?) -> URL? { value.flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) } }
        return AuditKeyOptions(keyDirectory: url(keyDirectory ?? env["CALLVAULT_KEY_DIR"]),
                               credentialsDirectory: url(env["CREDENTIALS_DIRECTORY"]),
                               anchorFile: url(anchorFile ?? env["CALLVAULT_ANCHOR_FILE"]))
    }

    /// Opens the archive; its audit head is anchored when the command ends (`CommandArchives`).
    func openArchive() throws -> Archive {
        CommandArchives.opened(try Archive(root: archiveURL, keys: keys, now: TestClockSeam.clock() ?? { Date() }))
    }

    /// Creates (if needed) and opens the archive, like `openArchive`.
    func initializeArchive() throws -> Archive {
        CommandArchives.opened(try Archive.initialize(at: archiveURL, keys: keys))
    }
}
