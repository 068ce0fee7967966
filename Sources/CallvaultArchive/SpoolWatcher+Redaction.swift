import Foundation
import CallvaultIngest
import CallvaultModel
#if canImport(Glibc)
import Glibc
#endif

extension SpoolWatcher {
    /// Lines longer than this are overwritten whole: no line of a log this long is one Kannel wrote.
    static let longestRedactedLine = 1 << 20

    /// Writes `source`, a Kannel access log, to `target` with every message body overwritten by
    /// `0`s (`KannelLogParser.redacted`): the same lines of the same lengths, so an operator can
    /// see and fix what was wrong and drop the file in again, and no message text is kept (R8).
    /// Streams the file; a line longer than 1 MiB is overwritten whole. The copy is synced
    /// before the caller destroys the original.
    static func writeRedactedCopy(of source: URL, to target: URL) throws {
        guard let input = FileHandle(forReadingAtPath: source.path) else {
            throw ArchiveFailure(.internal, "cannot read \(SpoolStatus.masked(source.lastPathComponent)) to keep a redacted copy")
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
            unlink(temporary.path)
            throw ArchiveFailure(.internal, "cannot write a redacted copy of \(SpoolStatus.masked(source.lastPathComponent)): \(error.localizedDescription)")
        }
        guard rename(temporary.path, target.path) == 0 else {
            unlink(temporary.path)
            throw ArchiveFailure(.internal, "cannot file the redacted copy of \(SpoolStatus.masked(source.lastPathComponent)): \(String(cString: strerror(errno)))")
        }
    }
}
