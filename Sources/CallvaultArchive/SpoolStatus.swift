public import Foundation

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
    }

    /// Files not yet ingested (a hook may still be writing some), oldest first.
    public var waiting: [File] = []
    /// Files ingested on each day (`YYYY-MM-DD`), newest day first.
    public var processedPerDay: [(day: String, files: Int)] = []
    /// The newest processed files that had rejected lines, newest first.
    public var processedWithRejects: [File] = []
    /// Rejected files, newest first.
    public var rejected: [File] = []

    public static func == (a: SpoolStatus, b: SpoolStatus) -> Bool {
        a.waiting == b.waiting && a.rejected == b.rejected && a.processedWithRejects == b.processedWithRejects
            && a.processedPerDay.map(\.day) == b.processedPerDay.map(\.day) && a.processedPerDay.map(\.files) == b.processedPerDay.map(\.files)
    }

    /// `name` with every run of 6 or more digits masked but its first and last two.
    public static func masked(_ name: String) -> String {
        var out = ""
        var run = ""
        func flush() {
            if run.count >= 6 {
                out += run.prefix(2) + String(repeating: "*", count: run.count - 4) + run.suffix(2)
            } else {
                out += run
            }
            run = ""
        }
        for ch in name {
            if ch.isASCII && ch.isNumber { run.append(ch) } else { flush(); out.append(ch) }
        }
        flush()
        return out
    }
}

/// A file in `spool/incoming/` whose processing failed: it stays there and is tried again after
/// a pause that doubles with each failure, while the other files go on.
public struct SpoolFailure: Sendable, Equatable {
    /// The file's name in `spool/incoming/` (unmasked: mask it with `SpoolStatus.masked` to show it).
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
        func isNote(_ name: String) -> Bool { name.hasSuffix(".reason.json") || name.hasSuffix(".ingested.json") }
        /// The notes in `folder`, by the name of the file each is about (its `file` field).
        func notes(in folder: URL, names: [String]) -> [String: (note: ReasonNote, modified: Date, suffix: String)] {
            var found: [String: (note: ReasonNote, modified: Date, suffix: String)] = [:]
            for name in names where isNote(name) {
                let url = folder.appendingPathComponent(name)
                guard let data = try? Data(contentsOf: url), let note = try? JSONDecoder().decode(ReasonNote.self, from: data) else { continue }
                let modified = (try? manager.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date ?? .distantPast
                found[note.file ?? String(name.dropLast(name.hasSuffix(".reason.json") ? ".reason.json".count : ".ingested.json".count))] =
                    (note, modified, name.hasSuffix(".reason.json") ? ".reason.json" : ".ingested.json")
            }
            return found
        }
        func file(_ url: URL, note: ReasonNote?) -> SpoolStatus.File? {
            guard let attributes = try? manager.attributesOfItem(atPath: url.path),
                  (attributes[.type] as? FileAttributeType) == .typeRegular else { return nil }
            var entry = SpoolStatus.File(name: SpoolStatus.masked(url.lastPathComponent),
                                         bytes: (attributes[.size] as? NSNumber)?.int64Value ?? 0,
                                         modified: attributes[.modificationDate] as? Date ?? .distantPast,
                                         reason: nil, rejectedLines: 0, lineReasons: [])
            if let note {
                entry.reason = note.reason
                entry.rejectedLines = note.rejected?.count ?? 0
                entry.lineReasons = (note.rejected ?? []).prefix(5).map { line in
                    line.line.map { "line \($0): \(line.reason)" } ?? line.reason
                }
            }
            return entry
        }

        let waiting = (try? manager.contentsOfDirectory(atPath: layout.incoming.path)) ?? []
        status.waiting = waiting.filter { !$0.hasPrefix(".") && !isNote($0) }
            .compactMap { file(layout.incoming.appendingPathComponent($0), note: nil) }
            .sorted { $0.modified < $1.modified }

        let rejected = (try? manager.contentsOfDirectory(atPath: layout.rejected.path)) ?? []
        let rejectedNotes = notes(in: layout.rejected, names: rejected)
        let rejectedSet = Set(rejected)
        var rejectedFiles = rejected.filter { !isNote($0) }
            .compactMap { file(layout.rejected.appendingPathComponent($0), note: rejectedNotes[$0]?.note) }
        // A rejected file that held message text was destroyed: only its note is left.
        for (name, found) in rejectedNotes where !rejectedSet.contains(name) && found.suffix == ".reason.json" {
            rejectedFiles.append(SpoolStatus.File(
                name: SpoolStatus.masked(name), bytes: 0, modified: found.modified,
                reason: found.note.reason + " (the file was deleted: it held message text)",
                rejectedLines: found.note.rejected?.count ?? 0, lineReasons: []))
        }
        status.rejected = Array(rejectedFiles.sorted { $0.modified > $1.modified }.prefix(limit))

        let dayFolders = ((try? manager.contentsOfDirectory(atPath: layout.processed.path)) ?? []).sorted(by: >).prefix(max(0, days))
        var withRejects: [SpoolStatus.File] = []
        for day in dayFolders {
            let folder = layout.processed.appendingPathComponent(day)
            let names = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
            status.processedPerDay.append((day, names.filter { !isNote($0) }.count + names.filter { $0.hasSuffix(".ingested.json") }.count))
            for (name, found) in notes(in: folder, names: names) where found.suffix == ".reason.json" {
                if let entry = file(folder.appendingPathComponent(name), note: found.note) { withRejects.append(entry) }
            }
        }
        status.processedWithRejects = Array(withRejects.sorted { $0.modified > $1.modified }.prefix(limit))
        return status
    }
}

/// The note the spool watcher writes beside a rejected file (`SpoolWatcher.noteName`; older
/// archives have `<name>.reason.json`): the file's name, why, and the rejected lines.
private struct ReasonNote: Decodable {
    var file: String?
    var reason: String
    var rejected: [Line]?
    struct Line: Decodable { var line: Int?; var reason: String }
}
