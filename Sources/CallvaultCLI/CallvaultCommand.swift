import ArgumentParser
import Foundation
import CallvaultModel
import CallvaultArchive
#if canImport(Glibc)
import Glibc
#endif

/// The `callvault` command tree.
struct CallvaultCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "callvault",
        abstract: "An archive for telephony traffic data and customer-service call recordings.",
        subcommands: [
            InitCommand.self, CustomersCommand.self, IngestCommand.self, WatchCommand.self, SearchCommand.self, ShowCommand.self,
            RecordingCommand.self, RetentionCommand.self, HoldCommand.self, ExpireCommand.self, AuditCommand.self, VerifyCommand.self, QuarantineCommand.self, RecompressCommand.self, BenchSearchCommand.self, BenchSearchLoopCommand.self,
            EraseCommand.self, RestrictCommand.self, UnrestrictCommand.self, LinkCommand.self, UnlinkCommand.self,
            ExportCommand.self, RequestsCommand.self, UsersCommand.self, ServeCommand.self,
        ])

    init() {}

    /// Runs the command line: exit 0 on success, 1 for bad input or a refused action,
    /// 2 for usage errors (argument-parser's 64 is mapped to CLI.md's 2).
    static func runMain() async -> Never {
        do {
            var command = try parseAsRoot()
            do {
                if var job = command as? any AsyncParsableCommand {
                    try await job.run()
                } else {
                    try command.run()
                }
            } catch {
                // A refused or failed command may have logged its denial: anchor that too.
                try? CommandArchives.anchorAll()
                throw error
            }
            try CommandArchives.anchorAll()
            Glibc.exit(0)
        } catch let error as CallvaultError {
            Output.error("error: \(error.message)")
            Glibc.exit(1)
        } catch let error as CommandExit {
            Glibc.exit(error.code)
        } catch {
            let code = exitCode(for: error).rawValue
            if code == 0 {
                FileHandle.standardOutput.write(Data((fullMessage(for: error) + "\n").utf8))
                Glibc.exit(0)
            }
            Output.error(fullMessage(for: error))
            if let hint = removedOptionHint() { Output.error(hint) }
            Glibc.exit(code == 64 || code == ExitCode.validationFailure.rawValue ? 2 : (code == 1 ? 1 : code))
        }
    }
}

/// Why a usage error may come from a habit of the old command line: the global `--role`
/// (issue 16) is gone; `users add` alone takes `--role`, for the new account.
func removedOptionHint() -> String? {
    let arguments = Array(CommandLine.arguments.dropFirst())
    guard arguments.contains(where: { $0 == "--role" || $0.hasPrefix("--role=") }) else { return nil }
    if let users = arguments.firstIndex(of: "users"), arguments.dropFirst(users + 1).first == "add" { return nil }
    return "--role is gone: an account has one role and acts in it. Your OS login is mapped to your accounts; pick one with --as NAME (`callvault users add NAME --role ROLE` still takes the new account's role)."
}

/// The entry point of the `callvault` executable.
public enum CallvaultMain {
    /// Parses the command line, runs the command and exits with CLI.md's codes.
    public static func run() async -> Never { await CallvaultCommand.runMain() }
}

/// The archives a command opened: when it ends, each anchors its audit head if the command
/// committed entries (invariant 7: every CLI command that wrote to the log leaves an anchor).
enum CommandArchives {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var archives: [Archive] = []

    /// Remembers `archive` for `anchorAll` and returns it.
    static func opened(_ archive: Archive) -> Archive {
        lock.withLock { archives.append(archive) }
        return archive
    }

    /// Anchors every opened archive's head that moved during the command.
    static func anchorAll() throws {
        for archive in lock.withLock({ archives }) { try archive.anchorAuditHead() }
    }
}

/// Ends the process with a code after the command printed its output.
struct CommandExit: Error {
    var code: Int32
}
