public import CallvaultModel
public import CallvaultArchive
public import CallvaultAudit

/// `search --json`: `{"total": n, "items": [item...]}`.
public struct SearchResultJSON: Encodable, HandWrittenJSON {
    var total: Int
    var items: [ItemJSON]

    public init(_ result: SearchResult) {
        total = result.total
        items = result.items.map(ItemJSON.init)
    }

    /// Written by hand: the result of every search, and JSONEncoder's cost for 50 items was a
    /// tenth of the service's CPU. Items with `show`'s detail go through the encoder.
    var jsonText: JSONText? {
        guard items.allSatisfy(\.isSearchItem) else { return nil }
        var out = JSONText(capacity: 512 * items.count + 32)
        out.raw("{\"items\":[")
        for (i, item) in items.enumerated() {
            if i > 0 { out.raw(",") }
            item.writeSearchItem(to: &out)
        }
        out.raw("],\"total\":")
        out.number(total)
        out.raw("}")
        return out
    }
}

/// `hold place --json`: `{"hold": id, "items": n}`.
public struct HoldPlacedJSON: Encodable {
    var hold: String
    var items: Int

    public init(_ hold: Hold) {
        self.hold = hold.id
        items = hold.coveredItems
    }
}

/// `hold release --json`: `{"released": id}`.
public struct HoldReleasedJSON: Encodable {
    var released: String

    public init(_ hold: Hold) { released = hold.id }
}

/// `hold list --json`: `{"holds": [...]}`.
public struct HoldListJSON: Encodable {
    var holds: [HoldJSON]

    public init(_ holds: [Hold]) { self.holds = holds.map(HoldJSON.init) }
}

/// `ingest --json`: `{"files", "calls", "sms", "recordings", "duplicates", "rejected", "warnings"}`.
public struct IngestSummaryJSON: Encodable {
    var files: Int, calls: Int, sms: Int, recordings: Int, duplicates: Int
    var rejected: [RejectJSON]
    var warnings: [RejectJSON]

    public init(_ summary: IngestSummary) {
        files = summary.files
        calls = summary.calls
        sms = summary.sms
        recordings = summary.recordings
        duplicates = summary.duplicates
        rejected = summary.rejected.map(RejectJSON.init)
        warnings = summary.warnings.map(RejectJSON.init)
    }
}

/// `audit verify --json`: `{"entries": n, "ok": bool, "first_bad": n or null}` and `problem` when not ok.
public struct AuditVerificationJSON: Encodable {
    var entries: Int64, ok: Bool, first_bad: Int64?, problem: String?

    public init(_ result: AuditVerification) {
        entries = result.entries
        ok = result.ok
        first_bad = result.firstBad
        problem = result.problem
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(entries, forKey: .entries)
        try c.encode(ok, forKey: .ok)
        try c.encode(first_bad, forKey: .first_bad)
        try c.encodeIfPresent(problem, forKey: .problem)
    }

    enum CodingKeys: String, CodingKey { case entries, ok, first_bad, problem }
}
