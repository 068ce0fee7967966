import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultModel

/// `export --customer ID --out FILE.zip --purpose P [--portability] [--request req-N] [--force]`.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a customer's access package (GDPR Art. 15) or, with --portability, portability package (Art. 20) as a ZIP (audited).",
        discussion: """
            The ZIP holds manifest.json (SHA-256 of every file), customer.json, calls.json/.csv, sms.json/.csv, \
            recordings/ (the original audio) with recordings.json, consultations.json and information.json plus README.txt; \
            docs/export-schema.json describes the JSON files. Made in the compliance or admin role by a named user (--as).
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "The customer's id.") var customer: String
    @Option(help: "The ZIP file to write (refused if it exists, unless --force).") var out: String
    @Option(help: "Why the data is exported (one of the configured purposes).") var purpose: String?
    @Flag(help: "Portability package: only data kept on contract or consent, no consultations or internal data.") var portability = false
    @Option(help: "The register's request this package answers (req-N).") var request: String?
    @Flag(help: "Replace an existing file.") var force = false

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let status = StatusLine(enabled: !global.json)
        let summary = try archive.export(
            customer: customer, to: URL(fileURLWithPath: out), purpose: purpose,
            options: ExportOptions(portability: portability, overwrite: force, request: request), actor: actor) { status.line($0) }
        status.done()
        if global.json {
            Output.json(summary)
        } else {
            Output.text("\(summary.file): \(summary.portability ? "portability" : "access") package of \(customer), \(summary.calls) calls, \(summary.sms) SMS, \(summary.recordings) recordings, \(summary.consultations) consultations")
            Output.text("  \(summary.bytes) bytes, SHA-256 \(summary.sha256)")
        }
    }
}
