import Foundation
import Testing
import CallvaultIndex
import CallvaultTesting

/// `ArchiveIndex.restartWAL(waitingAtMost:)` starts the write-ahead log over, and a reader that
/// keeps an old snapshot makes it give up quickly instead of holding off every writer.
@Suite struct WALRestartTests {
    func sqlite(_ path: URL, _ sql: String) throws {
        _ = try Shell.run("/usr/bin/sqlite3", [path.path, sql])
    }

    @Test func aLongReaderMakesTheRestartGiveUpWithinItsWaitAndALaterOneSucceeds() throws {
        let folder = TemporaryFolder()
        let path = folder.path("index.sqlite")
        let index = try ArchiveIndex(path: path)
        try sqlite(path, "CREATE TABLE filler (x BLOB); INSERT INTO filler SELECT randomblob(2000) FROM generate_series(1, 200);")

        // Another process reads one snapshot for two seconds while the log grows past it.
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        reader.arguments = [path.path]
        let input = Pipe()
        reader.standardInput = input
        reader.standardOutput = FileHandle.nullDevice
        try reader.run()
        input.fileHandleForWriting.write(Data("BEGIN;\nSELECT count(*) FROM filler;\n.shell sleep 2\nCOMMIT;\n".utf8))
        try input.fileHandleForWriting.close()
        usleep(400_000)
        try sqlite(path, "INSERT INTO filler SELECT randomblob(2000) FROM generate_series(1, 200);")

        let started = Date()
        #expect(throws: IndexError.self) { try index.restartWAL(waitingAtMost: 0.05) }
        #expect(Date().timeIntervalSince(started) < 1, "gave up within its wait, not the 10 s busy handler")
        // Writers were not held off: a write goes through at once.
        try sqlite(path, "INSERT INTO filler VALUES (x'00');")

        reader.waitUntilExit()
        try index.restartWAL(waitingAtMost: 0.05)
        // Started over: the next write lands at the start of the log, which the size limit cut back.
        try sqlite(path, "INSERT INTO filler VALUES (x'01');")
        #expect(index.walBytes <= 64 << 20)
        #expect(try Shell.run("/usr/bin/sqlite3", [path.path, "SELECT count(*) FROM filler"]) == "402")
    }
}
