import Foundation
public import CallvaultModel
import GRDB

extension IndexReader {
    /// One request of the register, or nil.
    public func request(_ number: Int64) throws -> DataSubjectRequest? {
        try Row.fetchOne(db, sql: "SELECT * FROM requests WHERE id = ?", arguments: [number]).map(Self.request)
    }

    /// Requests in order of arrival: open ones only unless `includeClosed`.
    public func requests(includeClosed: Bool) throws -> [DataSubjectRequest] {
        try Row.fetchAll(db, sql: "SELECT * FROM requests\(includeClosed ? "" : " WHERE closed_at IS NULL") ORDER BY received_at, id")
            .map(Self.request)
    }

    static func request(_ row: Row) -> DataSubjectRequest {
        DataSubjectRequest(
            number: row["id"], customer: row["customer_id"],
            type: DataSubjectRequest.RequestType(rawValue: row["type"]) ?? .access,
            received: Date(unixSeconds: row["received_at"]), due: Date(unixSeconds: row["due_at"]),
            openedBy: row["opened_by"], note: row["note"],
            closed: (row["closed_at"] as Int64?).map(Date.init(unixSeconds:)), closedBy: row["closed_by"],
            outcome: row["outcome"], freezeUntil: (row["freeze_until"] as Int64?).map(Date.init(unixSeconds:)))
    }
}
