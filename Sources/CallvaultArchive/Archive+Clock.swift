import Foundation
import CallvaultIndex
import CallvaultAudit
import CallvaultModel

extension Archive {
    /// How far the clock may seem to go back before destructive jobs refuse: another process
    /// may write an entry between this one reading the clock and reading the log.
    static let clockStepTolerance: TimeInterval = 2

    /// The time a destructive job (expiry, erasure, audit pruning) acts at (DESIGN.md
    /// invariant 9): always the archive's clock — the system's in the command and the service.
    /// A supplied time only plans: it is taken with `dryRun` and refused, audited, without it.
    /// A clock earlier than the newest processing-log entry or the last destructive run
    /// (stepped back) is refused too, as a wrong clock would delete on the wrong day; reading
    /// and searching go on meanwhile.
    func destructiveTime(supplied: Date?, dryRun: Bool, action: String, actor: Actor) throws -> Date {
        if dryRun { return supplied ?? clock() }
        let now = clock()
        var refusal: String?
        if supplied != nil {
            refusal = "a supplied time only plans: \(action) runs on the system clock. Add --dry-run to see what it would do at that time, or leave out --now"
        } else if let newest = try index.read({ try $0.latestTimeSeen() }), now.addingTimeInterval(Self.clockStepTolerance) < newest {
            refusal = "the system clock (\(Self.isoFormatter.format(now))) is earlier than the newest processing-log entry (\(Self.isoFormatter.format(newest))): the clock was stepped back, so \(action) would delete on the wrong day. Set the clock right (check time synchronisation, e.g. `timedatectl`) and run it again; searches keep working meanwhile"
        }
        guard let refusal else {
            try index.write { try $0.raiseClockHighWater(to: now) }
            return now
        }
        try index.write { writer in
            try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: action, outcome: .denied,
                                              reason: refusal, origin: actor.origin), at: now)
        }
        throw ArchiveFailure(.refused, refusal)
    }
}
