public import Foundation
public import CallvaultModel

/// When the full-text indexes are merged (FTS5 segments into one) so deleted names leave them.
/// Left alone, the entries of deleted items and their delete markers stay in the file and every
/// name search reads them (a search reads them all after a large expiry). A merge rewrites the
/// live entries (in short steps), so during a run it merges once the deletions since the last
/// merge outnumber the live entries (searches never read more than twice the live entries, and
/// the merges of a run rewrite at most about twice what it found); at the end, whenever the run
/// deleted at least a tenth.
struct FullTextCompaction {
    /// Items with a name still in the index (decreases as the run deletes).
    var live: Int
    /// Items deleted since the last merge (or the start of the run).
    var deletedSince = 0

    mutating func deleted(_ count: Int) {
        deletedSince += count
        live = max(0, live - count)
    }

    var isDueMidRun: Bool {
        deletedSince >= max(live, 10_000)
    }

    var isDueAtEnd: Bool { deletedSince > 0 && deletedSince * 10 >= live }

    mutating func compacted() { deletedSince = 0 }
}

/// How the index's upkeep after deletions paces itself.
public struct TidyPacing: Sendable, Equatable {
    public var transactions: TransactionPacing
    /// Full-text index pages written in the first step of a merge (it adapts towards the target).
    public var initialMergePages: Int
    /// A write-ahead log file larger than this is started over between batches
    /// (`restartWAL`; after a restart the file is cut back to 64 MiB).
    public var walRestartBytes: Int
    /// How long a restart may wait for readers of older snapshots (holding off writers meanwhile).
    public var walRestartWait: TimeInterval

    public init(transactions: TransactionPacing, initialMergePages: Int, walRestartBytes: Int, walRestartWait: TimeInterval) {
        self.transactions = transactions
        self.initialMergePages = initialMergePages
        self.walRestartBytes = walRestartBytes
        self.walRestartWait = walRestartWait
    }
}

/// The upkeep of the index's files while a run deletes items in many write transactions: the
/// full-text indexes are merged in short, paced steps once enough was deleted, and the
/// write-ahead log is started over whenever it has grown past `TidyPacing.walRestartBytes`.
/// Call `afterDeleting(_:)` after each batch and `finish()` at the end of the run.
public struct IndexTidying {
    /// What the upkeep did (for tests and diagnostics; not part of any report).
    public struct Counts: Sendable, Equatable {
        public var walRestarts = 0
        public var fullTextMergeSteps = 0
        /// The longest write transaction the upkeep held.
        public var longestTransaction: TimeInterval = 0

        public init() {}
    }

    let index: ArchiveIndex
    let pacing: TidyPacing
    /// Counted once the run has deleted something (a run with nothing deleted reads nothing more).
    var fullText: FullTextCompaction?
    /// WAL file bytes past which the next batch starts the log over.
    var nextWALRestart: Int
    public private(set) var counts = Counts()

    init(index: ArchiveIndex, pacing: TidyPacing) {
        self.index = index
        self.pacing = pacing
        nextWALRestart = pacing.walRestartBytes
    }

    /// After a batch deleted `count` items (in a transaction that has committed): merges the
    /// full-text indexes when the deletions since the last merge outnumber the live entries, and
    /// starts the write-ahead log over when it has grown.
    public mutating func afterDeleting(_ count: Int) throws {
        if count > 0 {
            var state = try fullText ?? FullTextCompaction(live: count + index.read { try $0.namedItemCount() })
            state.deleted(count)
            if state.isDueMidRun { try compactFullText(&state) }
            fullText = state
        }
        restartWALIfGrown()
    }

    /// At the end of a run: merges the full-text indexes when the run deleted at least a tenth
    /// of their entries.
    public mutating func finish() throws {
        if var state = fullText, state.isDueAtEnd {
            try compactFullText(&state)
            fullText = state
        }
    }

    /// Starts the write-ahead log over when its file is larger than the threshold; when a reader
    /// kept it busy (no failure of the run), tries again once the log has grown as much again.
    mutating func restartWALIfGrown() {
        let wal = index.walBytes
        guard wal > nextWALRestart else { return }
        if (try? index.restartWAL(waitingAtMost: pacing.walRestartWait)) != nil {
            counts.walRestarts += 1
            nextWALRestart = pacing.walRestartBytes
        } else {
            nextWALRestart = wal + pacing.walRestartBytes
        }
    }

    /// Merges the full-text indexes into one segment in short, paced write transactions (each
    /// writing a number of pages that adapts towards the target length), starting the
    /// write-ahead log over between them when it has grown.
    mutating func compactFullText(_ state: inout FullTextCompaction) throws {
        var pages = pacing.initialMergePages
        while true {
            let t0 = Date()
            let merged = try index.write { try $0.mergeFullText(pages: pages) }
            counts.fullTextMergeSteps += 1
            let took = Date().timeIntervalSince(t0)
            counts.longestTransaction = max(counts.longestTransaction, took)
            guard merged else { break }
            pages = pacing.transactions.nextSize(after: pages, took: took, within: 4...20_000)
            restartWALIfGrown()
            if pacing.transactions.pause > 0 { Thread.sleep(forTimeInterval: pacing.transactions.pause) }
        }
        state.compacted()
    }
}

extension ArchiveIndex {
    /// The upkeep for one run that deletes items (expiry): see `IndexTidying`.
    public func tidying(pacing: TidyPacing) -> IndexTidying {
        IndexTidying(index: self, pacing: pacing)
    }
}
