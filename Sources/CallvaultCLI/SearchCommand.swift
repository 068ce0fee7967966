import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultContract
import CallvaultModel

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search", abstract: "Find calls and recordings, newest first; the legs of one call are shown once. The search and its hits are audited.")

    @OptionGroup var global: GlobalOptions
    @Option(help: "A number in any written form, or its last 6+ digits.") var number: String?
    @Option(help: "A customer id.") var customer: String?
    @Option(help: "From this time (ISO 8601).") var from: String?
    @Option(help: "Until this time (ISO 8601; a bare date includes that day).") var to: String?
    @Option(help: "call, sms or recording.") var kind: String?
    @Option(help: "An agent's extension or id.") var agent: String?
    @Option(help: "inbound, outbound or internal.") var direction: String?
    @Option(help: "Words in caller names.") var text: String?
    @Option(help: "At most this many items.") var limit = 50
    @Option(help: "Why the data is read (one of the configured purposes).") var purpose: String?

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let zone = try archive.configuration.timeZone()
        var query = SearchQuery(number: number, customer: customer, agent: agent, text: text, limit: limit)
        if let from { query.from = try TimeArgument.parse(from, option: "--from", zone: zone) }
        if let to { query.to = try TimeArgument.parse(to, option: "--to", zone: zone, endOfDay: true) }
        if let kind {
            guard let value = ItemKind(rawValue: kind) else {
                throw ValidationError("--kind must be call, sms or recording")
            }
            query.kind = value
        }
        if let direction {
            guard let value = Direction(rawValue: direction) else {
                throw ValidationError("--direction must be inbound, outbound or internal")
            }
            query.direction = value
        }
        let result = try archive.search(query, purpose: purpose, actor: actor)
        if global.json {
            Output.json(SearchResultJSON(result))
            return
        }
        Output.text("\(result.total) found\(result.total > result.items.count ? ", newest \(result.items.count) shown" : "")")
        for item in result.items {
            let duration = item.durationSeconds.rounded() == item.durationSeconds ? String(Int(item.durationSeconds)) : String(format: "%.1f", item.durationSeconds)
            var line = "\(item.id.description.padding(toLength: 10, withPad: " ", startingAt: 0)) \(Output.local(item.start, zone))  "
            line += "\((item.direction?.rawValue ?? "-").padding(toLength: 8, withPad: " ", startingAt: 0)) "
            line += "\((item.from ?? "-").padding(toLength: 14, withPad: " ", startingAt: 0)) → \((item.to ?? "-").padding(toLength: 14, withPad: " ", startingAt: 0)) "
            line += "\(duration.leftPadded(5))s \((item.disposition ?? "").padding(toLength: 10, withPad: " ", startingAt: 0))"
            if let agent = item.agent { line += " agent \(agent)" }
            if !item.customers.isEmpty { line += " [\(item.customers.joined(separator: ", "))]" }
            if let recording = item.recording { line += " ♪ \(recording)" }
            Output.text(line)
            // A call of several legs (a transfer, a queue ringing agents): its legs and recordings below it.
            if item.legs.count > 1 || item.recordings.count > (item.recording == nil ? 0 : 1) {
                var legs = "           legs \(item.legs.map(\.description).joined(separator: ", "))"
                if !item.recordings.isEmpty { legs += "  ♪ \(item.recordings.map(\.description).joined(separator: ", "))" }
                Output.text(legs)
            }
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Show one item with its links, recording and retention (audited).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Item id (call-N, rec-N).") var id: String
    @Option(help: "Why the data is read (one of the configured purposes).") var purpose: String?

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let item = try archive.show(id, purpose: purpose, actor: actor)
        if global.json {
            Output.json(ItemJSON(item))
            return
        }
        let zone = try archive.configuration.timeZone()
        var lines = ["\(item.id)  \(item.id.kind.rawValue), \(item.direction?.rawValue ?? "direction unknown")",
                     "  start        \(Output.local(item.start, zone)) (\(Output.isoUTC(item.start)))",
                     "  from         \(item.from ?? "-")\(item.detail?.callerName.map { "  \"\($0)\"" } ?? "")",
                     "  to           \(item.to ?? "-")",
                     "  duration     \(item.durationSeconds) s\(item.disposition.map { ", \($0)" } ?? "")"]
        if let agent = item.agent { lines.append("  agent        \(agent)") }
        lines.append("  customers    \(item.customers.isEmpty ? "-" : item.customers.joined(separator: ", "))")
        if let recording = item.recording { lines.append("  recording    \(recording)") }
        if item.legs.count > 1 {
            lines.append("  legs         \(item.legs.map { $0 == item.id ? "\($0) (this)" : $0.description }.joined(separator: ", "))")
        }
        if !item.recordings.isEmpty { lines.append("  recordings   \(item.recordings.map(\.description).joined(separator: ", "))") }
        if let detail = item.detail {
            if let call = detail.call { lines.append("  call         \(call)") }
            if let context = detail.context { lines.append("  context      \(context)") }
            if let unique = detail.uniqueID { lines.append("  unique id    \(unique)\(detail.linkedID.map { $0 != unique ? " (linked \($0))" : "" } ?? "")") }
            if let blob = detail.blob {
                lines.append("  audio        \(blob.audio.codec), \(blob.audio.sampleRate) Hz, \(blob.audio.channels) ch, \(blob.audio.durationSeconds) s")
                lines.append("  stored       \(blob.bytes) bytes → \(blob.storedBytes) compressed, sha256 \(blob.sha256)")
                if let warning = blob.audio.warning { lines.append("  warning      \(warning)") }
            }
        }
        lines.append("  retain until \(item.retainUntil.map { Output.local($0, zone) } ?? "while the customer relationship lasts")\(item.retentionClass.map { " (class \($0))" } ?? "")")
        if item.restricted { lines.append("  restricted   yes: processing restricted; stored only") }
        lines.append("  holds        \(item.holds.isEmpty ? "none" : item.holds.joined(separator: ", "))")
        lines.forEach(Output.text)
    }
}

struct RecordingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recording", abstract: "Work with recordings.", subcommands: [Extract.self])

    struct Extract: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the original recording, byte-exact; the purpose is audited.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Recording id (rec-N) or the id of its call.") var id: String
        @Option(help: "Where to write the recording.") var out: String
        @Option(help: "Why the recording is read (one of the configured purposes).") var purpose: String?

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let result = try archive.extractRecording(id, to: URL(fileURLWithPath: out), purpose: purpose, actor: actor)
            if global.json {
                struct Result: Encodable { var id: String; var sha256: String; var bytes: Int64 }
                Output.json(Result(id: result.id.description, sha256: result.sha256, bytes: result.bytes))
            } else {
                Output.text("Wrote \(result.bytes) bytes of \(result.id) to \(out) (sha256 \(result.sha256))")
            }
        }
    }
}
