public import Foundation
import CallvaultSpool

/// What the spool holds now (the web UI's ingest page): files waiting in `spool/incoming/`,
/// files ingested per day under `spool/processed/`, and rejected files with their reasons.
///
/// File names are shown with long digit runs masked (`in-09******89-…`): PBX file names hold
/// phone numbers, and the page is for admins, who see no personal data.
public struct SpoolStatus: Sendable, Equatable {
    /// A file in the spool.
    public struct File: Sendable, Equatable {
        /// The file name, long digit runs masked.
        public var name: String
        public var bytes: Int64
        /// When it was last written.
        public var modified: Date
        /// For a rejected file (or a processed one with rejected lines): why, from its `.reason.json`.
        public var reason: String?
        /// How many lines of it were rejected.
        public var rejectedLines: Int
        /// The first few rejected lines' numbers and reasons.
        public var lineReasons: [String]
        /// For a rejected file: when `expire` removes it (`[spool] keep_rejected` after it was filed).
        public var removeAfter: Date?
    }

    /// Files not yet ingested (a hook may still be writing some), oldest first.
    public var waiting: [File] = []
    /// Files ingested on each day (`YYYY-MM-DD`), newest day first, and when `expire` removes
    /// the day's raw copies (`[spool] keep_processed` after the day; later while a hold covers an
    /// item ingested that day).
    public var processedPerDay: [(day: String, files: Int, removeAfter: Date?)] = []
    /// The newest processed files that had rejected lines, newest first.
    public var processedWithRejects: [File] = []
    /// Rejected files, newest first.
    public var rejected: [File] = []

    public static func == (a: SpoolStatus, b: SpoolStatus) -> Bool {
        a.waiting == b.waiting && a.rejected == b.rejected && a.processedWithRejects == b.processedWithRejects
            && a.processedPerDay.map(\.day) == b.processedPerDay.map(\.day) && a.processedPerDay.map(\.files) == b.processedPerDay.map(\.files)
    }

}

/// A file in `spool/incoming/` whose processing failed: it stays there and is tried again after
/// a pause that doubles with each failure, while the other files go on.
public struct SpoolFailure: Sendable, Equatable {
    /// The file's name in `spool/incoming/` (unmasked: mask it with `SpoolFiles.masked` to show it).
    public var name: String
    /// How many times it failed in a row.
    public var attempts: Int
    public var firstFailure: Date
    public var lastFailure: Date
    /// Not tried again before this.
    public var nextAttempt: Date
    /// The last failure's message.
    public var error: String
}

