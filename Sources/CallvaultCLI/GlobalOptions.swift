import ArgumentParser
import Foundation
import CallvaultArchive

/// Options every command takes (CLI.md "Global").
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Archive folder (default: $CALLVAULT_ARCHIVE, else ./callvault-data).")
    var archive: String?

    @Option(name: .customLong("as"), help: "Acting user for the audit log (default: $CALLVAULT_USER, else the OS user).")
    var actingUser: String?

    @Flag(name: .long, help: "Print one JSON document on stdout.")
    var json = false

    var archiveURL: URL {
        let path = archive ?? ProcessInfo.processInfo.environment["CALLVAULT_ARCHIVE"] ?? "./callvault-data"
        return URL(fileURLWithPath: path)
    }

    var actor: Actor {
        let env = ProcessInfo.processInfo.environment
        let name = actingUser ?? env["CALLVAULT_USER"] ?? env["USER"] ?? env["LOGNAME"] ?? NSUserName()
        return Actor(name: name.isEmpty ? "unknown" : name, role: "cli", origin: "cli@\(ProcessInfo.processInfo.hostName)")
    }

    func openArchive() throws -> Archive {
        try Archive(root: archiveURL)
    }
}
