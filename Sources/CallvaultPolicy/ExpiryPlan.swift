public import Foundation
public import CallvaultModel

/// What expiry does with one page of items past their retain-until date (R16–R18), decided
/// before anything is deleted: a pure value that `expire --dry-run` tallies and a real run
/// executes as is, one page per write transaction.
public struct ExpiryPlan: Sendable, Equatable {
    /// How long past its date an item may wait for the next run before it counts as overdue (R17).
    public static let overdueGrace: TimeInterval = 48 * 3600

    /// Due items nothing keeps: they go, in the page's order.
    public var delete: [ItemID] = []
    /// Due items a hold, a restriction or a request's freeze keeps (R18), with their keeper.
    public var kept: [DueItem] = []
    /// Of `delete`, those more than `overdueGrace` past their date: a run should have taken them (R17).
    public var overdue: [ItemID] = []

    /// Decides every item of `page` at `now`.
    public init(due page: [DueItem], now: Date) {
        for item in page {
            if item.keptBy != nil {
                kept.append(item)
                continue
            }
            delete.append(item.id)
            if item.retainUntil.addingTimeInterval(Self.overdueGrace) <= now { overdue.append(item.id) }
        }
    }
}
