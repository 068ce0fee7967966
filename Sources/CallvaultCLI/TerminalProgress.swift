import Foundation
import CallvaultArchive
#if canImport(Glibc)
import Glibc
#endif

/// Draws ingest progress on a terminal's stderr, at most five times a second.
final class TerminalProgress: ProgressReporter, @unchecked Sendable {
    private var last = Date.distantPast
    private var drawn = false
    private let started = Date()

    /// A terminal reporter when stderr is a terminal; otherwise a silent one.
    static func make() -> any ProgressReporter {
        isatty(STDERR_FILENO) == 1 ? TerminalProgress() : SilentProgress()
    }

    func update(_ summary: IngestSummary, bytesRead: Int64) {
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.2 else { return }
        last = now
        drawn = true
        let seconds = max(0.001, now.timeIntervalSince(started))
        let line = String(format: "\r\u{1B}[K%d files · %d calls · %d recordings · %d duplicates · %d rejected · %.0f records/s",
                          summary.files, summary.calls, summary.recordings, summary.duplicates, summary.rejected.count,
                          Double(summary.calls + summary.duplicates) / seconds)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

/// One redrawn status line on a terminal's stderr for long jobs (expiry, retention, export),
/// at most five times a second; silent with `--json` or when stderr is not a terminal.
final class StatusLine: @unchecked Sendable {
    private let enabled: Bool
    private var last = Date.distantPast
    private var drawn = false

    init(enabled: Bool) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
    }

    func line(_ text: String) {
        guard enabled else { return }
        let now = Date()
        guard now.timeIntervalSince(last) >= 0.2 else { return }
        last = now
        drawn = true
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }

    func done() {
        if drawn { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
