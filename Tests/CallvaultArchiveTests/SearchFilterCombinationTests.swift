import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// Every combination of search filters binds each value to its own placeholder: a call found by
/// each of its own attributes alone is found by all of them together, in any combination (issue
/// 22: number + customer + kind + direction + text answered a database error over HTTP).
@Suite struct SearchFilterCombinationTests {
    @Test func everyCombinationOfACallsOwnAttributesFindsIt() throws {
        let fixture = try TestArchive.withSamples()
        let archive = fixture.archive, actor = fixture.actor
        // A call with a number, a customer, a direction, an agent and a caller name.
        let calls = try archive.search(SearchQuery(kind: .call, limit: 10_000), actor: actor).items
        var chosen: (item: ArchivedItem, name: String)?
        for call in calls where call.customers.count == 1 && call.direction == .inbound && call.agent != nil && call.from != nil {
            if let name = try archive.show(call.id.description, actor: actor).detail?.callerName?
                .split(whereSeparator: { !$0.isLetter }).first.map(String.init), name.count >= 3 {
                chosen = (call, name)
                break
            }
        }
        let (call, name) = try #require(chosen, "the samples have an inbound call of one customer with an agent and a caller name")
        let filters: [(String, (inout SearchQuery) -> Void)] = [
            ("number", { $0.number = call.from }),
            ("customer", { $0.customer = call.customers[0] }),
            ("kind", { $0.kind = .call }),
            ("direction", { $0.direction = call.direction }),
            ("agent", { $0.agent = call.agent }),
            ("text", { $0.text = name }),
            ("window", { $0.from = call.start.addingTimeInterval(-3600); $0.to = call.start.addingTimeInterval(3600) }),
        ]
        for mask in 1..<(1 << filters.count) {
            var query = SearchQuery(limit: 10_000)
            var used: [String] = []
            for (bit, filter) in filters.enumerated() where mask & (1 << bit) != 0 {
                filter.1(&query)
                used.append(filter.0)
            }
            let result = try archive.search(query, actor: actor)
            let found = result.items.contains { $0.id == call.id || $0.legs.contains(call.id) }
            #expect(found, "\(used.joined(separator: " + ")) did not find \(call.id)")
            #expect(result.total >= 1 && result.total >= result.items.count, "\(used.joined(separator: " + "))")
        }
    }
}
