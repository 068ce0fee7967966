public import Foundation
import CallvaultAudit
import CallvaultBlobStore
import CallvaultIngest
import CallvaultModel

/// What `recompress` did, or (dry run) would do.
public struct RecompressReport: Sendable, Equatable {
    public var dryRun = false
    /// Distinct blobs the index names.
    public var blobs = 0
    /// Blobs already in today's codec.
    public var current = 0
    /// Blobs re-coded and put in place (dry run: that would be re-coded).
    public var recoded = 0
    /// Blobs whose new coding was not smaller: left as they are.
    public var notSmaller = 0
    /// Blobs no recording names any more by the time their new copy was ready: left alone.
    public var gone = 0
    /// Blobs that could not be read or re-coded, with the reason (`verify` says more).
    public var failed: [Failure] = []
    /// Stored bytes of the re-coded blobs before, and after (dry run: estimated).
    public var storedBefore: Int64 = 0
    public var storedAfter: Int64 = 0

    public struct Failure: Sendable, Equatable {
        public var sha256: String
        public var reason: String
    }

    /// Blobs looked at so far.
    public var done: Int { current + recoded + notSmaller + gone + failed.count }
    public var saved: Int64 { storedBefore - storedAfter }
}

extension Archive {
    /// Re-codes every blob stored with an older codec with today's (recordings' samples
    /// modelled), one blob at a time: the new copy is written and proven beside the store with
    /// no lock held, then, under the index's write lock, put in place by one rename and its
    /// stored size recorded, only if a recording still names it (so an erased or expired
    /// recording never comes back). A killed run leaves every blob whole in its old or new
    /// coding; the next run goes on with the rest. One audit entry per run.
    /// - Parameter dryRun: change nothing; estimate the saving by coding a few chunks of each blob.
    public func recompress(dryRun: Bool = false, actor: Actor,
                           progress: (RecompressReport) -> Void = { _ in }) throws -> RecompressReport {
        try authorize(actor, .repairArchive)
        let started = Date()
        var report = RecompressReport(dryRun: dryRun)
        var seen = Set<String>()
        let shas = try index.read { try $0.recordingBlobs() }.map(\.1).filter { seen.insert($0).inserted }
        report.blobs = shas.count
        for sha in shas {
            do {
                try recompressBlob(sha, dryRun: dryRun, into: &report)
            } catch {
                let reason = (error as? BlobStoreError)?.message ?? "\(error)"
                report.failed.append(.init(sha256: sha, reason: reason))
            }
            progress(report)
        }
        try index.write { writer in
            try writer.appendAudit(AuditEvent(
                actor: actor.name, role: actor.role, action: dryRun ? "recompress-dry-run" : "recompress",
                details: ["blobs": String(report.blobs), "current": String(report.current), "recoded": String(report.recoded),
                          "not_smaller": String(report.notSmaller), "gone": String(report.gone),
                          "failed": String(report.failed.count), "stored_before": String(report.storedBefore),
                          "stored_after": String(report.storedAfter)],
                outcome: report.failed.isEmpty ? .allowed : .failed,
                reason: report.failed.isEmpty ? nil : "\(report.failed.count) blobs could not be re-coded",
                durationMs: Int(Date().timeIntervalSince(started) * 1000), origin: actor.origin), at: clock())
        }
        return report
    }

    private func recompressBlob(_ sha: String, dryRun: Bool, into report: inout RecompressReport) throws {
        guard try blobs.isCodedWithAnOlderCodec(sha) else {
            report.current += 1
            return
        }
        let hint = try compressionHint(ofBlob: sha)
        if dryRun {
            let before = try blobs.storedSize(of: sha)
            let after = try blobs.estimateRecoded(sha, hint: hint, sampleChunks: 8)
            if after < before {
                report.recoded += 1
                report.storedBefore += before
                report.storedAfter += after
            } else {
                report.notSmaller += 1
            }
            return
        }
        let recoded = try blobs.stageRecoded(sha, hint: hint)
        guard recoded.storedAfter < recoded.storedBefore else {
            blobs.discard(recoded)
            report.notSmaller += 1
            return
        }
        let placed = try index.write { writer -> Bool in
            guard try writer.setStoredBytes(of: sha, to: recoded.storedAfter) > 0 else {
                blobs.discard(recoded)
                return false
            }
            // Fails (and the size update rolls back) when the blob left the store meanwhile.
            try blobs.replace(with: recoded)
            return true
        }
        if placed {
            report.recoded += 1
            report.storedBefore += recoded.storedBefore
            report.storedAfter += recoded.storedAfter
        } else {
            report.gone += 1
        }
    }

    /// How a stored recording is best coded, from the WAV header at its start.
    func compressionHint(ofBlob sha: String) throws -> CompressionHint {
        let size = try blobs.size(of: sha)
        guard size > 0 else { return .generic }
        var head: [UInt8] = []
        try blobs.read(sha, range: 0...(min(size, 64 * 1024) - 1)) { head.append(contentsOf: $0) }
        guard let layout = try? WAVHeaderParser.layout(head: head, fileSize: size) else { return .generic }
        return Self.compressionHint(layout)
    }
}
