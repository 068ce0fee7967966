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
    /// The keys in the order their messages opened (entries of messages since closed are
    /// skipped when met), so the oldest is found without a scan of every open message.
    private var opened: [(key: Key, line: Int?)] = []
    private var oldest = 0

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
        if open.count >= capacity, let evicted = takeOldest() {
            out.append(Self.whole(evicted))
        }
        open[key] = Message(record: record, line: line, seen: [part.sequence], length: record.length)
        opened.append((key, line))
        if opened.count > 2 * capacity + 1_024 {
            // Entries of closed messages are dropped now and then, so memory follows the open ones.
            opened = opened[oldest...].filter { open[$0.key]?.line == $0.line }
            oldest = 0
        }
        return out
    }

    /// How many opening-order entries are still to be walked (those of open messages and of
    /// closed ones not yet dropped); bounded by the capacity, not by the file.
    var openingOrderEntries: Int { opened.count - oldest }

    /// The messages still waiting for parts at the end of the file, in the order of their first parts.
    public mutating func finish() -> [(record: SMSRecord, line: Int?)] {
        var rest: [(record: SMSRecord, line: Int?)] = []
        while let message = takeOldest() { rest.append(Self.whole(message)) }
        return rest
    }

    /// Removes and returns the open message that opened first.
    private mutating func takeOldest() -> Message? {
        while oldest < opened.count {
            let (key, line) = opened[oldest]
            oldest += 1
            // A closed message's entry, or one of an earlier message under a reused key, is skipped.
            if let message = open[key], message.line == line {
                open[key] = nil
                return message
            }
        }
        return nil
    }

    static func whole(_ message: Message) -> (record: SMSRecord, line: Int?) {
        var record = message.record
        record.length = message.length
        record.part = nil
        return (record, message.line)
    }
}
