public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `callvault` binary, as a script or a hook would.
public struct CLIRunner: Sendable {
    /// The result of one run.
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String

        /// stdout parsed as a JSON object.
        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(stdout.utf8))) as? [String: Any] ?? [:]
        }
    }

    public let binary: URL
    public let archive: URL

    /// A runner for the archive at `archive`, using the `callvault` binary next to the test bundle.
    public init(archive: URL) {
        self.archive = archive
        binary = CLIRunner.locateBinary()
    }

    static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    public static func locateBinary() -> URL {
        if let path = ProcessInfo.processInfo.environment["CALLVAULT_BINARY"] { return URL(fileURLWithPath: path) }
        // Tests run from .build/<triple>/debug/<bundle>.xctest; the executable is in that debug folder.
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("callvault")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        let fallback = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/callvault")
        return fallback
    }

    /// Runs `callvault` with `arguments` (plus `--archive`), with extra environment variables;
    /// `stdin`, when given, is written to the process's standard input (then closed).
    @discardableResult
    public func run(_ arguments: [String], environment: [String: String] = [:], archiveFlag: Bool = true,
                    stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments + (archiveFlag ? ["--archive", archive.path] : [])
        var env = ProcessInfo.processInfo.environment
        // Who acts is the OS login's account (or CALLVAULT_TOKEN's), never a declared name.
        for name in ["CALLVAULT_USER", "CALLVAULT_ROLE", "CALLVAULT_TOKEN"] { env[name] = nil }
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = stdin.map { _ in Pipe() }
        if let input { process.standardInput = input }
        try process.run()
        if let input, let stdin {
            // A child that exits before reading its input must not kill the test run with SIGPIPE.
            _ = CLIRunner.ignoreBrokenPipes
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        }
        // Drain both pipes while the process runs, so a large output cannot block it.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        group.enter()
        DispatchQueue.global().async { errData = err.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }
}
