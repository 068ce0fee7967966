import Foundation
import Synchronization
import Testing
import CallvaultIndex
import CallvaultTesting

/// `ArchiveIndex.restartWAL(waitingAtMost:)` starts the write-ahead log over, and a reader that
/// keeps an old snapshot makes it give up quickly instead of holding off every writer.
@Suite struct WALRestartTests {
    func sqlite(_ path: URL, _ sql: String) throws {
        _ = try Shell.run("/usr/bin/sqlite3", [path.path, sql])
    }

    /// An index (`index.sqlite` in the folder) holding 200 rows that another process reads in one
    /// snapshot for `seconds`, while 200 more rows written after it started make the log grow past it.
    func indexBehindLongReader(seconds: Int) throws -> (TemporaryFolder, ArchiveIndex, Process) {
        let folder = TemporaryFolder()
        let path = folder.path("index.sqlite")
        let index = try ArchiveIndex(path: path)
        try sqlite(path, "CREATE TABLE filler (x BLOB); INSERT INTO filler SELECT randomblob(2000) FROM generate_series(1, 200);")
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        reader.arguments = [path.path]
        let input = Pipe(), output = Pipe()
        reader.standardInput = input
        reader.standardOutput = output
        try reader.run()
        input.fileHandleForWriting.write(Data("BEGIN;\nSELECT count(*) FROM filler;\n.shell sleep \(seconds)\nCOMMIT;\n".utf8))
        try input.fileHandleForWriting.close()
        // The count it prints says its snapshot is open.
        var said = Data()
        while !said.contains(UInt8(ascii: "\n")) {
            let more = output.fileHandleForReading.availableData
            guard !more.isEmpty else { break }
            said += more
        }
        #expect(String(decoding: said, as: UTF8.self).hasPrefix("200"), "the reader opened its snapshot")
        try sqlite(path, "INSERT INTO filler SELECT randomblob(2000) FROM generate_series(1, 200);")
        return (folder, index, reader)
    }

    @Test func aLongReaderMakesTheRestartGiveUpWithinItsWaitAndALaterOneSucceeds() throws {
        // Another process reads one snapshot for two seconds while the log grows past it.
        let (folder, index, reader) = try indexBehindLongReader(seconds: 2)
        let path = folder.path("index.sqlite")

        #expect(throws: IndexError.self) { try index.restartWAL(waitingAtMost: 0.05) }
        #expect(reader.isRunning, "gave up within its wait, while the reader still held its snapshot (not after the busy handler's 10 s)")
        // Writers were not held off: a write goes through at once.
        try sqlite(path, "INSERT INTO filler VALUES (x'00');")

        reader.waitUntilExit()
        try index.restartWAL(waitingAtMost: 0.05)
        // Started over: the next write lands at the start of the log, which the size limit cut back.
        try sqlite(path, "INSERT INTO filler VALUES (x'01');")
        #expect(index.walBytes <= 64 << 20)
        #expect(try Shell.run("/usr/bin/sqlite3", [path.path, "SELECT count(*) FROM filler"]) == "402")
    }

    /// Erasure's purge truncates the log; behind a reader that outlasts its patience (3 s here) it
    /// reports false without holding off writers, and succeeds once the reader is gone.
    @Test func thePurgeGivesUpBehindALongReaderWithoutStallingWriters() throws {
        let (folder, index, reader) = try indexBehindLongReader(seconds: 6)
        let path = folder.path("index.sqlite")

        // Meanwhile another process writes every 0.1 s, waiting at most 1 s for the lock each time.
        let written = Mutex(0), finished = Mutex(false)
        let writes = Thread {
            for i in 0..<20 {
                if (try? Shell.run("/usr/bin/sqlite3", ["-cmd", ".timeout 1000", path.path, "INSERT INTO filler VALUES (x'\(String(format: "%02x", i))');"])) != nil {
                    written.withLock { $0 += 1 }
                }
                usleep(100_000)
            }
            finished.withLock { $0 = true }
        }
        writes.start()
        #expect(try index.purgeDeletedContent(patience: 3) == false)
        #expect(reader.isRunning, "gave up after its patience, while the reader still held its snapshot (not after 10 s busy waits)")
        reader.waitUntilExit()
        while !finished.withLock({ $0 }) { usleep(50_000) }
        #expect(written.withLock { $0 } == 20, "a write waited more than 1 s for the lock")
        #expect(try index.purgeDeletedContent())
        #expect(index.walBytes == 0, "truncated")
        #expect(try Shell.run("/usr/bin/sqlite3", [path.path, "SELECT count(*) FROM filler"]) == "420")
    }
}
