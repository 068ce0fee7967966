public import Foundation

/// A bounded hand-over from one producer thread to one consumer: the CDR parser runs on its
/// own thread while the consumer writes the previous batch to SQLite, using both cores.
public final class BatchChannel<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var isClosed = false
    private var isCancelled = false
    private let capacity: Int

    public init(capacity: Int) { self.capacity = capacity }

    /// Waits for room, then hands `item` over; returns false when the consumer gave up.
    @discardableResult
    public func put(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !isCancelled { condition.wait() }
        if isCancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// No more items will come.
    public func close() {
        condition.lock()
        isClosed = true
        condition.broadcast()
        condition.unlock()
    }

    /// The consumer stops taking items; a waiting producer is released.
    public func cancel() {
        condition.lock()
        isCancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// Whether the consumer gave up.
    var cancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return isCancelled
    }

    /// The next item, or nil once the producer closed the channel and all items were taken.
    public func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !isClosed && !isCancelled { condition.wait() }
        if items.isEmpty { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }
}
