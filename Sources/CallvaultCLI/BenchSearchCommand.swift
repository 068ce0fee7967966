import ArgumentParser
import Foundation
import CallvaultArchive
import CallvaultContract
import CallvaultModel

/// Times searches in-process for `scripts/bench-ingest` (hidden: a tool, not a feature).
struct BenchSearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-search", abstract: "Measure search latency (for scripts/bench-ingest).", shouldDisplay: false)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Searches per query kind.") var iterations = 200
    @Option(help: "Numbers to search (comma-separated), one per iteration in turn.") var numbers: String
    @Option(help: "Customer ids (comma-separated).") var customers: String
    @Option(help: "Name words (comma-separated).") var names: String
    @Option(help: "Start of the 30-day window for number searches (ISO 8601).") var from: String

    func run() throws {
        let (archive, actor) = try global.openAsActor()
        let zone = try archive.configuration.timeZone()
        let start = try TimeArgument.parse(from, option: "--from", zone: zone)
        let end = start.addingTimeInterval(30 * 86_400)
        func measure(_ values: String, _ make: (String) -> SearchQuery) throws -> [String: Double] {
            let list = values.split(separator: ",").map(String.init)
            var times: [Double] = []
            for i in 0..<iterations {
                let query = make(list[i % list.count])
                let t0 = DispatchTime.now().uptimeNanoseconds
                _ = try archive.search(query, actor: actor)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
            }
            times.sort()
            return ["p50_ms": times[times.count / 2], "p99_ms": times[min(times.count - 1, Int(Double(times.count) * 0.99))]]
        }
        let result = [
            "number_30_days": try measure(numbers) { SearchQuery(number: $0, from: start, to: end, limit: 50) },
            "customer_last_50": try measure(customers) { SearchQuery(customer: $0, limit: 50) },
            "name": try measure(names) { SearchQuery(text: $0, limit: 50) },
            // Narrowed by kind or time alone (issue 22): totals from the hour counts, pages from
            // `items_kind_start` / `items_start`. Windows start at uneven times (partial hours).
            "kind_only": try measure("call,sms,recording") { SearchQuery(kind: ItemKind(rawValue: $0), limit: 50) },
            "time_30_days": try measure((0..<100).map { String($0) }.joined(separator: ",")) {
                let from = start.addingTimeInterval(Double(Int($0)!) * 86_400 * 2 + 1_237)
                return SearchQuery(from: from, to: from.addingTimeInterval(30 * 86_400), limit: 50)
            },
            "kind_and_time_30_days": try measure("call,sms,recording") {
                SearchQuery(from: start.addingTimeInterval(1_237), to: end, kind: ItemKind(rawValue: $0), limit: 50)
            },
        ]
        Output.json(result)
    }
}
