public import Prometheus
public import CallvaultJobs
public import CallvaultArchive
public import CallvaultModel

/// The service's metrics, in Prometheus text: ingest counts, rejected files and lines, expiry
/// deletions, search latency and the stored recordings' size. Each server has its own registry
/// (no process-wide state), so tests can read what they caused.
public final class ServerMetrics: Sendable {
    /// The registry `GET /metrics` renders.
    public let registry: PrometheusCollectorRegistry
    let searchLatency: DurationHistogram
    let searchFailures: Counter
    let expiryRuns: Counter
    let expiryFailures: Counter
    let blobs: Gauge
    let blobBytes: Gauge
    let blobStoredBytes: Gauge
    let spoolFailingFiles: Gauge
    let spoolFailures: Counter

    /// Creates the metrics in a new registry.
    public init() {
        registry = PrometheusCollectorRegistry()
        searchLatency = registry.makeDurationHistogram(
            descriptor: Self.name("search_duration", "seconds", "Time to answer GET /api/v1/search, audit entry included"),
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25),
                      .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5)])
        searchFailures = registry.makeCounter(descriptor: Self.name("search_failures", "total", "Searches answered with an error"))
        expiryRuns = registry.makeCounter(descriptor: Self.name("expiry_runs", "total", "Scheduled expiry runs finished"))
        expiryFailures = registry.makeCounter(descriptor: Self.name("expiry_failures", "total", "Scheduled expiry runs that failed (retried at the next interval)"))
        blobs = registry.makeGauge(descriptor: Self.name("blobs", "", "Distinct recordings stored"))
        blobBytes = registry.makeGauge(descriptor: Self.name("blob", "bytes", "Original size of the stored recordings"))
        blobStoredBytes = registry.makeGauge(descriptor: Self.name("blob_stored", "bytes", "Size of the stored recordings on disk, compressed"))
        spoolFailingFiles = registry.makeGauge(descriptor: Self.name("spool_failing_files", "", "Files in spool/incoming/ whose processing failed and that wait to be tried again"))
        spoolFailures = registry.makeCounter(descriptor: Self.name("spool_file_failures", "total", "Failed attempts to process a spool file (each retried after a doubling pause)"))
        // Each labelled series exists from the start, so a scrape shows zeros rather than nothing.
        for source in ["http", "spool"] {
            for kind in ["call", "sms", "recording", "duplicate"] { _ = ingested(kind, source: source) }
            _ = rejected(source: source)
            _ = files(source: source)
        }
        for kind in ItemKind.allCases { _ = expired(kind) }
    }

    static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "callvault", metricName: metric, unitName: unit, helpText: help)
    }

    private func ingested(_ kind: String, source: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("ingested_items", "total", "Items ingested, by kind and by how they arrived (duplicates skipped are counted apart)"),
                             labels: [("kind", kind), ("source", source)])
    }

    private func rejected(source: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("ingest_rejected", "total", "Rejected files and lines at ingest"), labels: [("source", source)])
    }

    private func files(source: String) -> Counter {
        registry.makeCounter(descriptor: Self.name("ingested_files", "total", "Files taken in for ingest"), labels: [("source", source)])
    }

    private func expired(_ kind: ItemKind) -> Counter {
        registry.makeCounter(descriptor: Self.name("expiry_deleted", "total", "Items deleted by scheduled expiry"), labels: [("kind", kind.rawValue)])
    }

    /// Counts what an ingest from `source` (`http` or `spool`) did.
    public func recordIngest(_ summary: IngestSummary, source: String) {
        files(source: source).increment(by: Int64(summary.files))
        ingested("call", source: source).increment(by: Int64(summary.calls))
        ingested("sms", source: source).increment(by: Int64(summary.sms))
        ingested("recording", source: source).increment(by: Int64(summary.recordings))
        ingested("duplicate", source: source).increment(by: Int64(summary.duplicates))
        rejected(source: source).increment(by: Int64(summary.rejected.count))
    }

    /// Counts what an expiry run deleted.
    public func recordExpiry(_ report: ExpiryReport) {
        expiryRuns.increment()
        expired(.call).increment(by: Int64(report.deleted.calls))
        expired(.sms).increment(by: Int64(report.deleted.sms))
        expired(.recording).increment(by: Int64(report.deleted.recordings))
    }

    /// Sets how many spool files wait after failing, and counts this look's failed attempts.
    public func recordSpoolFailures(failing: Int, new: Int) {
        spoolFailingFiles.set(Double(failing))
        if new > 0 { spoolFailures.increment(by: Int64(new)) }
    }

    /// Records a failed expiry run.
    public func recordExpiryFailure() { expiryFailures.increment() }

    /// Records how long a search took.
    public func recordSearch(_ duration: Duration, failed: Bool) {
        searchLatency.record(duration)
        if failed { searchFailures.increment() }
    }

    /// Sets the stored recordings' size.
    public func recordBlobs(_ totals: BlobTotals) {
        blobs.set(Double(totals.blobs))
        blobBytes.set(Double(totals.bytes))
        blobStoredBytes.set(Double(totals.storedBytes))
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> String { registry.emitToString() }
}

/// The service's jobs report to its metrics.
extension ServerMetrics: JobObserver {
    public func spoolIngested(_ summary: IngestSummary) { recordIngest(summary, source: "spool") }
    public func spoolFilesFailed(_ failed: [SpoolFailure], failing: Int) { recordSpoolFailures(failing: failing, new: failed.count) }
    public func expiryRan(_ report: ExpiryReport) { recordExpiry(report) }
    public func expiryFailed(_ error: any Error) { recordExpiryFailure() }
}
