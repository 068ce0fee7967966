import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultModel
import CallvaultContract

extension RestrictionJSON {
    static func print(_ state: RestrictionState, json: Bool) {
        if json {
            Output.json(RestrictionJSON(state))
            return
        }
        if state.restricted {
            Output.text("\(state.customer): processing restricted. Their items are stored only: hidden from search, show and extract for every role but compliance, not changed, not deleted by expiry.")
            for entry in state.restrictions {
                Output.text("  since \(Output.isoUTC(entry.placedAt))\(entry.request.map { " by request \($0) (lifted when it is closed)" } ?? " by hand"): \(entry.reason)")
            }
        } else {
            Output.text("\(state.customer): not restricted.")
        }
    }
}

/// `restrict --customer ID --reason TEXT`.
struct RestrictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restrict",
        abstract: "Restrict a customer's processing: their items are stored only, seen only by the compliance role (audited; needs --as).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The customer id.") var customer: String
    @Option(help: "Why (e.g. accuracy contested, pending erasure decision); audited.") var reason: String

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let state = try archive.restrict(customer: customer, reason: reason, actor: actor)
        RestrictionJSON.print(state, json: global.json)
    }
}

/// `unrestrict --customer ID [--reason TEXT]`.
struct UnrestrictCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unrestrict",
        abstract: "Lift a restriction placed by hand (compliance or admin role; one opened by a request is lifted when the request is closed).")

    @OptionGroup var global: GlobalOptions
    @Option(help: "The customer id.") var customer: String
    @Option(help: "The decision to lift it; audited.") var reason: String?

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let state = try archive.unrestrict(customer: customer, reason: reason, actor: actor)
        RestrictionJSON.print(state, json: global.json)
    }
}
