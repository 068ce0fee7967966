import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultContract
import CallvaultModel
import CallvaultPolicy

/// `retention apply` and `retention show ID`.
struct RetentionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retention", abstract: "Retention classes: recompute them, or explain one item's.",
        subcommands: [Apply.self, Show.self])

    struct Apply: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every item's retention class and retain-until date from callvault.toml's rules and the customers' relationships (audited).")

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let progress = StatusLine(enabled: !global.json)
            let summary = try archive.applyRetention(actor: actor) { items in progress.line("\(items) items checked") }
            progress.done()
            if global.json {
                Output.json(summary)
            } else {
                Output.text("\(summary.items) items checked, \(summary.changed) changed")
            }
            if !summary.unmatched.isEmpty {
                Output.error("\(summary.unmatched.count) items match no retention rule and keep their old retention (e.g. \(summary.unmatched.prefix(5).joined(separator: ", "))); add a [[retention.rules]] entry that covers them")
                throw CommandExit(code: 1)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Explain which rule gives an item its retention.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "Item id (call-N, sms-N, rec-N).") var id: String

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            guard let itemID = ItemID(id) else { throw ArchiveFailure(.badInput, "'\(id.prefix(64))' is not an item id (call-N, sms-N, rec-N)") }
            let explanation = try archive.explainRetention(itemID, actor: actor)
            let zone = try archive.configuration.timeZone()
            if global.json {
                Output.json(RetentionJSON(explanation))
                return
            }
            var lines = ["\(itemID)  \(explanation.facts.kind.rawValue) from \(explanation.facts.source), start \(Output.local(explanation.facts.start, zone))"]
            if let number = explanation.ruleNumber, let conditions = explanation.ruleConditions {
                lines.append("  rule         #\(number) of callvault.toml's [[retention.rules]]: \(conditions)")
            } else {
                lines.append("  rule         none matches: add a [[retention.rules]] entry that covers this item")
            }
            if let c = explanation.retentionClass {
                lines.append("  class        \(c.name): \(c.period) from \(c.from == .item ? "the item's time" : "the end of the customer relationship"), \(c.legalBasis.rawValue)\(c.erasableEarly ? ", erasable on request" : ", not erasable early")")
            }
            lines.append("  customers    \(explanation.customers.isEmpty ? "-" : explanation.customers.joined(separator: ", "))")
            func until(_ tag: RetentionTag?) -> String {
                guard let tag else { return "not computed" }
                return tag.until.map { Output.local($0, zone) } ?? "while the customer relationship lasts"
            }
            lines.append("  retain until \(until(explanation.computed))")
            if explanation.stored != explanation.computed {
                lines.append("  stored       \(until(explanation.stored)) (\(explanation.stored?.className ?? "no class")): out of date; run `callvault retention apply`")
            }
            lines.forEach(Output.text)
        }
    }
}

/// `retention show --json`.
struct RetentionJSON: Encodable {
    var id: String
    var kind: String
    var source: String
    var start: Date
    var customers: [String]
    var rule: Int?
    var rule_conditions: String?
    var retention_class: String?
    var period: String?
    var counted_from: String?
    var legal_basis: String?
    var erasable_early: Bool?
    var retain_until: Date?
    var stored_class: String?
    var stored_retain_until: Date?
    var current: Bool

    init(_ e: RetentionExplanation) {
        id = e.id.description
        kind = e.facts.kind.rawValue
        source = e.facts.source
        start = e.facts.start
        customers = e.customers
        rule = e.ruleNumber
        rule_conditions = e.ruleConditions
        retention_class = e.retentionClass?.name
        period = e.retentionClass?.period.description
        counted_from = e.retentionClass?.from.rawValue
        legal_basis = e.retentionClass?.legalBasis.rawValue
        erasable_early = e.retentionClass?.erasableEarly
        retain_until = e.computed?.until
        stored_class = e.stored?.className
        stored_retain_until = e.stored?.until
        current = e.stored == e.computed
    }
}
