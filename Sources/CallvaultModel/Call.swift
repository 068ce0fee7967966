public import Foundation

/// One call detail record (one leg of a call) as a PBX reported it.
public struct Call: Sendable, Equatable {
    /// Stable key that makes re-ingest idempotent: format + PBX unique id + sequence.
    public var sourceKey: String
    /// The source format's name, e.g. `asterisk-csv`.
    public var format: String
    /// The PBX's id of the call leg (Asterisk `uniqueid`), if the export carries one.
    public var uniqueID: String?
    /// Id shared by all legs of one call (Asterisk `linkedid`).
    public var linkedID: String?
    public var start: Date
    public var answer: Date?
    public var end: Date?
    public var durationSeconds: Int
    public var billableSeconds: Int
    public var from: PhoneNumber
    public var to: PhoneNumber
    /// The caller name the PBX saw (CLID name part).
    public var callerName: String?
    public var direction: Direction
    /// Normalised disposition: `answered`, `no-answer`, `busy`, `failed`, `congestion`.
    public var disposition: String
    /// The agent's extension or id, when the call reached one.
    public var agent: String?
    /// The PBX context or queue the call ran in.
    public var context: String?
    /// Source-specific fields kept for `show` (channel, last app, account code, …).
    public var details: [String: String]

    public init(sourceKey: String, format: String, uniqueID: String?, linkedID: String?, start: Date,
                answer: Date?, end: Date?, durationSeconds: Int, billableSeconds: Int, from: PhoneNumber,
                to: PhoneNumber, callerName: String?, direction: Direction, disposition: String,
                agent: String?, context: String?, details: [String: String] = [:]) {
        self.sourceKey = sourceKey
        self.format = format
        self.uniqueID = uniqueID
        self.linkedID = linkedID
        self.start = start
        self.answer = answer
        self.end = end
        self.durationSeconds = durationSeconds
        self.billableSeconds = billableSeconds
        self.from = from
        self.to = to
        self.callerName = callerName
        self.direction = direction
        self.disposition = disposition
        self.agent = agent
        self.context = context
        self.details = details
    }
}
