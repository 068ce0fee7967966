import ArgumentParser
import Foundation
import CallvaultArchive

/// `recompress [--dry-run]`: re-codes blobs stored with an older codec with today's.
struct RecompressCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recompress",
        abstract: "Re-code stored recordings with today's codec (smaller, byte-exact), one blob at a time.",
        discussion: """
            Each new copy is written and read back against the recording's SHA-256 beside the store, with no \
            lock held, then put in place by one rename; ingest, search and playback go on meanwhile. A killed \
            run leaves every recording whole; run it again to go on. Blobs whose new coding is not smaller stay \
            as they are. --dry-run changes nothing and estimates the saving from a few chunks of each blob. \
            Needs repair-archive (admin). Exits 1 when a blob could not be read (run `callvault verify`).
            """)

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Change nothing; estimate the saving.") var dryRun = false

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let status = StatusLine(enabled: !global.json)
        let report = try archive.recompress(dryRun: dryRun, actor: actor) { report in
            status.line("\(report.done)/\(report.blobs) blobs · \(report.recoded) \(report.dryRun ? "to re-code" : "re-coded") · \(Self.megabytes(report.saved)) saved")
        }
        status.done()
        if global.json {
            Output.json(RecompressJSON(report))
        } else {
            describe(report).forEach(Output.text)
        }
        if !report.failed.isEmpty {
            Output.error("\(report.failed.count) blobs could not be re-coded (e.g. \(report.failed[0].sha256.prefix(16))…: \(report.failed[0].reason)): run `callvault verify`")
            throw CommandExit(code: 1)
        }
    }

    func describe(_ r: RecompressReport) -> [String] {
        let percent = r.storedBefore > 0 ? String(format: " (%.1f%%)", 100 * Double(r.saved) / Double(r.storedBefore)) : ""
        return [
            r.dryRun
                ? "dry run: \(r.recoded) of \(r.blobs) blobs would be re-coded, \(Self.megabytes(r.storedBefore)) → about \(Self.megabytes(r.storedAfter)), saving about \(Self.megabytes(r.saved))\(percent)"
                : "re-coded \(r.recoded) of \(r.blobs) blobs: \(Self.megabytes(r.storedBefore)) → \(Self.megabytes(r.storedAfter)), saved \(Self.megabytes(r.saved))\(percent)",
            "already current: \(r.current); not smaller, left as they are: \(r.notSmaller)\(r.gone > 0 ? "; removed meanwhile: \(r.gone)" : "")",
        ] + r.failed.prefix(20).map { "  failed \($0.sha256): \($0.reason)" }
    }

    static func megabytes(_ bytes: Int64) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}

/// `recompress --json`.
struct RecompressJSON: Encodable {
    struct Failure: Encodable { var sha256: String; var reason: String }
    var dry_run: Bool
    var blobs: Int
    var current: Int
    var recoded: Int
    var not_smaller: Int
    var gone: Int
    var failed: [Failure]
    var stored_before: Int64
    var stored_after: Int64
    var saved: Int64

    init(_ r: RecompressReport) {
        dry_run = r.dryRun
        blobs = r.blobs
        current = r.current
        recoded = r.recoded
        not_smaller = r.notSmaller
        gone = r.gone
        failed = r.failed.map { Failure(sha256: $0.sha256, reason: $0.reason) }
        stored_before = r.storedBefore
        stored_after = r.storedAfter
        saved = r.saved
    }
}
