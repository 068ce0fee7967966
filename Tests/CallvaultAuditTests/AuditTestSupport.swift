import Foundation
import CallvaultAudit

/// A varied event for position `i` of a test chain.
func sampleEvent(_ i: Int) -> AuditEvent {
    AuditEvent(actor: i.isMultiple(of: 2) ? "anna" : "svc:ingest", role: "cli",
               action: ["ingest", "search", "show", "extract"][i % 4],
               items: ["call-\(i)", "call-\(i + 1)", "rec-\(i)"],
               purpose: i.isMultiple(of: 3) ? nil : "customer complaint",
               details: ["number": "hmac:00112233445566778899aabbccddeeff", "count": "\(i)"],
               outcome: i.isMultiple(of: 5) ? .denied : .allowed,
               reason: i.isMultiple(of: 5) ? "restricted" : nil,
               durationMs: i.isMultiple(of: 7) ? nil : i * 3,
               origin: "cli@host")
}

func sampleTime(_ i: Int) -> Date {
    Date(timeIntervalSince1970: 1_773_473_400 + Double(i) * 1.5)
}

/// A correctly sealed chain of `count` entries.
func sampleChain(_ count: Int) -> [AuditEntry] {
    var entries: [AuditEntry] = []
    var previous = AuditChain.genesis
    for i in 0..<count {
        let entry = AuditChain.seal(sampleEvent(i + 1), sequence: Int64(i + 1), time: sampleTime(i + 1), previousHash: previous)
        entries.append(entry)
        previous = entry.hash
    }
    return entries
}

/// Verifies `entries` against a head recorded separately (by default, the head of an intact chain).
func verify(_ entries: [AuditEntry], headCount: Int64? = nil, headHash: String? = nil) -> AuditVerification {
    var verifier = AuditVerifier()
    for entry in entries { verifier.check(entry) }
    return verifier.finish(headCount: headCount ?? Int64(entries.count), headHash: headHash ?? entries.last?.hash ?? "")
}
