import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultContract
import CallvaultModel

/// `requests open / list / close`: the data-subject request register (R38).
struct RequestsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "requests", abstract: "The data-subject request register and its one-month deadline.",
        subcommands: [Open.self, List.self, Close.self])

    struct Open: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a request. Erasure and rectification restrict the customer until closed; access and portability freeze their items from expiry.")

        @OptionGroup var global: GlobalOptions
        @Option(help: "The customer's id.") var customer: String
        @Option(help: "access, erasure, rectification, restriction or portability.") var type: String
        @Option(help: "When the request first arrived, in any channel (ISO 8601; default now).") var received: String?
        @Option(help: "A note for the register (not written to the audit log).") var note: String?

        func run() throws {
            guard let requestType = DataSubjectRequest.RequestType(rawValue: type) else {
                throw ValidationError("--type must be one of: \(DataSubjectRequest.RequestType.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let (archive, actor) = try global.openAsActor()
            let zone = try archive.configuration.timeZone()
            let receivedAt = try received.map { try TimeArgument.parse($0, option: "--received", zone: zone) }
            let request = try archive.openRequest(customer: customer, type: requestType, received: receivedAt, note: note, actor: actor)
            if global.json {
                struct Opened: Encodable { var request: String; var due: Date; var received: Date; var customer: String; var type: String }
                Output.json(Opened(request: request.id, due: request.due, received: request.received, customer: request.customer,
                                   type: request.type.rawValue))
            } else {
                Output.text("\(request.id): \(request.type.rawValue) request of \(request.customer), due \(Output.local(request.due, zone))")
                if request.type.restrictsUntilClosed { Output.text("  \(request.customer) is restricted until the request is closed") }
                if request.type.freezesItems { Output.text("  \(request.customer)'s items are kept from expiry until 30 days after it is closed") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List open requests (--all: closed ones too). With --overdue only late ones, and exit 1 when there are any.")

        @OptionGroup var global: GlobalOptions
        @Flag(help: "Only open requests past their due date; exit 1 when there are any.") var overdue = false
        @Flag(help: "Include closed requests.") var all = false

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let now = archive.currentTime
            var list = try archive.requests(includeClosed: all, actor: actor)
            if overdue { list = list.filter { $0.isOverdue(at: now) } }
            if global.json {
                Output.json(RequestListJSON(requests: list.map { RequestJSON($0, now: now) }))
            } else {
                let zone = try archive.configuration.timeZone()
                if list.isEmpty { Output.text(overdue ? "no overdue requests" : "no requests") }
                for request in list {
                    var line = "\(request.id.padding(toLength: 8, withPad: " ", startingAt: 0)) \(request.type.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(request.customer.padding(toLength: 10, withPad: " ", startingAt: 0)) received \(Output.local(request.received, zone))  due \(Output.local(request.due, zone))"
                    if let closed = request.closed { line += "  closed \(Output.local(closed, zone))\(request.outcome.map { ": \($0)" } ?? "")" }
                    if request.isOverdue(at: now) { line += "  OVERDUE" }
                    Output.text(line)
                }
            }
            if overdue && !list.isEmpty { throw CommandExit(code: 1) }
        }
    }

    struct Close: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a request with its outcome: lifts the restriction it placed; access/portability items stay frozen 30 more days.")

        @OptionGroup var global: GlobalOptions
        @Argument(help: "The request (req-N).") var id: String
        @Option(help: "What was done (e.g. 'package delivered').") var outcome: String?

        func run() throws {
            let (archive, actor) = try global.openAsActor()
            let request = try archive.closeRequest(id, outcome: outcome, actor: actor)
            if global.json {
                Output.json(RequestJSON(request, now: archive.currentTime))
            } else {
                let zone = try archive.configuration.timeZone()
                Output.text("\(request.id) closed\(request.freezeUntil.map { "; items frozen until \(Output.local($0, zone))" } ?? "")")
            }
        }
    }
}

/// `requests list --json`.
struct RequestListJSON: Encodable {
    var requests: [RequestJSON]
}

/// One request of the register (CLI.md).
struct RequestJSON: Encodable {
    var id: String
    var customer: String
    var type: String
    var received: Date
    var due: Date
    var closed: Date?
    var outcome: String?
    var overdue: Bool
    var freeze_until: Date?

    init(_ request: DataSubjectRequest, now: Date) {
        id = request.id
        customer = request.customer
        type = request.type.rawValue
        received = request.received
        due = request.due
        closed = request.closed
        outcome = request.outcome
        overdue = request.isOverdue(at: now)
        freeze_until = request.freezeUntil
    }

    enum CodingKeys: String, CodingKey { case id, customer, type, received, due, closed, outcome, overdue, freeze_until }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(customer, forKey: .customer)
        try c.encode(type, forKey: .type)
        try c.encode(received, forKey: .received)
        try c.encode(due, forKey: .due)
        try c.encode(closed, forKey: .closed)
        try c.encode(outcome, forKey: .outcome)
        try c.encode(overdue, forKey: .overdue)
        try c.encode(freeze_until, forKey: .freeze_until)
    }
}
