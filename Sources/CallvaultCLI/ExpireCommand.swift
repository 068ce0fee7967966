import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultContract
import CallvaultModel

/// `expire [--dry-run [--now T]]`: deletes what is past its retention and not kept (R16–R18, R4).
struct ExpireCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expire",
        abstract: "Delete every item past its retain-until date that no hold, restriction or access request keeps, and audit entries past the log's retention.",
        discussion: """
            Acts as the account running it (run-expiry: admin or compliance), on the system clock; `serve`'s \
            scheduled runs act as svc:expiry. Works in short batches, each audited with the ids it \
            deleted, so searches and ingest go on meanwhile; an interrupted run is finished by the next. \
            --dry-run changes nothing: it lists what would go (as of --now, when given), what is kept and why, \
            and exits 1 when items are overdue (more than 48 h past their date and not kept). A clock stepped back \
            behind the processing log stops a real run (dry runs go on).
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "With --dry-run: plan as of this time (ISO 8601; default: now). A real run always uses the system clock.") var now: String?
    @Flag(help: "Change nothing; report what would be deleted, what is kept and why, and what is overdue.") var dryRun = false

    func validate() throws {
        if now != nil && !dryRun {
            throw ValidationError("--now only plans: \(Self.configuration.commandName!) deletes on the system clock. Add --dry-run to see what it would do at that time, or leave out --now")
        }
    }

    func run() throws {
        // A person who runs expiry by hand acts as themselves (run-expiry); only `serve`'s
        // scheduled runs act as svc:expiry.
        let (archive, actor) = try global.openAsActor()
        let zone = try archive.configuration.timeZone()
        let time = try now.map { try TimeArgument.parse($0, option: "--now", zone: zone) }
        let status = StatusLine(enabled: !global.json)
        let report = try archive.expire(now: time, dryRun: dryRun, actor: actor) { report in
            status.line(dryRun
                ? "\(report.due.total) due · \(report.held + report.restricted + report.frozen) kept"
                : "\(report.deleted.total) deleted (\(report.deleted.calls) calls, \(report.deleted.sms) SMS, \(report.deleted.recordings) recordings) · \(report.held + report.restricted + report.frozen) kept")
        }
        status.done()
        if global.json {
            Output.json(ExpireJSON(report))
        } else {
            describe(report, zone: zone).forEach(Output.text)
        }
        if report.overdueCount > 0 {
            Output.error("\(report.overdueCount) items are more than 48 h past their retain-until date and not kept by a hold, restriction or request (e.g. \(report.overdue.prefix(5).map(\.description).joined(separator: ", "))): run `callvault expire`")
            throw CommandExit(code: 1)
        }
    }

    func describe(_ r: ExpiryReport, zone: TimeZone) -> [String] {
        var lines: [String] = []
        let counts = { (c: ExpiryReport.Counts) in "\(c.calls) calls, \(c.sms) SMS, \(c.recordings) recordings" }
        if r.dryRun {
            lines.append("dry run as of \(Output.local(r.now, zone)): would delete \(r.due.total) items (\(counts(r.due)))")
            if !r.dueIDs.isEmpty {
                lines.append("  would delete \(r.dueIDs.map(\.description).joined(separator: " "))\(r.due.total > r.dueIDs.count ? " …" : "")")
            }
        } else {
            lines.append("deleted \(r.deleted.total) items (\(counts(r.deleted))) in \(r.batches) batches; \(r.blobsRemoved) recording files removed")
        }
        lines.append("kept though due: \(r.held) by holds, \(r.restricted) by restriction, \(r.frozen) by access requests")
        for kept in r.kept.prefix(50) {
            lines.append("  \(kept.id.description.padding(toLength: 10, withPad: " ", startingAt: 0)) due \(Output.local(kept.retainUntil, zone))  kept by \(kept.by)")
        }
        if r.kept.count > 50 { lines.append("  … (\(r.held + r.restricted + r.frozen - 50) more; --json lists up to \(ExpiryReport.listLimit))") }
        lines.append("audit entries \(r.dryRun ? "to prune" : "pruned") after the log's retention: \(r.auditPruned)")
        let removed = r.spool.removed
        lines.append("spool copies \(r.dryRun ? "to remove" : "removed"): \(removed.filter { $0.folder == "processed" }.count) processed, "
                     + "\(removed.filter { $0.folder == "rejected" }.count) rejected; \(r.spool.kept.count) kept by holds")
        for entry in r.spool.kept.prefix(20) {
            lines.append("  processed/\(entry.name) kept by \(entry.by ?? "?") (due \(Output.local(entry.removeAfter, zone)))")
        }
        if !r.spool.waiting.isEmpty {
            lines.append("rejected files waiting for an operator: \(r.spool.waiting.count)")
            for entry in r.spool.waiting.prefix(20) {
                lines.append("  rejected/\(entry.name) goes \(Output.local(entry.removeAfter, zone))")
            }
            if r.spool.waiting.count > 20 { lines.append("  … (\(r.spool.waiting.count - 20) more; --json lists them all)") }
        }
        if r.overdueCount > 0 {
            lines.append("OVERDUE: \(r.overdueCount) items past their date + 48 h: \(r.overdue.prefix(50).map(\.description).joined(separator: " "))")
        }
        return lines
    }
}

/// `expire --json`.
struct ExpireJSON: Encodable {
    struct Kept: Encodable { var id: String; var why: String; var by: String; var retain_until: Date }
    var dry_run: Bool
    var now: Date
    var deleted: ExpiryReport.Counts
    /// What was due and not kept: deleted, or in a dry run what would be.
    var due: ExpiryReport.Counts
    var ids: [String]
    var ids_truncated: Bool
    var held: Int
    var restricted: Int
    var frozen: Int
    var kept: [Kept]
    var kept_truncated: Bool
    var overdue: [String]
    var overdue_count: Int
    var blobs_removed: Int
    var audit_pruned: Int
    var batches: Int
    var duration_ms: Int
    var longest_transaction_ms: Int
    var spool: Spool

    /// The spool's copies: removed (dry run: to remove), kept by holds, rejected files waiting.
    struct Spool: Encodable {
        struct Entry: Encodable { var folder: String; var name: String; var filed_at: Date; var remove_after: Date; var kept_by: String? }
        var removed: [Entry]
        var kept: [Entry]
        var waiting: [Entry]

        init(_ s: SpoolCleanup) {
            func entries(_ list: [SpoolCleanup.Entry]) -> [Entry] {
                list.map { Entry(folder: $0.folder, name: $0.name, filed_at: $0.filedAt, remove_after: $0.removeAfter, kept_by: $0.by) }
            }
            removed = entries(s.removed)
            kept = entries(s.kept)
            waiting = entries(s.waiting)
        }
    }

    init(_ r: ExpiryReport) {
        dry_run = r.dryRun
        now = r.now
        deleted = r.deleted
        due = r.due
        ids = r.dueIDs.map(\.description)
        ids_truncated = r.due.total > r.dueIDs.count
        held = r.held
        restricted = r.restricted
        frozen = r.frozen
        kept = r.kept.map { Kept(id: $0.id.description, why: $0.why.rawValue, by: $0.by, retain_until: $0.retainUntil) }
        kept_truncated = r.held + r.restricted + r.frozen > r.kept.count
        overdue = r.overdue.map(\.description)
        overdue_count = r.overdueCount
        blobs_removed = r.blobsRemoved
        audit_pruned = r.auditPruned
        batches = r.batches
        duration_ms = r.durationMs
        longest_transaction_ms = r.longestTransactionMs
        spool = Spool(r.spool)
    }
}

/// Searches in a loop while another process works, recording how long each waited (hidden:
/// a tool for `scripts/bench-expire`, not a feature).
struct BenchSearchLoopCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-search-loop", abstract: "Search repeatedly and report the slowest (for scripts/bench-expire).", shouldDisplay: false)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Numbers to search (comma-separated), in turn with name words.") var numbers: String
    @Option(help: "Name words (comma-separated).") var names: String
    @Option(help: "Stop when this file exists.") var stopFile: String
    @Option(help: "Stop after this many seconds at most.") var seconds: Double = 600

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let numberList = numbers.split(separator: ",").map(String.init)
        let nameList = names.split(separator: ",").map(String.init)
        var times: [Double] = []
        var slowest: [(Double, Double)] = [] // (ms, seconds since start)
        let start = DispatchTime.now().uptimeNanoseconds
        var i = 0
        while !FileManager.default.fileExists(atPath: stopFile) {
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            if elapsed > seconds { break }
            let query = i.isMultiple(of: 2) ? SearchQuery(number: numberList[(i / 2) % numberList.count], limit: 50)
                : SearchQuery(text: nameList[(i / 2) % nameList.count], limit: 50)
            let t0 = DispatchTime.now().uptimeNanoseconds
            _ = try archive.search(query, actor: actor)
            let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
            times.append(ms)
            if ms > 50 { slowest.append((ms, elapsed)) }
            i += 1
            Thread.sleep(forTimeInterval: 0.005)
        }
        let sorted = times.sorted()
        func pct(_ p: Double) -> Double { sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] }
        struct Result: Encodable {
            var searches: Int; var max_ms: Double; var p50_ms: Double; var p99_ms: Double; var over_100ms: Int
            var slowest: [[Double]]
        }
        Output.json(Result(searches: times.count, max_ms: sorted.last ?? 0, p50_ms: pct(0.5), p99_ms: pct(0.99),
                           over_100ms: times.filter { $0 > 100 }.count,
                           slowest: slowest.sorted { $0.0 > $1.0 }.prefix(10).map { [$0.0, $0.1] }))
    }
}
