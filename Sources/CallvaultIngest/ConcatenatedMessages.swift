public import Foundation
public import CallvaultModel

/// Joins the parts of concatenated MO messages that a gateway logged one line each (Kannel's
/// `Receive SMS` with a UDH concatenation element): one message with N parts is one record.
///
/// Parts belong together when they come from the same SMSC, sender and recipient with the same
/// reference and part count, within `window` of the first part. A message is handed out when its
/// last part arrives; one whose parts are not all in the file is handed out by `finish()`, with
/// the parts it declares. A part whose number the open message already has (a reused
/// reference) closes that message and starts the next. The first part read gives the record's
/// key and time, so the same file always yields the same records. Sent messages are not joined:
/// each part carries its own gateway id, which its delivery report names.
public struct ConcatenatedMessages: Sendable {
    struct Key: Hashable, Sendable {
        var smsc: String?
        var from: String
        var to: String
        var reference: Int
        var total: Int
    }

    struct Message: Sendable {
        var record: SMSRecord
        var line: Int?
        var seen: Set<Int>
        var length: Int?
    }

    /// How long after a message's first part its other parts are still joined to it.
    public let window: TimeInterval
    /// At most this many messages wait for parts; beyond it the oldest is handed out as it is.
    public let capacity: Int
    private var open: [Key: Message] = [:]

    public init(window: TimeInterval = 3_600, capacity: Int = 4_096) {
        self.window = window
        self.capacity = capacity
    }

    /// Takes one record read at `line`. Returns the records to keep now: the record itself when it
    /// is no part of a received concatenated message, a whole message when this was its last
    /// part, a message this part closed, or nothing while a message waits for more parts.
    public mutating func add(_ record: SMSRecord, line: Int?) -> [(record: SMSRecord, line: Int?)] {
        guard record.direction == .inbound, let part = record.part, part.total >= 2, (1...part.total).contains(part.sequence) else {
            return [(record, line)]
        }
        let key = Key(smsc: record.smsc, from: record.from.e164 ?? record.from.raw, to: record.to.e164 ?? record.to.raw,
                      reference: part.reference, total: part.total)
        var out: [(record: SMSRecord, line: Int?)] = []
        if let waiting = open[key],
           waiting.seen.contains(part.sequence) || abs(record.time.timeIntervalSince(waiting.record.time)) > window {
            out.append(Self.whole(waiting))
            open[key] = nil
        }
        if var message = open[key] {
            message.seen.insert(part.sequence)
            message.length = message.length.flatMap { sum in record.length.map { sum + $0 } }
            if message.seen.count == part.total {
                open[key] = nil
                out.append(Self.whole(message))
            } else {
                open[key] = message
            }
            return out
        }
        if open.count >= capacity, let oldest = open.min(by: { ($0.value.line ?? 0) < ($1.value.line ?? 0) }) {
            open[oldest.key] = nil
            out.append(Self.whole(oldest.value))
        }
        open[key] = Message(record: record, line: line, seen: [part.sequence], length: record.length)
        return out
    }

    /// The messages still waiting for parts at the end of the file, in the order of their first parts.
    public mutating func finish() -> [(record: SMSRecord, line: Int?)] {
        let rest = open.values.sorted { ($0.line ?? 0) < ($1.line ?? 0) }
        open = [:]
        return rest.map(Self.whole)
    }

    static func whole(_ message: Message) -> (record: SMSRecord, line: Int?) {
        var record = message.record
        record.length = message.length
        record.part = nil
        return (record, message.line)
    }
}
