import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultContract

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Ingest PBX exports and recordings (files or folders, recursively).",
        discussion: """
            Bad lines and unknown files are reported (file, line, reason) and the good data beside them is kept.
            Exit code 1 only when something was rejected and nothing could be ingested.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "auto (default: detect from content), asterisk-csv, freeswitch-csv, freeswitch-sql, freeswitch-json, freeswitch-xml, kannel-access-log, sms-csv, recording, or the name of a [sources.NAME] mapping.") var format = "auto"
    @Argument(help: "Files or folders.") var paths: [String]

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let progress: any ProgressReporter = global.json ? SilentProgress() : TerminalProgress.make()
        let summary = try archive.ingest(paths.map { URL(fileURLWithPath: $0) }, format: format, actor: actor, progress: progress)
        Self.report(summary, json: global.json)
        if !summary.rejected.isEmpty && summary.calls + summary.recordings + summary.sms + summary.duplicates == 0 {
            throw CommandExit(code: 1)
        }
    }

    /// Prints an ingest summary (CLI.md's ingest JSON, or a line for people) and the rejects on stderr.
    static func report(_ summary: IngestSummary, json: Bool) {
        if json {
            Output.json(IngestSummaryJSON(summary))
        } else {
            Output.text("\(summary.files) files: \(summary.calls) calls, \(summary.sms) sms, \(summary.recordings) recordings, \(summary.duplicates) duplicates, \(summary.rejected.count) rejected")
        }
        for reject in summary.rejected {
            Output.error("rejected \(reject.file)\(reject.line.map { ":\($0)" } ?? ""): \(reject.reason)")
        }
        for warning in summary.warnings {
            Output.error("warning \(warning.file): \(warning.reason)")
        }
    }
}
