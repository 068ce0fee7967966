public import Foundation

/// How long work that holds the index's write lock runs at a time, so searches and ingest
/// never wait long: units of work (items, files, pages) are sized towards `target` per
/// transaction, with `pause` between transactions for other processes.
public struct TransactionPacing: Sendable, Equatable {
    /// Each write transaction aims at this length.
    public var target: TimeInterval
    /// A pause after each transaction in which other processes take the write lock.
    public var pause: TimeInterval

    public init(target: TimeInterval = 0.040, pause: TimeInterval = 0.015) {
        self.target = target
        self.pause = pause
    }

    /// The size of the next unit of work after one of `size` took `took` seconds: scaled
    /// towards `target`, at most doubled or halved, within `bounds`.
    public func nextSize(after size: Int, took: TimeInterval, within bounds: ClosedRange<Int>) -> Int {
        let scaled = Double(size) * min(2, max(0.5, target / max(0.001, took)))
        return min(bounds.upperBound, max(bounds.lowerBound, Int(scaled)))
    }
}
