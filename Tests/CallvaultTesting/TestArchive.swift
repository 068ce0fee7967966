public import Foundation
public import CallvaultArchive
public import CallvaultAccess
import CallvaultModel

extension Actor {
    /// An actor of `role` as an authenticated principal named `name` (tests act through the
    /// archive's permission check like everyone else, never around it).
    public static func test(_ name: String, _ role: Role, origin: String = "test") -> Actor {
        Actor(Principal(name: name, role: role), origin: origin)
    }
}

/// A temporary archive for tests, with helpers to feed it files and poke at its SQLite file.
public final class TestArchive: @unchecked Sendable {
    public let folder = TemporaryFolder("callvault-archive")
    public let archive: Archive
    /// The compliance role: searches, shows, holds, erases, restricts, exports, rectifies.
    public let actor = Actor.test("tester", .compliance)
    /// The admin role: ingests files, verifies and repairs the blob store, imports customers.
    public let admin = Actor.test("tester.admin", .admin)
    /// The lead role: searches, shows and plays, but sees no restricted customer.
    public let lead = Actor.test("tester.lead", .lead)
    /// The archive's clock: destructive jobs run at its time.
    public let clock: TestClock

    public init(faultSeam: (@Sendable (String) -> Void)? = nil, clock: TestClock = TestClock()) throws {
        self.clock = clock
        _ = try Archive.initialize(at: folder.path("archive"))
        archive = try Archive(root: folder.path("archive"), now: clock.source, faultSeam: faultSeam, passwordCost: 4)
    }

    /// Another `Archive` on this archive's folder, on the same clock.
    public func reopened(purgePatience: TimeInterval = 60) throws -> Archive {
        try Archive(root: root, now: clock.source, passwordCost: 4, purgePatience: purgePatience)
    }

    /// Sets the clock to `time` and runs expiry for real there.
    @discardableResult
    public func expire(at time: Date, actor: Actor = Archive.expiryActor, pacing: ExpiryPacing = ExpiryPacing()) throws -> ExpiryReport {
        clock.now = time
        return try archive.expire(actor: actor, pacing: pacing)
    }

    public var root: URL { folder.path("archive") }
    /// The archive's key folder (by default beside it).
    public var keyDirectory: URL { folder.path("archive.keys") }
    /// The archive's anchor file (by default beside it).
    public var anchorFile: URL { folder.path("archive.anchors") }

    /// Copies the archive to `root`, with its key folder and anchor file beside it (an archive
    /// copied without its keys does not open).
    public func copy(to root: URL) throws {
        try FileManager.default.copyItem(at: self.root, to: root)
        try FileManager.default.copyItem(at: keyDirectory, to: root.deletingLastPathComponent().appendingPathComponent(root.lastPathComponent + ".keys"))
        try FileManager.default.copyItem(at: anchorFile, to: root.deletingLastPathComponent().appendingPathComponent(root.lastPathComponent + ".anchors"))
    }

    /// The anchor file's lines.
    public func anchorLines() throws -> [String] {
        guard FileManager.default.fileExists(atPath: anchorFile.path) else { return [] }
        return try String(contentsOf: anchorFile, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// An archive holding the sample customers and the whole sample Asterisk/FreePBX export.
    public static func withSamples(clock: TestClock = TestClock()) throws -> TestArchive {
        let fixture = try TestArchive(clock: clock)
        _ = try fixture.archive.importCustomers(from: samples.appendingPathComponent("customers.csv"), actor: fixture.actor)
        _ = try fixture.archive.ingest([samples.appendingPathComponent("asterisk")], actor: fixture.admin)
        return fixture
    }

    /// Writes `text` to a file in the test's input folder and returns it.
    @discardableResult
    public func input(_ name: String, _ text: String) -> URL { folder.write("input/\(name)", text) }

    /// Writes bytes to a file in the test's input folder and returns it.
    @discardableResult
    public func input(_ name: String, _ data: Data) -> URL { folder.write("input/\(name)", data) }

    /// Ingests files.
    @discardableResult
    public func ingest(_ urls: URL...) throws -> IngestSummary { try archive.ingest(urls, actor: admin) }

    /// Runs SQL with the sqlite3 shell against the index and returns its output.
    @discardableResult
    public func sql(_ statement: String) throws -> String {
        try Shell.run("/usr/bin/sqlite3", [root.appendingPathComponent("index.sqlite").path, statement])
    }

    /// The repository's samples/ folder.
    public static var samples: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("samples")
    }
}

/// Runs a program and returns its stdout; throws when it fails.
public enum Shell {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    @discardableResult
    public static func run(_ program: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure(description: "\(program) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
