public import Foundation

/// A clock a test sets and moves by hand: the archive's `now` seam (DESIGN.md invariant 9 —
/// destructive jobs run on the archive's clock, which only a test replaces).
public final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    /// A clock standing at `start` (default: the real time now).
    public init(_ start: Date = Date()) { current = start }

    /// The time the archive sees.
    public var now: Date {
        get { lock.withLock { current } }
        set { lock.withLock { current = newValue } }
    }

    /// Moves the clock by `days` (negative: back).
    public func advance(days: Double) { lock.withLock { current = current.addingTimeInterval(days * 86_400) } }

    /// The closure `Archive(root:now:)` takes.
    public var source: @Sendable () -> Date { { [self] in now } }
}
