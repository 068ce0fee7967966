import ArgumentParser
import CallvaultArchive

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "init", abstract: "Create the archive (idempotent).")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let archive = try Archive.initialize(at: global.archiveURL)
        if global.json {
            Output.json(["archive": archive.layout.root.path])
        } else {
            Output.text("Archive ready at \(archive.layout.root.path)")
        }
    }
}
