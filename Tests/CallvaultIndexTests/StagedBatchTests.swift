import Foundation
import Testing
import GRDB
@testable import CallvaultIndex
import CallvaultModel
import CallvaultTesting

/// A batch of calls or SMS passes through temporary staging tables on the writer's connection
/// (`IndexWriter+ItemBatches.swift`). Those tables outlive the transaction, so a batch's numbers
/// left in them would be beyond an erasure's reach: every batch empties them before it returns,
/// whether its rows were new or duplicates.
@Suite struct StagedBatchTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    static func call(_ n: Int, from: String = "+358401234567") -> IndexWriter.PreparedCall {
        let start = now.addingTimeInterval(Double(n) * 60)
        let call = Call(sourceKey: "test:\(n)", format: "asterisk-csv", uniqueID: "\(n).1", linkedID: "\(n).1", start: start,
                        answer: start, end: start.addingTimeInterval(30), durationSeconds: 30, billableSeconds: 30,
                        from: PhoneNumber(raw: from, e164: from, category: .e164),
                        to: PhoneNumber(raw: "+358923456789", e164: "+358923456789", category: .e164),
                        callerName: "Mäkinen Jukka", direction: .inbound, disposition: "ANSWERED", agent: "101", context: "support")
        return IndexWriter.prepare(call, retention: RetentionTag(className: "traffic-data", until: nil), customers: ["C1"], now: now)
    }

    static func staged(_ writer: IndexWriter) throws -> [Int] {
        try ["temp.staged_items", "temp.staged_links"].map { table in
            // A table not created yet holds nothing either.
            let exists = try Bool.fetchOne(writer.db, sql: "SELECT EXISTS (SELECT 1 FROM temp.sqlite_master WHERE name = ?)",
                                           arguments: [String(table.dropFirst("temp.".count))]) ?? false
            return exists ? try Int.fetchOne(writer.db, sql: "SELECT count(*) FROM \(table)") ?? 0 : 0
        }
    }

    @Test func aBatchLeavesNoRowInTheStagingTablesNewOrDuplicate() throws {
        let folder = TemporaryFolder()
        let index = try ArchiveIndex(path: folder.path("index.sqlite"))
        try index.write { writer in
            try writer.db.execute(sql: "INSERT INTO customers (id, name, updated_at) VALUES ('C1', 'Mäkinen Jukka', 0)")
            let first = try writer.insert((0..<50).map { Self.call($0) })
            #expect(first.inserted.count == 50 && first.duplicates == 0)
            #expect(try Self.staged(writer) == [0, 0], "a batch of new calls left rows staged")
            let again = try writer.insert((40..<60).map { Self.call($0) })
            #expect(again.inserted.count == 10 && again.duplicates == 10)
            #expect(try Self.staged(writer) == [0, 0], "a batch with duplicates left rows staged")
            #expect(try Int.fetchOne(writer.db, sql: "SELECT count(*) FROM item_customers WHERE customer_id = 'C1'") == 60)
        }
        // The next transaction on any connection sees nothing staged either.
        let later = try index.write { writer in try Self.staged(writer) }
        #expect(later == [0, 0])
    }
}
