import ArgumentParser
import Foundation
import CallvaultArchive

/// `callvault quarantine`: what `verify --repair` set aside instead of deleting, and the one
/// command that removes it (audited; never what a hold covers).
struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Blobs `verify --repair` moved aside (orphans, damaged blobs) instead of deleting them.",
        discussion: """
            Each entry is quarantine/<id>.blob (the stored file as it was) and quarantine/<id>.json (why, when, by whom,
            and the recordings it held). An entry leaves only by `quarantine purge`, by expiry or erasure of every
            recording it held, or when `verify --repair --source FOLDER` finds the original and re-links it.
            """,
        subcommands: [List.self, Purge.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the quarantine's entries (the verify-archive action).")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let listing = try archive.quarantineListing(actor: actor)
            if global.json {
                struct Result: Encodable { var entries: [QuarantineEntryJSON]; var unexplained: [String] }
                Output.json(Result(entries: listing.entries.map { QuarantineEntryJSON($0, hasFile: !listing.withoutFile.contains($0.id)) },
                                   unexplained: listing.unexplained))
                return
            }
            if listing.isEmpty { Output.text("quarantine is empty") }
            for entry in listing.entries {
                var line = "\(entry.id)  \(entry.reason.rawValue)  \(Output.isoUTC(entry.quarantinedAt))  by \(entry.by)  sha256 \(entry.sha256)"
                if !entry.items.isEmpty { line += "  items \(entry.items.joined(separator: ","))" }
                if !entry.holds.isEmpty { line += "  holds \(entry.holds.joined(separator: ","))" }
                if listing.withoutFile.contains(entry.id) { line += "  (blob not moved yet: run `callvault verify --repair`)" }
                Output.text(line)
                Output.text("    \(entry.detail)")
            }
            for name in listing.unexplained { Output.text("quarantine/\(name): no report; left alone") }
        }
    }

    struct Purge: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete quarantine entries for good (the repair-archive action; audited; held ones are kept).",
            discussion: "Name entries with --id (repeatable) or take those older than --older-than DAYS. Try --dry-run first.")

        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("id"), help: "An entry's id, from `callvault quarantine list`. Repeatable.") var ids: [String] = []
        @Option(help: "Entries quarantined more than this many days ago.") var olderThan: Int?
        @Flag(help: "Show what would go; delete nothing.") var dryRun = false

        func validate() throws {
            if ids.isEmpty && olderThan == nil { throw ValidationError("name what to purge: --id ID or --older-than DAYS") }
            if let olderThan, olderThan < 0 { throw ValidationError("--older-than takes a number of days, 0 or more") }
        }

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            // The real clock, as for every destructive job (Invariant 9).
            let cutoff = olderThan.map { Date().addingTimeInterval(-Double($0) * 86_400) }
            let result = try archive.purgeQuarantine(ids: ids, olderThan: cutoff, dryRun: dryRun, actor: actor)
            if global.json {
                struct Kept: Encodable { var id: String; var reason: String }
                struct Result: Encodable { var dry_run: Bool; var purged: [String]; var kept: [Kept] }
                Output.json(Result(dry_run: dryRun, purged: result.purged.map(\.id), kept: result.kept.map { Kept(id: $0.entry.id, reason: $0.reason) }))
            } else {
                for entry in result.purged { Output.text("\(dryRun ? "would purge" : "purged") \(entry.id) (\(entry.reason.rawValue))") }
                for kept in result.kept { Output.text("kept \(kept.entry.id): \(kept.reason)") }
                if result.purged.isEmpty && result.kept.isEmpty { Output.text("nothing to purge") }
            }
            if !result.kept.isEmpty { throw CommandExit(code: 1) }
        }
    }
}
