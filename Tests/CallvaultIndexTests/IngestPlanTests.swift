import Foundation
import Testing
@testable import CallvaultIndex
import CallvaultTesting

/// The statements ingest runs once per batch or per report read only what they must: a new
/// transaction's items by their id range, a message by its id. SQLite picks indexes by
/// heuristics, so a new index can take over a statement (v16's `items_kind_start` made these
/// read every call or SMS stored); each plan is checked on the current schema.
@Suite struct IngestPlanTests {
    func plan(_ sql: String) throws -> String {
        let folder = TemporaryFolder()
        let path = folder.path("index.sqlite")
        _ = try ArchiveIndex(path: path)
        return try Shell.run("/usr/bin/sqlite3", [path.path, "EXPLAIN QUERY PLAN " + sql])
    }

    @Test func statementsOverATransactionsNewItemsSeekTheirIdRange() throws {
        for sql in [IndexWriter.indexConversationsSQL, IndexWriter.waitingRecordingsSQL, IndexWriter.reportsOfNewMessagesSQL] {
            let plan = try plan(sql)
            #expect(plan.contains("INTEGER PRIMARY KEY (rowid>?)"), "\(plan)")
            #expect(!plan.contains("items_kind_start") && !plan.contains("SCAN items") && !plan.contains("SCAN n") && !plan.contains("SCAN c"), "\(plan)")
        }
    }

    @Test func aDeliveryReportFindsItsMessageByItsId() throws {
        let plan = try plan(IndexWriter.sentMessageSQL)
        #expect(plan.contains("items_sms_message_id (pbx_unique_id=?)"), "\(plan)")
    }
}
