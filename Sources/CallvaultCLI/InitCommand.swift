import ArgumentParser
import CallvaultArchive

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the archive (idempotent).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let archive = try global.initializeArchive()
        let hasAdmin = try archive.hasEnabledAdmin()
        if global.json {
            Output.json(InitJSON(archive: archive.layout.root.path, has_admin: hasAdmin,
                                 next: hasAdmin ? nil : Archive.firstAdminHint))
        } else {
            Output.text("Archive ready at \(archive.layout.root.path)")
            if !hasAdmin {
                Output.text("""
                    No admin account yet. Create the first admin with your own user id (not a shared name like admin):
                      printf '%s\\n' 'a long passphrase' | \(Archive.firstAdminHint)
                    It is mapped to the OS login that creates it; `callvault serve` does not start until an admin exists.
                    """)
            }
        }
    }
}

/// `init --json`: `{"archive": path}` plus whether an admin exists and how to create the first.
struct InitJSON: Encodable {
    var archive: String
    var has_admin: Bool
    var next: String?
}
