import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultContract

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "The processing log.", subcommands: [Verify.self, Digest.self])

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the hash chain: detects changed, deleted, reordered or inserted entries and truncation.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "A digest saved earlier by `audit digest --json`: entries it lists must still be there.")
        var digest: String?

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            var result = try archive.verifyAudit(actor: actor)
            if let digest {
                let saved = try SavedDigest.load(digest)
                if result.ok && result.entries < saved.entries {
                    result.ok = false
                    result.firstBad = result.entries + 1
                    result.problem = "the log holds \(result.entries) entries but the saved digest recorded \(saved.entries): entries were removed (truncation)"
                }
            }
            if global.json {
                Output.json(AuditVerificationJSON(result))
            } else if result.ok {
                Output.text("audit log OK: \(result.entries) entries")
            } else {
                Output.text("audit log BROKEN at entry \(result.firstBad.map(String.init) ?? "?"): \(result.problem ?? "")")
            }
            if !result.ok { throw CommandExit(code: 1) }
        }
    }

    struct Digest: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print the log's head (entry count, last hash) to keep where the archive's admin cannot write.")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let head = try archive.auditDigest(actor: actor)
            if global.json {
                Output.json(SavedDigest(entries: head.count, last_hash: head.lastHash))
            } else {
                Output.text("\(head.count) \(head.lastHash)")
            }
        }
    }
}

struct SavedDigest: Codable {
    var entries: Int64
    var last_hash: String

    static func load(_ path: String) throws -> SavedDigest {
        guard let data = FileManager.default.contents(atPath: path),
              let digest = try? JSONDecoder().decode(SavedDigest.self, from: data) else {
            throw ValidationError("--digest \(path): not a digest written by `callvault audit digest --json`")
        }
        return digest
    }
}

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: "Check every blob against its SHA-256 and the index against the blobs.",
        discussion: """
            Exits 1 when anything is corrupt, missing, orphaned (a blob no index row names) or in quarantine/.
            --repair deletes nothing: it stores again a missing or corrupt blob, and re-ingests an orphan's
            recording, when a source file hashes to it (spool/processed/ and each --source folder, e.g. a
            backup); what no source proves moves to quarantine/ with a JSON report (`callvault quarantine list`).
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Heal what a source proves; move orphans and damaged blobs to quarantine/ (never delete).") var repair = false
    @Option(name: .customLong("source"), help: "With --repair: a folder of original files (a backup, say) to search for the bytes of broken or orphan blobs. Repeatable; spool/processed/ is always searched.")
    var sources: [String] = []

    func run() throws {
        guard repair || sources.isEmpty else { throw ValidationError("--source is for --repair: add --repair, or drop --source") }
        var folders: [URL] = []
        for path in sources {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue else {
                throw ValidationError("--source \(path): no such folder")
            }
            folders.append(URL(fileURLWithPath: path))
        }
        let (archive, actor) = try global.openAsActor()
        let report = try archive.verify(repair: repair, sources: folders, actor: actor)
        if global.json {
            Output.json(VerifyJSON(report))
        } else {
            for line in Self.lines(report, repair: repair) { Output.text(line) }
        }
        if !report.isClean { throw CommandExit(code: 1) }
    }

    /// The report for people: one line of totals, then one line per kind of problem with what to do.
    static func lines(_ report: VerifyReport, repair: Bool) -> [String] {
        var lines = ["\(report.blobs) blobs; corrupt: \(report.corrupt.isEmpty ? "none" : report.corrupt.joined(separator: ", ")); missing: \(report.missing.isEmpty ? "none" : report.missing.joined(separator: ", ")); orphans: \(report.orphans); quarantined: \(report.quarantine.entries.count); temp files: \(report.temporaries)"]
        if !report.restored.isEmpty { lines.append("restored from a source: \(report.restored.joined(separator: ", "))") }
        if !report.relinked.isEmpty { lines.append("re-linked by re-ingesting a source: \(report.relinked.count) blob(s)") }
        for entry in report.quarantinedNow { lines.append("moved to quarantine: \(entry.id) (\(entry.reason.rawValue)\(entry.items.isEmpty ? "" : ", " + entry.items.joined(separator: ", ")))") }
        if !report.released.isEmpty { lines.append("released from quarantine (the store holds them again): \(report.released.joined(separator: ", "))") }
        if report.isClean {
            lines.append("OK: nothing corrupt, missing, orphaned or quarantined")
            return lines
        }
        lines.append("NOT CLEAN:")
        if !report.stillCorrupt.isEmpty { lines.append("  corrupt: \(report.stillCorrupt.joined(separator: ", ")) — restore the original and run `callvault verify --repair --source FOLDER`") }
        if !report.stillMissing.isEmpty { lines.append("  missing: \(report.stillMissing.joined(separator: ", ")) — restore the original and run `callvault verify --repair --source FOLDER`") }
        if !repair && !report.stillOrphaned.isEmpty { lines.append("  orphans: \(report.stillOrphaned.count) blob(s) no index row names — run `callvault verify --repair` (it re-links or quarantines them; nothing is deleted)") }
        if !report.quarantine.entries.isEmpty {
            lines.append("  in quarantine: \(report.quarantine.entries.count) — see `callvault quarantine list`; re-link with `callvault verify --repair --source FOLDER`, or remove with `callvault quarantine purge`")
        }
        if !report.quarantine.unexplained.isEmpty { lines.append("  files in quarantine/ without a report: \(report.quarantine.unexplained.joined(separator: ", "))") }
        return lines
    }
}

/// `verify --json`.
struct VerifyJSON: Encodable {
    var ok: Bool
    var blobs: Int
    var corrupt: [String]
    var missing: [String]
    var orphans: Int
    var orphan_blobs: [String]
    var restored: [String]
    var relinked: [String]
    var quarantined_now: [QuarantineEntryJSON]
    var released: [String]
    var quarantined: Int
    var quarantine: [QuarantineEntryJSON]
    var quarantine_unexplained: [String]
    var temporaries: Int

    init(_ report: VerifyReport) {
        ok = report.isClean
        blobs = report.blobs
        corrupt = report.corrupt
        missing = report.missing
        orphans = report.orphans
        orphan_blobs = report.orphanBlobs
        restored = report.restored
        relinked = report.relinked
        quarantined_now = report.quarantinedNow.map { QuarantineEntryJSON($0, hasFile: true) }
        released = report.released
        quarantined = report.quarantine.entries.count
        quarantine = report.quarantine.entries.map { QuarantineEntryJSON($0, hasFile: !report.quarantine.withoutFile.contains($0.id)) }
        quarantine_unexplained = report.quarantine.unexplained
        temporaries = report.temporaries
    }
}

/// One quarantine entry in JSON (`verify --json`, `quarantine list --json`).
struct QuarantineEntryJSON: Encodable {
    var id: String
    var sha256: String
    var reason: String
    var detail: String
    var quarantined_at: String
    var by: String
    var stored_bytes: Int64
    var original_bytes: Int64?
    var items: [String]
    var retain_until: String?
    var holds: [String]
    var file: String
    var file_present: Bool

    init(_ entry: QuarantineEntry, hasFile: Bool) {
        id = entry.id
        sha256 = entry.sha256
        reason = entry.reason.rawValue
        detail = entry.detail
        quarantined_at = Output.isoUTC(entry.quarantinedAt)
        by = entry.by
        stored_bytes = entry.storedBytes
        original_bytes = entry.originalBytes
        items = entry.items
        retain_until = entry.retainUntil.map(Output.isoUTC)
        holds = entry.holds
        file = "quarantine/" + entry.fileName
        file_present = hasFile
    }
}
