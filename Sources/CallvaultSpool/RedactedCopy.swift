public import Foundation
import CallvaultIngest
import CallvaultModel
#if canImport(Glibc)
import Glibc
#endif

extension SpoolFiles {
    /// Lines longer than this are overwritten whole: no line of a log this long is one Kannel wrote.
    static let longestRedactedLine = 1 << 20

    /// Writes `source`, a Kannel access log, to `target` with every message body overwritten by
    /// `0`s (`KannelLogParser.redacted`): the same lines of the same lengths, so an operator can
    /// see and fix what was wrong and drop the file in again, and no message text is kept (R8).
    /// Streams the file; a line longer than 1 MiB is overwritten whole. The copy is synced
    /// before the caller destroys the original.
    public static func writeRedactedCopy(of source: URL, to target: URL) throws {
        guard let input = FileHandle(forReadingAtPath: source.path) else {
            throw ArchiveFailure(.internal, "cannot read \(SpoolFiles.masked(source.lastPathComponent)) to keep a redacted copy")
        }
        defer { try? input.close() }
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".redacting-\(UUID().uuidString.prefix(8))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o640]),
              let output = FileHandle(forWritingAtPath: temporary.path) else {
            throw ArchiveFailure(.internal, "cannot write a redacted copy into \(target.deletingLastPathComponent().path)")
        }
        var line: [UInt8] = []
        var overlong = false
        var pending: [UInt8] = []
        func emit(_ bytes: [UInt8]) throws {
            pending += bytes
            if pending.count >= 1 << 16 {
                try output.write(contentsOf: pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
        do {
            while let chunk = try input.read(upToCount: 1 << 16), !chunk.isEmpty {
                for byte in chunk {
                    if byte == 0x0A {
                        try emit(overlong ? [0x0A] : KannelLogParser.redacted(line) + [0x0A])
                        line.removeAll(keepingCapacity: true)
                        overlong = false
                    } else if overlong {
                        try emit([UInt8(ascii: "0")])
                    } else {
                        line.append(byte)
                        if line.count > longestRedactedLine {
                            try emit([UInt8](repeating: UInt8(ascii: "0"), count: line.count))
                            line.removeAll(keepingCapacity: true)
                            overlong = true
                        }
                    }
                }
            }
            if !line.isEmpty { try emit(KannelLogParser.redacted(line)) }
            try output.write(contentsOf: pending)
            try output.synchronize()
            try output.close()
        } catch {
            try? output.close()
            throw redactionFailed(source, temporary, "cannot write a redacted copy", error.localizedDescription)
        }
        try fileRedactedCopy(temporary, as: target, of: source)
    }

    /// Writes `source`, an SMS CSV, to `target` with every field of its text columns (those the
    /// header names, `SMSCSVParser.textColumns`) overwritten by as many `0`s as it has
    /// characters, the other fields as they were (quoted where RFC 4180 needs it). A record
    /// whose field count differs from the header's (an unquoted comma in a text, say) is
    /// overwritten whole. Returns false, writing nothing, when the header names no text column:
    /// then the text cannot be told from the rest and nothing of the file is kept.
    public static func writeRedactedCSVCopy(of source: URL, to target: URL) throws -> Bool {
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".redacting-\(UUID().uuidString.prefix(8))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o640]),
              let output = FileHandle(forWritingAtPath: temporary.path) else {
            throw ArchiveFailure(.internal, "cannot write a redacted copy into \(target.deletingLastPathComponent().path)")
        }
        var header: [String]?
        var textColumns = Set<Int>()
        var pending = Data()
        func quoted(_ field: String) -> String {
            field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }
        func zeros(_ field: String) -> String { String(repeating: "0", count: field.count) }
        do {
            try CSVRecordReader().read(source) { event in
                guard case .record(let record) = event else { return }
                if let columns = header {
                    let whole = record.fields.count != columns.count
                    let fields = record.fields.enumerated().map { whole || textColumns.contains($0.offset) ? zeros($0.element) : quoted($0.element) }
                    pending.append(Data((fields.joined(separator: ",") + "\r\n").utf8))
                } else {
                    header = record.fields
                    textColumns = Set(record.fields.indices.filter {
                        SMSCSVParser.textColumns.contains(record.fields[$0].trimmingCharacters(in: .whitespaces).lowercased())
                    })
                    // No text column named: the text cannot be told from the rest.
                    guard !textColumns.isEmpty else { throw CancellationError() }
                    pending.append(Data((record.fields.map(quoted).joined(separator: ",") + "\r\n").utf8))
                }
                if pending.count >= 1 << 16 {
                    try output.write(contentsOf: pending)
                    pending.removeAll(keepingCapacity: true)
                }
            }
            guard !textColumns.isEmpty else { throw CancellationError() }
            try output.write(contentsOf: pending)
            try output.synchronize()
            try output.close()
        } catch is CancellationError {
            try? output.close()
            unlink(temporary.path)
            return false
        } catch {
            try? output.close()
            throw redactionFailed(source, temporary, "cannot write a redacted copy", error.localizedDescription)
        }
        try fileRedactedCopy(temporary, as: target, of: source)
        return true
    }

    /// Renames a finished redacted copy into place.
    static func fileRedactedCopy(_ temporary: URL, as target: URL, of source: URL) throws {
        guard rename(temporary.path, target.path) == 0 else {
            throw redactionFailed(source, temporary, "cannot file the redacted copy", String(cString: strerror(errno)))
        }
    }

    /// Removes a half-written copy and says what failed (the file's name masked).
    static func redactionFailed(_ source: URL, _ temporary: URL, _ what: String, _ why: String) -> ArchiveFailure {
        unlink(temporary.path)
        return ArchiveFailure(.internal, "\(what) of \(SpoolFiles.masked(source.lastPathComponent)): \(why)")
    }
}
