public import CallvaultArchive

/// Told what the long-running jobs did, beside their log lines: the service counts it in its
/// metrics, `callvault watch` prints it. Every method does nothing unless implemented.
public protocol JobObserver: Sendable {
    /// A look at the spool ingested files.
    func spoolIngested(_ summary: IngestSummary)
    /// Files of a look failed (each stays in the spool and waits a doubling pause); `failing`
    /// files wait in all.
    func spoolFilesFailed(_ failed: [SpoolFailure], failing: Int)
    /// A whole look failed (the spool folder unreadable, say); the next is in `retryIn`.
    func spoolLookFailed(_ error: any Error, retryIn: Duration)
    /// A scheduled expiry run finished.
    func expiryRan(_ report: ExpiryReport)
    /// A scheduled expiry run failed; the next interval tries again.
    func expiryFailed(_ error: any Error)
}

extension JobObserver {
    public func spoolIngested(_ summary: IngestSummary) {}
    public func spoolFilesFailed(_ failed: [SpoolFailure], failing: Int) {}
    public func spoolLookFailed(_ error: any Error, retryIn: Duration) {}
    public func expiryRan(_ report: ExpiryReport) {}
    public func expiryFailed(_ error: any Error) {}
}
