import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultContract

struct CustomersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "customers", abstract: "Manage customers and their numbers.", subcommands: [Import.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Upsert customers from a CSV (customer_id,name,phones[,relationship_ended]) and relink items.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The customers CSV file.") var file: String

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let summary = try archive.importCustomers(from: URL(fileURLWithPath: file), actor: actor)
            if global.json {
                struct Result: Encodable {
                    var customers: Int, numbers: Int, relinked: Int, retention_changed: Int
                    var rejected: [RejectJSON]
                }
                Output.json(Result(customers: summary.customers, numbers: summary.numbers, relinked: summary.relinked,
                                   retention_changed: summary.retentionChanged, rejected: summary.rejected.map(RejectJSON.init)))
            } else {
                Output.text("\(summary.customers) customers, \(summary.numbers) numbers, \(summary.relinked) links changed, \(summary.retentionChanged) retention dates recomputed")
            }
            for reject in summary.rejected {
                Output.error("\(reject.file):\(reject.line.map(String.init) ?? "-"): \(reject.reason)")
            }
            if summary.customers == 0 && !summary.rejected.isEmpty { throw CommandExit(code: 1) }
        }
    }
}
