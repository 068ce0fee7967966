public import Foundation
public import CallvaultModel
import CallvaultIndex
import CallvaultAudit

extension Archive {
    /// Finds conversations, newest first: one item per call (its primary leg, with `legs` and
    /// `recordings`), every SMS and unlinked recording on its own. The search and the id of every
    /// item and leg it returns are audited (R2);
    /// searched numbers and words are logged only as keyed hashes (R6).
    public func search(_ query: SearchQuery, purpose: String? = nil, actor: Actor) throws -> SearchResult {
        try authorize(actor, .search)
        guard query.limit >= 0 && query.limit <= 10_000 else {
            throw ArchiveFailure(.badInput, "--limit must be between 0 and 10000")
        }
        if let purpose, !configuration.purposes.contains(purpose) {
            _ = try requirePurpose(purpose, actor: actor, action: "search", items: [])
        }
        var match: NumberMatch?
        var details: [String: String] = [:]
        if let written = query.number {
            let number = normalizer.normalize(written)
            let digits = written.filter(\.isASCIIDigit)
            if let e164 = number.e164 {
                match = .exact(String(e164.dropFirst().reversed()))
                details["number"] = numberHasher.hash(e164)
            } else if digits.count >= 6 && number.category != .withheld {
                match = .suffix(String(digits.reversed()))
                details["number_suffix"] = numberHasher.hash(digits)
            } else if number.category == .extension {
                match = .exact(String(digits.reversed()))
                details["extension"] = digits
            } else {
                throw ArchiveFailure(.badInput, "--number: give a number in any written form, or at least 6 of its last digits")
            }
        }
        if let customer = query.customer { details["customer"] = customer }
        if let from = query.from { details["from"] = Self.isoFormatter.format(from) }
        if let to = query.to { details["to"] = Self.isoFormatter.format(to) }
        if let kind = query.kind { details["kind"] = kind.rawValue }
        if let agent = query.agent { details["agent"] = agent }
        if let direction = query.direction { details["direction"] = direction.rawValue }
        if let text = query.text { details["text"] = numberHasher.hash(text.lowercased()) }
        details["limit"] = String(query.limit)
        guard query.offset >= 0 && query.offset <= 100_000 else {
            throw ArchiveFailure(.badInput, "the offset must be between 0 and 100000; narrow the search instead")
        }
        if query.offset > 0 { details["offset"] = String(query.offset) }
        let started = Date()
        var visible = query
        visible.includesRestricted = maySeeRestricted(actor)
        // The search reads a snapshot (never waiting for a writer such as expiry); the result
        // is returned only once its audit entry is committed.
        let result = try index.read { reader in try reader.search(visible, number: match) }
        details["total"] = String(result.total)
        try index.write { writer in
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: "search", items: Self.shownIDs(result.items),
                purpose: purpose, details: details, durationMs: Int(Date().timeIntervalSince(started) * 1000),
                origin: actor.origin), at: clock())
        }
        return result
    }

    /// One item with its links, recording and retention; audited.
    public func show(_ id: String, purpose: String? = nil, actor: Actor) throws -> ArchivedItem {
        try authorize(actor, .viewItem, items: [String(id.prefix(40))])
        if let purpose, !configuration.purposes.contains(purpose) {
            _ = try requirePurpose(purpose, actor: actor, action: "show", items: [id])
        }
        guard let itemID = ItemID(id) else {
            throw ArchiveFailure(.badInput, "'\(id.prefix(40))' is not an item id (call-N, sms-N or rec-N)")
        }
        var denial: ArchiveFailure?
        let shown = try index.write { writer -> ArchivedItem? in
            guard let item = try IndexReader(writer).item(itemID) else {
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "show", items: [itemID.description],
                                                  purpose: purpose, outcome: .failed, reason: "not found", origin: actor.origin), at: clock())
                return nil
            }
            if item.restricted && !maySeeRestricted(actor) {
                denial = try denyRestricted(itemID, action: "show", purpose: purpose, actor: actor, writer: writer)
                return nil
            }
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "show", items: Self.shownIDs([item]),
                                              purpose: purpose, origin: actor.origin), at: clock())
            return item
        }
        if let denial { throw denial }
        return try shown ?? { throw ArchiveFailure(.notFound, "no item \(itemID)") }()
    }

    /// Writes the original recording to `url`, byte-exact and checked against its SHA-256.
    /// A call id extracts the call's recording. The purpose is required and audited.
    public func extractRecording(_ id: String, to url: URL, purpose: String?, actor: Actor) throws -> ExtractSummary {
        try authorize(actor, .playRecording, items: [String(id.prefix(40))])
        guard let itemID = ItemID(id) else {
            throw ArchiveFailure(.badInput, "'\(id.prefix(40))' is not an item id (rec-N, or the call-N it belongs to)")
        }
        let purpose = try requirePurpose(purpose, actor: actor, action: "extract", items: [itemID.description])
        let found = try index.read { reader -> (ItemID, BlobDetail)? in
            var recordingID = itemID
            if itemID.kind == .call, let recording = try reader.item(itemID)?.recording { recordingID = recording }
            return try reader.blob(of: recordingID).map { (recordingID, $0) }
        }
        guard let (recordingID, blob) = found else {
            try index.write { writer in
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "extract", items: [itemID.description],
                                                  purpose: purpose, outcome: .failed, reason: "no recording", origin: actor.origin), at: clock())
            }
            throw ArchiveFailure(.notFound, "\(itemID) has no recording")
        }
        if !maySeeRestricted(actor), try index.read({ try $0.isRestricted(recordingID) || $0.isRestricted(itemID) }) {
            throw try index.write { writer in try denyRestricted(recordingID, action: "extract", purpose: purpose, actor: actor, writer: writer) }
        }
        let started = Date()
        let bytes: Int64
        do {
            bytes = try blobs.extract(blob.sha256, to: url)
        } catch let error as CallvaultError {
            try index.write { writer in
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "extract", items: [recordingID.description],
                                                  purpose: purpose, outcome: .failed, reason: error.kind.rawValue, origin: actor.origin), at: clock())
            }
            throw error
        }
        do {
            try index.write { writer in
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: "extract", items: [recordingID.description],
                                                  purpose: purpose, details: ["bytes": String(bytes)],
                                                  durationMs: Int(Date().timeIntervalSince(started) * 1000), origin: actor.origin), at: clock())
            }
        } catch {
            // Unlogged access is not allowed: take the copy back.
            try? FileManager.default.removeItem(at: url)
            throw error
        }
        return ExtractSummary(id: recordingID, sha256: blob.sha256, bytes: bytes)
    }

    static let isoFormatter = Date.ISO8601FormatStyle()

    /// The ids a search or show reveals, each once: every item, then the other legs of its
    /// conversation (a leg listed is a leg read).
    static func shownIDs(_ items: [ArchivedItem]) -> [String] {
        var seen: Set<ItemID> = []
        var ids: [String] = []
        for id in items.map(\.id) + items.flatMap(\.legs) where seen.insert(id).inserted {
            ids.append(id.description)
        }
        return ids
    }
}
