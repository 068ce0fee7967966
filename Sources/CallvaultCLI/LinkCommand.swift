import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultContract
import CallvaultModel

/// `{"item", "customer", "linked", "customers_before", "customers_after", "changed"}`.
struct LinkJSON: Encodable {
    var item: String
    var customer: String
    var linked: Bool
    var customers_before: [String]
    var customers_after: [String]
    var changed: [String]
    var retention_changed: Int

    static func print(_ change: LinkChange, json: Bool) {
        if json {
            Output.json(LinkJSON(item: change.item.description, customer: change.customer, linked: change.linked,
                                 customers_before: change.before, customers_after: change.after,
                                 changed: change.changed.map(\.description), retention_changed: change.retentionChanged))
            return
        }
        let list = { (ids: [String]) in ids.isEmpty ? "-" : ids.joined(separator: ", ") }
        Output.text("\(change.item): customers \(list(change.before)) → \(list(change.after))\(change.changed.count > 1 ? " (with its recordings: \(change.changed.dropFirst().map(\.description).joined(separator: ", ")))" : "")")
        if change.changed.isEmpty { Output.text("  nothing changed; the correction is recorded and a customers import will keep it") }
    }
}

/// `link ITEM --customer ID --reason TEXT`.
struct LinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Link an item (and a call's recordings) to a customer by hand; a customers import keeps it (audited; needs --as).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Item id (call-N, sms-N, rec-N).") var id: String
    @Option(help: "The customer id.") var customer: String
    @Option(help: "Why the link is corrected; audited.") var reason: String

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let change = try archive.setLink(id, customer: customer, linked: true, reason: reason, actor: actor)
        LinkJSON.print(change, json: global.json)
    }
}

/// `unlink ITEM --customer ID --reason TEXT`.
struct UnlinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unlink",
        abstract: "Remove an item's (and a call's recordings') link to a customer; a customers import keeps it removed (audited; needs --as).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "Item id (call-N, sms-N, rec-N).") var id: String
    @Option(help: "The customer id.") var customer: String
    @Option(help: "Why the link is corrected; audited.") var reason: String

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let change = try archive.setLink(id, customer: customer, linked: false, reason: reason, actor: actor)
        LinkJSON.print(change, json: global.json)
    }
}
