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

extension Archive {
    /// The spool's state: waiting files, processed files per day (the newest `days` days), and
    /// the newest `limit` rejected files with their reasons. Reads the file system only.
    public func spoolStatus(days: Int = 14, limit: Int = 100, actor: Actor) throws -> SpoolStatus {
        try authorize(actor, .viewIngestStatus)
        let manager = FileManager.default
        var status = SpoolStatus()
        func file(_ url: URL) -> SpoolStatus.File? {
            guard let attributes = try? manager.attributesOfItem(atPath: url.path),
                  (attributes[.type] as? FileAttributeType) == .typeRegular else { return nil }
            var entry = SpoolStatus.File(name: SpoolStatus.masked(url.lastPathComponent),
                                         bytes: (attributes[.size] as? NSNumber)?.int64Value ?? 0,
                                         modified: attributes[.modificationDate] as? Date ?? .distantPast,
                                         reason: nil, rejectedLines: 0, lineReasons: [])
            let note = url.deletingLastPathComponent().appendingPathComponent(url.lastPathComponent + ".reason.json")
            if let data = try? Data(contentsOf: note), let reason = try? JSONDecoder().decode(ReasonNote.self, from: data) {
                entry.reason = reason.reason
                entry.rejectedLines = reason.rejected?.count ?? 0
                entry.lineReasons = (reason.rejected ?? []).prefix(5).map { line in
                    line.line.map { "line \($0): \(line.reason)" } ?? line.reason
                }
            }
            return entry
        }
        func isNote(_ name: String) -> Bool { name.hasSuffix(".reason.json") || name.hasSuffix(".ingested.json") }

        let waiting = (try? manager.contentsOfDirectory(atPath: layout.incoming.path)) ?? []
        status.waiting = waiting.filter { !$0.hasPrefix(".") && !isNote($0) }
            .compactMap { file(layout.incoming.appendingPathComponent($0)) }
            .sorted { $0.modified < $1.modified }

        let rejected = (try? manager.contentsOfDirectory(atPath: layout.rejected.path)) ?? []
        var rejectedFiles = rejected.filter { !isNote($0) }.compactMap { file(layout.rejected.appendingPathComponent($0)) }
        // A rejected file that held message text was destroyed: only its note is left.
        for note in rejected where note.hasSuffix(".reason.json") && !rejected.contains(String(note.dropLast(".reason.json".count))) {
            let url = layout.rejected.appendingPathComponent(String(note.dropLast(".reason.json".count)))
            let attributes = try? manager.attributesOfItem(atPath: layout.rejected.appendingPathComponent(note).path)
            var entry = SpoolStatus.File(name: SpoolStatus.masked(url.lastPathComponent), bytes: 0,
                                         modified: attributes?[.modificationDate] as? Date ?? .distantPast,
                                         reason: nil, rejectedLines: 0, lineReasons: [])
            if let data = try? Data(contentsOf: layout.rejected.appendingPathComponent(note)),
               let reason = try? JSONDecoder().decode(ReasonNote.self, from: data) {
                entry.reason = (reason.reason) + " (the file was deleted: it held message text)"
                entry.rejectedLines = reason.rejected?.count ?? 0
            }
            rejectedFiles.append(entry)
        }
        status.rejected = Array(rejectedFiles.sorted { $0.modified > $1.modified }.prefix(limit))

        let dayFolders = ((try? manager.contentsOfDirectory(atPath: layout.processed.path)) ?? []).sorted(by: >).prefix(max(0, days))
        var withRejects: [SpoolStatus.File] = []
        for day in dayFolders {
            let folder = layout.processed.appendingPathComponent(day)
            let names = (try? manager.contentsOfDirectory(atPath: folder.path)) ?? []
            status.processedPerDay.append((day, names.filter { !isNote($0) }.count + names.filter { $0.hasSuffix(".ingested.json") }.count))
            for name in names where name.hasSuffix(".reason.json") {
                let original = String(name.dropLast(".reason.json".count))
                if let entry = file(folder.appendingPathComponent(original)) { withRejects.append(entry) }
            }
        }
        status.processedWithRejects = Array(withRejects.sorted { $0.modified > $1.modified }.prefix(limit))
        return status
    }
}

/// The `.reason.json` note the spool watcher writes beside a rejected file.
private struct ReasonNote: Decodable {
    var reason: String
    var rejected: [Line]?
    struct Line: Decodable { var line: Int?; var reason: String }
}
