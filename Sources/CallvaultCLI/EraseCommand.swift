import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultModel
import CallvaultContract

/// `erase --customer ID --reason TEXT [--dry-run [--now T]]`: the right to erasure.
struct EraseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "erase",
        abstract: "Erase a customer's data: plan, then execute; prints a report for answering the customer (audited; needs --as).",
        discussion: """
            Every item linked to the customer is erased, or kept with the reason: a legal hold (the \
            erasure finishes by itself when the last hold is released), a retention class that may not \
            be erased early (reported with its date), or another customer's link (only this customer's \
            link is removed; the item is listed for review). The customer's record and numbers go last. \
            --dry-run prints the plan and changes nothing.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "The customer id.") var customer: String
    @Option(help: "Why (e.g. the request id); audited.") var reason: String
    @Option(help: "With --dry-run: the time the plan is made at (ISO 8601; default now). A real erasure always uses the system clock.") var now: String?
    @Flag(help: "Print the plan only; change nothing.") var dryRun = false

    func validate() throws {
        if now != nil && !dryRun {
            throw ValidationError("--now only plans: \(Self.configuration.commandName!) deletes on the system clock. Add --dry-run to see what it would do at that time, or leave out --now")
        }
    }

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let zone = try archive.configuration.timeZone()
        let time = try now.map { try TimeArgument.parse($0, option: "--now", zone: zone) }
        let progress = StatusLine(enabled: !global.json)
        progress.line(dryRun ? "planning the erasure of \(customer)…" : "erasing \(customer)…")
        let report = try archive.erase(customer: customer, reason: reason, now: time, dryRun: dryRun, actor: actor)
        progress.done()
        if global.json {
            Output.json(ErasureJSON(report))
        } else {
            ErasureText.render(report, zone: zone).forEach(Output.text)
        }
    }
}

/// The readable report: what was erased, what was kept, why and until when, and the right to complain (R23).
enum ErasureText {
    static func render(_ r: ErasureReport, zone: TimeZone) -> [String] {
        func day(_ date: Date) -> String { String(Output.local(date, zone).prefix(10)) }
        var lines: [String] = []
        if r.dryRun {
            lines.append("Erasure plan for customer \(r.customer) (nothing has been changed; run without --dry-run to execute)")
        } else if let done = r.completedAt {
            lines.append("Erasure \(r.erasure ?? "-") for customer \(r.customer), completed \(day(done))")
        } else {
            lines.append("Erasure \(r.erasure ?? "-") for customer \(r.customer), started \(day(r.requestedAt)): waiting for legal holds")
        }
        let d = r.deleted
        lines.append("")
        lines.append("\(r.dryRun ? "To be erased" : "Erased"): \(d.total) item\(d.total == 1 ? "" : "s") (\(d.calls) call records, \(d.sms) SMS records, \(d.recordings) call recordings)")
        if !r.kept.isEmpty {
            lines.append("")
            lines.append("Kept (\(r.kept.count)):")
            // Grouped by reason and date: one line per group, with up to ten ids.
            var groups: [(key: String, ids: [String])] = []
            for item in r.kept {
                let key: String
                switch item.why {
                case .hold:
                    key = "under a legal hold (\(item.holds.joined(separator: ", "))): erased when the hold is released"
                case .retention:
                    let until = item.until.map { "until \(day($0))" } ?? "while the customer relationship lasts, and then for the retention period"
                    key = "kept by law or contract \(until) (class \(item.retentionClass ?? "?")\(item.legalBasis.map { ", legal basis \($0)" } ?? ""); may not be erased early)"
                case .linkedToAnotherCustomer:
                    key = "also concerns another customer: the link to you was removed; the record stays for them\(item.until.map { " until \(day($0))" } ?? "")"
                }
                if let index = groups.firstIndex(where: { $0.key == key }) { groups[index].ids.append(item.id) } else { groups.append((key, [item.id])) }
            }
            for group in groups {
                let shown = group.ids.prefix(10).joined(separator: ", ") + (group.ids.count > 10 ? ", … (\(group.ids.count - 10) more)" : "")
                lines.append("  \(group.ids.count) item\(group.ids.count == 1 ? "" : "s") \(group.key)")
                lines.append("      \(shown)")
            }
        }
        if !r.review.isEmpty {
            lines.append("")
            lines.append("For review (shared with another customer): \(r.review.prefix(20).joined(separator: ", "))\(r.review.count > 20 ? ", …" : "")")
        }
        lines.append("")
        if r.customerRemoved {
            lines.append("Customer record: \(r.dryRun ? "will be removed" : "removed"), with the name and every phone number.")
        } else if r.customerBlanked {
            lines.append("Customer record: name and phone numbers \(r.dryRun ? "will be removed" : "removed"); the customer id remains only to link the kept items until they expire.")
        } else {
            lines.append("Customer record: kept until the legal holds are released; then removed.")
        }
        if !r.dryRun {
            lines.append("Recordings' audio files removed: \(r.blobsRemoved); raw spool copies scrubbed: \(r.spoolFilesScrubbed).")
            switch r.indexPurged {
            case true?: lines.append("The index's files hold no copy of the deleted content (full-text index merged, write-ahead log truncated).")
            case false?: lines.append("The index's write-ahead log may still hold old copies of the deleted content: a long-running reader kept it open. The next `callvault expire` run purges it.")
            case nil: break
            }
        }
        lines.append("")
        lines.append("You have the right to lodge a complaint with the supervisory authority, the Data Protection Ombudsman (tietosuojavaltuutettu, https://tietosuoja.fi).")
        return lines
    }
}
