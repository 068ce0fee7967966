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
        commandName: "verify", abstract: "Check every blob against its SHA-256 and the index against the blobs.")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Remove orphan blobs and leftovers of interrupted writes.") var repair = false

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let report = try archive.verify(repair: repair, actor: actor)
        if global.json {
            struct Result: Encodable {
                var blobs: Int, corrupt: [String], missing: [String], orphans: Int, removed_orphans: Int, removed_temporaries: Int
            }
            Output.json(Result(blobs: report.blobs, corrupt: report.corrupt, missing: report.missing, orphans: report.orphans,
                               removed_orphans: report.removedOrphans, removed_temporaries: report.staleTemporaries))
        } else {
            Output.text("\(report.blobs) blobs; corrupt: \(report.corrupt.isEmpty ? "none" : report.corrupt.joined(separator: ", ")); missing: \(report.missing.isEmpty ? "none" : report.missing.joined(separator: ", ")); orphans: \(report.orphans)\(repair ? " (removed \(report.removedOrphans))" : "")")
        }
        if !report.corrupt.isEmpty || !report.missing.isEmpty { throw CommandExit(code: 1) }
    }
}
