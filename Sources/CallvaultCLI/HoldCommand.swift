import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultModel

/// `hold place / list / show / release`: legal holds (R50–R54).
struct HoldCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hold", abstract: "Legal holds: items nothing may delete while a hold covers them.",
        subcommands: [Place.self, List.self, Show.self, Release.self])

    struct Place: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Place a legal hold on customers, numbers, items and/or a time range (audited; needs --as). It covers matching items ingested later too.")

        @OptionGroup var global: GlobalOptions
        @Option(name: .customLong("case"), help: "The case the hold is for.") var caseName: String
        @Option(help: "Why the items must be preserved.") var reason: String
        @Option(help: "A customer id (repeatable).") var customer: [String] = []
        @Option(help: "A phone number in any written form (repeatable).") var number: [String] = []
        @Option(help: "An item id: call-N, sms-N, rec-N (repeatable; a call's recording is held with it).") var item: [String] = []
        @Option(help: "Only items from this time (ISO 8601).") var from: String?
        @Option(help: "Only items before this time (ISO 8601; a bare date includes that day).") var to: String?

        func run() throws {
            let actor = try global.namedActor
            let archive = try global.openArchive()
            let zone = try archive.configuration.timeZone()
            var request = HoldRequest(caseName: caseName, reason: reason, customers: customer, numbers: number, items: item)
            if let from { request.from = try TimeArgument.parse(from, option: "--from", zone: zone) }
            if let to { request.to = try TimeArgument.parse(to, option: "--to", zone: zone, endOfDay: true) }
            let hold = try archive.placeHold(request, actor: actor)
            if global.json {
                struct Result: Encodable { var hold: String; var items: Int }
                Output.json(Result(hold: hold.id, items: hold.coveredItems))
            } else {
                Output.text("\(hold.id) placed for case \(hold.caseName): covers \(hold.coveredItems) items now, and matching items ingested later")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List active holds (--all: released ones too), with the items each covers now.")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Released holds too.") var all = false

        func run() throws {
            let archive = try global.openArchive()
            let holds = try archive.holds(includeReleased: all, actor: global.actor)
            if global.json {
                struct Result: Encodable { var holds: [HoldJSON] }
                Output.json(Result(holds: holds.map(HoldJSON.init)))
                return
            }
            let zone = try archive.configuration.timeZone()
            if holds.isEmpty { Output.text(all ? "no holds" : "no active holds") }
            for hold in holds { HoldJSON.describe(hold, zone: zone).forEach(Output.text) }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a hold and the ids of the items it covers now (audited).")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Hold id (hold-N).") var id: String

        func run() throws {
            let archive = try global.openArchive()
            let detail = try archive.hold(id, actor: global.actor)
            if global.json {
                struct Result: Encodable { var hold: HoldJSON; var items: [String] }
                Output.json(Result(hold: HoldJSON(detail.hold), items: detail.items.map(\.description)))
                return
            }
            HoldJSON.describe(detail.hold, zone: try archive.configuration.timeZone()).forEach(Output.text)
            if !detail.items.isEmpty {
                Output.text("  items        \(detail.items.map(\.description).joined(separator: " "))")
            }
        }
    }

    struct Release: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release a hold with a recorded decision (audited; needs --as). The next expiry run deletes what it no longer protects.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Hold id (hold-N).") var id: String
        @Option(help: "The decision: why the items need not be preserved any more.") var reason: String

        func run() throws {
            let actor = try global.namedActor
            let archive = try global.openArchive()
            let hold = try archive.releaseHold(id, reason: reason, actor: actor)
            if global.json {
                struct Result: Encodable { var released: String }
                Output.json(Result(released: hold.id))
            } else {
                Output.text("\(hold.id) released; `callvault expire` deletes the items past their retention that nothing else keeps")
            }
        }
    }
}

/// A hold in `hold list` / `hold show --json`.
struct HoldJSON: Encodable {
    struct Scope: Encodable { var kind: String; var value: String }
    var id: String
    var `case`: String
    var reason: String
    var scopes: [Scope]
    var from: Date?
    var to: Date?
    var placed_by: String
    var placed_at: Date
    var released_by: String?
    var released_at: Date?
    var release_reason: String?
    var active: Bool
    var items: Int

    init(_ hold: Hold) {
        id = hold.id
        `case` = hold.caseName
        reason = hold.reason
        scopes = hold.scopes.map { Scope(kind: $0.kind.rawValue, value: $0.value) }
        from = hold.from
        to = hold.to
        placed_by = hold.placedBy
        placed_at = hold.placedAt
        released_by = hold.releasedBy
        released_at = hold.releasedAt
        release_reason = hold.releaseReason
        active = hold.isActive
        items = hold.coveredItems
    }

    enum CodingKeys: String, CodingKey {
        case id, `case`, reason, scopes, from, to, placed_by, placed_at, released_by, released_at, release_reason, active, items
    }

    // Absent optionals are written as null, so every hold has the same keys.
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(`case`, forKey: .`case`)
        try c.encode(reason, forKey: .reason)
        try c.encode(scopes, forKey: .scopes)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(placed_by, forKey: .placed_by)
        try c.encode(placed_at, forKey: .placed_at)
        try c.encode(released_by, forKey: .released_by)
        try c.encode(released_at, forKey: .released_at)
        try c.encode(release_reason, forKey: .release_reason)
        try c.encode(active, forKey: .active)
        try c.encode(items, forKey: .items)
    }

    /// Lines for people.
    static func describe(_ hold: Hold, zone: TimeZone) -> [String] {
        var lines = ["\(hold.id)  case \(hold.caseName)  \(hold.isActive ? "active" : "released")  covers \(hold.coveredItems) items"]
        lines.append("  reason       \(hold.reason)")
        let scopes = hold.scopes.map { "\($0.kind.rawValue) \($0.value)" }
        lines.append("  scope        \(scopes.isEmpty ? "every item in the time range" : scopes.joined(separator: ", "))")
        if hold.from != nil || hold.to != nil {
            lines.append("  time         \(hold.from.map { Output.local($0, zone) } ?? "…") – \(hold.to.map { Output.local($0, zone) } ?? "…")")
        }
        lines.append("  placed       \(Output.local(hold.placedAt, zone)) by \(hold.placedBy)")
        if let at = hold.releasedAt {
            lines.append("  released     \(Output.local(at, zone)) by \(hold.releasedBy ?? "?"): \(hold.releaseReason ?? "")")
        }
        return lines
    }
}
