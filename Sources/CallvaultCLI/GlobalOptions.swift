import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultAccess
#if canImport(Glibc)
import Glibc
#endif

/// Options every command takes (CLI.md "Global").
///
/// Who acts is proven, not declared (issue 16): the archive maps the OS login running the
/// command (the process's effective user, from the password database, never `$USER`) to its
/// accounts, or `CALLVAULT_TOKEN` names a token's account. `--as` only picks among the
/// accounts the OS login is mapped to.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Archive folder (default: $CALLVAULT_ARCHIVE, else ./callvault-data).")
    var archive: String?

    @Option(name: .customLong("as"), help: ArgumentHelp(
        "Which of the accounts your OS login is mapped to acts (needed when it is mapped to several).",
        discussion: "With CALLVAULT_TOKEN set, the token's account acts and --as may only name it.", valueName: "NAME"))
    var pick: String?

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

    /// Opens the archive and proves who runs the command (`Archive.cliIdentity`).
    func openAsActor() throws -> (archive: Archive, actor: Actor) {
        let archive = try openArchive()
        return (archive, try actor(in: archive))
    }

    /// The account that runs this command in `archive`: `CALLVAULT_TOKEN`'s, else the one the
    /// OS login is mapped to (picked with `--as` among several).
    func actor(in archive: Archive) throws -> Actor {
        let login = try Self.osLogin()
        return try archive.cliIdentity(osLogin: login, token: try Self.token(), pick: pick, host: Self.host)
    }

    /// `CALLVAULT_TOKEN`, if set; refuses the environment variables that used to declare who acts.
    static func token() throws -> String? {
        let env = ProcessInfo.processInfo.environment
        for name in ["CALLVAULT_USER", "CALLVAULT_ROLE"] where env[name] != nil {
            throw ValidationError("""
                \(name) no longer says who acts: unset it. The OS login running callvault acts as the account an admin \
                mapped it to (`callvault users map NAME --os-user LOGIN`; pick among several with --as NAME), or \
                CALLVAULT_TOKEN=… acts as that token's account; the account's role is what it may do.
                """)
        }
        guard let token = env["CALLVAULT_TOKEN"] else { return nil }
        guard !token.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("CALLVAULT_TOKEN is set but empty: set it to a token from `callvault users token NAME`, or unset it")
        }
        return token
    }

    /// The OS login running this process: the effective user's name in the password database
    /// (not `$USER` or `$LOGNAME`, which anyone can set).
    static func osLogin() throws -> String {
        let uid = geteuid()
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name, let login = String(validatingCString: name), !login.isEmpty else {
            throw ValidationError("the running user (uid \(uid)) has no name in the password database; callvault maps OS login names to accounts: run it as a named user, or set CALLVAULT_TOKEN")
        }
        return login
    }

    /// This machine's name, for the audit log's origin.
    static var host: String { ProcessInfo.processInfo.hostName }
}
