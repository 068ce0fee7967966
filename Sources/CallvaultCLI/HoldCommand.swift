import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultModel
import CallvaultContract

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
            let (archive, actor) = try global.openAsActor()
            let zone = try archive.configuration.timeZone()
            var request = HoldRequest(caseName: caseName, reason: reason, customers: customer, numbers: number, items: item)
            if let from { request.from = try TimeArgument.parse(from, option: "--from", zone: zone) }
            if let to { request.to = try TimeArgument.parse(to, option: "--to", zone: zone, endOfDay: true) }
            let hold = try archive.placeHold(request, actor: actor)
            if global.json {
                Output.json(HoldPlacedJSON(hold))
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
            let (archive, actor) = try global.openAsActor()
            let holds = try archive.holds(includeReleased: all, actor: actor)
            if global.json {
                Output.json(HoldListJSON(holds))
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
            let (archive, actor) = try global.openAsActor()
            let detail = try archive.hold(id, actor: actor)
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
            let (archive, actor) = try global.openAsActor()
            let hold = try archive.releaseHold(id, reason: reason, actor: actor)
            if global.json {
                Output.json(HoldReleasedJSON(hold))
            } else {
                Output.text("\(hold.id) released; `callvault expire` deletes the items past their retention that nothing else keeps")
            }
        }
    }
}

extension HoldJSON {
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
