public import Foundation
public import CallvaultModel
import GRDB

extension IndexWriter {
    /// Registers a data-subject request; an erasure or rectification request restricts the
    /// customer in the same transaction until it is closed (R24).
    /// - Returns: the request's number (`req-N`).
    public func openRequest(customer: String, type: DataSubjectRequest.RequestType, received: Date, due: Date,
                            openedBy: String, note: String?, now: Date) throws -> Int64 {
        try db.execute(sql: """
            INSERT INTO requests (customer_id, type, received_at, due_at, opened_by, note) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [customer, type.rawValue, received.unixSeconds, due.unixSeconds, openedBy, note])
        let number = db.lastInsertedRowID
        if type.restrictsUntilClosed {
            try db.execute(sql: """
                INSERT INTO restrictions (customer_id, reason, request_id, placed_by, placed_at) VALUES (?, ?, ?, ?, ?)
                """, arguments: [customer, "request req-\(number) (\(type.rawValue)) pending", number, openedBy, now.unixSeconds])
        }
        return number
    }

    /// Closes a request: records when, by whom and the outcome, sets the freeze period of an
    /// access or portability request (R30), and lifts the restrictions the request placed.
    /// - Returns: how many restrictions were lifted.
    @discardableResult
    public func closeRequest(_ number: Int64, closedBy: String, outcome: String?, freezeUntil: Date?, now: Date) throws -> Int {
        try db.execute(sql: """
            UPDATE requests SET closed_at = ?, closed_by = ?, outcome = ?, freeze_until = ? WHERE id = ? AND closed_at IS NULL
            """, arguments: [now.unixSeconds, closedBy, outcome, freezeUntil?.unixSeconds, number])
        try db.execute(sql: """
            UPDATE restrictions SET lifted_at = ?, lifted_by = ? WHERE request_id = ? AND lifted_at IS NULL
            """, arguments: [now.unixSeconds, closedBy, number])
        return db.changesCount
    }
}