extension Archive {
    /// The spool's state: waiting files, processed files per day (the newest `days` days), and
    /// the newest `limit` rejected files with their reasons. Reads the file system only.
    public func spoolStatus(days: Int = 14, limit: Int = 100, actor: Actor) throws -> SpoolStatus {
        try authorize(actor, .viewIngestStatus)
        let manager = FileManager.default
        var status = SpoolStatus()
        let zone = try configuration.timeZone()
        func file(_ url: URL, note: SpoolStatus.Note?) -> SpoolStatus.File? {
            guard let attributes = try? manager.attributesOfItem(atPath: url.path),
                  (attributes[.type] as? FileAttributeType) == .typeRegular else { return nil }
            var entry = SpoolStatus.File(name: SpoolFiles.masked(url.lastPathComponent),
                                         bytes: (attributes[.size] as? NSNumber)?.int64Value ?? 0,
                                         modified: attributes[.modificationDate] as? Date ?? .distantPast,
                                         reason: nil, rejectedLines: 0, lineReasons: [], removeAfter: nil)
            if let note {
                entry.reason = note.reason
                entry.rejectedLines = note.rejected.count
                entry.lineReasons = note.rejected.prefix(5).map { line in
                    line.line.map { "line \($0): \(line.reason)" } ?? line.reason
                }
            }
            return entry
        }

        let waiting = (try? manager.contentsOfDirectory(atPath: layout.incoming.path)) ?? []
        status.waiting = waiting.filter { !$0.hasPrefix(".") && !SpoolStatus.isNote($0) }
            .compactMap { file(layout.incoming.appendingPathComponent($0), note: nil) }
            .sorted { $0.modified < $1.modified }

        let rejected = (try? manager.contentsOfDirectory(atPath: layout.rejected.path)) ?? []
        let rejectedNotes = SpoolStatus.notes(in: layout.rejected, names: rejected)
        let rejectedSet = Set(rejected)
        var rejectedFiles: [SpoolStatus.File] = []
        for name in rejected where !SpoolStatus.isNote(name) {
            let url = layout.rejected.appendingPathComponent(name)
            guard var entry = file(url, note: rejectedNotes[name]) else { continue }
            let filed = rejectedNotes[name].map { $0.filedAt ?? $0.modified } ?? SpoolStatus.changed(url) ?? entry.modified
            entry.removeAfter = rejectedRemoval(filedAt: filed, zone: zone)
            rejectedFiles.append(entry)
        }
        // A rejected file that held message text (not a Kannel log) was destroyed: only its note is left.
        for (name, note) in rejectedNotes where !rejectedSet.contains(name) && note.suffix == ".reason.json" {
            rejectedFiles.append(SpoolStatus.File(
                name: SpoolFiles.masked(name), bytes: 0, modified: note.modified,
                reason: note.reason + " (the file was deleted: it held message text)",
                rejectedLines: note.rejected.count, lineReasons: [],
                removeAfter: rejectedRemoval(filedAt: note.filedAt ?? note.modified, zone: zone)))
        }
        status.rejected = Array(rejectedFiles.sorted { $0.modified > $1.modified }.prefix(limit))

        let dayFolders = ((try? manager.contentsOfDirectory(atPath: layout.processed.path)) ?? []).sorted(by: >).prefix(max(0, days))
        var withRejects: [SpoolStatus.File] = []
        for day in dayFolders {
            let folder = layout.processed.appendingPathComponent(day)
            let names = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
            let removeAfter = (try? SpoolFiles.dayFormatter.parse(day)).map { processedRemoval(dayStart: $0, zone: zone) }
            status.processedPerDay.append((day, names.filter { !SpoolStatus.isNote($0) }.count + names.filter { $0.hasSuffix(".ingested.json") }.count,
                                           removeAfter))
            for (name, note) in SpoolStatus.notes(in: folder, names: names) where note.suffix == ".reason.json" {
                if let entry = file(folder.appendingPathComponent(name), note: note) { withRejects.append(entry) }
            }
        }
        status.processedWithRejects = Array(withRejects.sorted { $0.modified > $1.modified }.prefix(limit))
        return status
    }
}

extension SpoolStatus {
    /// A note the spool watcher wrote about a file (`SpoolWatcher.noteName`; older archives have
    /// `<name>.reason.json`): why, the rejected lines, and when the file was filed.
    struct Note {
        /// The note's own file name.
        var name: String
        var reason: String
        var rejected: [Line]
        /// When the spool filed the file (notes written before it was recorded: nil).
        var filedAt: Date?
        /// When the note was written.
        var modified: Date
        /// `.reason.json` or `.ingested.json`.
        var suffix: String
        struct Line: Decodable { var line: Int?; var reason: String }
    }

    private struct NoteFile: Decodable {
        var file: String?
        var reason: String
        var rejected: [Note.Line]?
        var filed_at: String?
    }

    /// Whether `name` is a note the spool wrote.
    static func isNote(_ name: String) -> Bool { name.hasSuffix(".reason.json") || name.hasSuffix(".ingested.json") }

    /// The notes among `names` in `folder`, by the name of the file each is about (its `file` field).
    static func notes(in folder: URL, names: [String]) -> [String: Note] {
        var found: [String: Note] = [:]
        for name in names where isNote(name) {
            let url = folder.appendingPathComponent(name)
            guard let data = try? Data(contentsOf: url), let note = try? JSONDecoder().decode(NoteFile.self, from: data) else { continue }
            let suffix = name.hasSuffix(".reason.json") ? ".reason.json" : ".ingested.json"
            let modified = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date ?? .distantPast
            found[note.file ?? String(name.dropLast(suffix.count))] = Note(
                name: name, reason: note.reason, rejected: note.rejected ?? [],
                filedAt: note.filed_at.flatMap { try? Date.ISO8601FormatStyle().parse($0) }, modified: modified, suffix: suffix)
        }
        return found
    }

    /// When the file's inode last changed (its rename into the spool's folder, for a file the spool filed).
    static func changed(_ url: URL) -> Date? {
        var info = stat()
        guard lstat(url.path, &info) == 0 else { return nil }
        return Date(timeIntervalSince1970: Double(info.st_ctim.tv_sec) + Double(info.st_ctim.tv_nsec) / 1e9)
    }
}
