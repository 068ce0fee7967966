public import Foundation

/// The identification data of one SMS: who, to whom, when, status. Never the message text.
public struct SMSRecord: Sendable, Equatable {
    /// Stable key that makes re-ingest idempotent: format + gateway message id (or a fingerprint).
    public var sourceKey: String
    /// The source format's name, e.g. `kannel-access-log`, `sms-csv`.
    public var format: String
    /// The gateway's message id (Kannel `FID`, the CSV's `message_id`), used to apply delivery reports.
    public var messageID: String?
    public var time: Date
    public var direction: Direction
    public var from: PhoneNumber
    public var to: PhoneNumber
    /// `sent`, `received`, `delivered`, `failed`, `rejected`, `buffered`, `pending`, … (lowercase).
    public var status: String
    /// Number of message parts (concatenated SMS).
    public var parts: Int
    /// Length of the message in characters (or bytes as the gateway counts them); the text itself is discarded.
    public var length: Int?
    /// The SMSC or gateway connection name, if the source names one.
    public var smsc: String?
    /// For one part of a concatenated message that the source logged line by line (its UDH
    /// concatenation element): ingest joins the parts into one record.
    public var part: MessagePart?

    public init(sourceKey: String, format: String, messageID: String?, time: Date, direction: Direction,
                from: PhoneNumber, to: PhoneNumber, status: String, parts: Int, length: Int?, smsc: String?,
                part: MessagePart? = nil) {
        self.sourceKey = sourceKey
        self.format = format
        self.messageID = messageID
        self.time = time
        self.direction = direction
        self.from = from
        self.to = to
        self.status = status
        self.parts = parts
        self.length = length
        self.smsc = smsc
        self.part = part
    }
}

/// One part of a concatenated SMS, from the concatenation element of its user data header
/// (3GPP TS 23.040 9.2.3.24.1 and .8: an 8- or 16-bit reference, the number of parts, this part's number).
public struct MessagePart: Sendable, Equatable, Hashable {
    /// The reference all parts of one message share.
    public var reference: Int
    /// How many parts the message has.
    public var total: Int
    /// This part's number, 1 to `total`.
    public var sequence: Int

    public init(reference: Int, total: Int, sequence: Int) {
        self.reference = reference
        self.total = total
        self.sequence = sequence
    }
}

/// A delivery report: the new status of an SMS sent earlier, found by its message id or, when
/// the gateway logged the message without one, by SMSC, sender, recipient and time.
public struct SMSStatusUpdate: Sendable, Equatable {
    /// Stable key of the report itself, so a re-ingested report is a duplicate.
    public var sourceKey: String
    /// The gateway's message id; nil when the report carries none (Kannel's `[FID:]` empty).
    public var messageID: String?
    public var time: Date
    /// `delivered`, `failed`, `buffered`, `rejected`, … (lowercase).
    public var status: String
    /// The SMSC or gateway connection the report came from.
    public var smsc: String?
    /// The reported message's sender and recipient (E.164), when the report names them.
    public var from: String?
    public var to: String?
    /// The report's line in its file, for a warning when it matches no message.
    public var line: Int?

    public init(sourceKey: String, messageID: String?, time: Date, status: String,
                smsc: String? = nil, from: String? = nil, to: String? = nil, line: Int? = nil) {
        self.sourceKey = sourceKey
        self.messageID = messageID
        self.time = time
        self.status = status
        self.smsc = smsc
        self.from = from
        self.to = to
        self.line = line
    }
}

/// What one line of an SMS source yields.
public enum SMSEvent: Sendable, Equatable {
    case message(SMSRecord)
    case statusUpdate(SMSStatusUpdate)
    /// A line that is valid but carries nothing to keep (e.g. a gateway start-up line).
    case ignored
}
