import Foundation
import Testing
import Logging
import ServiceLifecycle
import CallvaultAccess
import CallvaultArchive
import CallvaultServer
import CallvaultTesting

/// Issue 22: a third-party fuzzer checks the API against its document. schemathesis (PyPI, the
/// version `.ci/run` pins) reads `docs/openapi.json` and runs every check (server errors, status
/// codes, content types, response schemas, schema-valid requests accepted and invalid ones
/// refused, missing auth and headers, undeclared methods) on every GET and POST route of the real
/// service — `serve`'s service group on 127.0.0.1 over the sample archive, with real accounts
/// and their tokens (`scripts/schemathesis.toml` picks a role allowed for each route) — with
/// bounded examples and a fixed seed. Any failure fails the suite. Skipped on a machine without
/// schemathesis, except in CI (`CI` set), where `.ci/run` installs it and its absence fails.
@Suite(.serialized) struct SchemathesisTests {
    static let root = TestArchive.samples.deletingLastPathComponent()
    static let python = "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())"

    static var toolPresent: Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import schemathesis"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }
    static var required: Bool { ProcessInfo.processInfo.environment["CI"] != nil || toolPresent }

    @Test(.enabled(if: SchemathesisTests.required, "needs schemathesis (python3 -m pip install schemathesis; .ci/run installs it)"),
          .timeLimit(.minutes(8)))
    func schemathesisFindsNoFailureInTheDocumentedAPI() async throws {
        let fixture = try TestArchive.withSamples()
        let archive = fixture.archive
        // Real accounts, one per role the routes need, and their tokens.
        let password = "schemathesis passphrase 2026"
        _ = try archive.addFirstAdmin("ada.k", role: .admin, password: password, osLogin: "ada", host: "test")
        let admin = Actor.test("ada.k", .admin)
        _ = try archive.addUser("dora.c", role: .compliance, password: password, actor: admin)
        _ = try archive.addUser("pbx.hook", role: .ingest, password: nil, actor: admin)
        let tokens = [
            "CV_ADMIN_TOKEN": try archive.issueToken(for: "ada.k", actor: admin).token,
            "CV_COMPLIANCE_TOKEN": try archive.issueToken(for: "dora.c", actor: admin).token,
            "CV_INGEST_TOKEN": try archive.issueToken(for: "pbx.hook", actor: admin).token,
        ]

        // The real service, as `serve` runs it.
        var settings = archive.configuration.server
        settings.host = "127.0.0.1"
        settings.port = 0
        settings.expiryInterval = 0
        var logger = Logger(label: "schemathesis-test")
        logger.logLevel = .critical
        let service = CallvaultService(archive: archive, principals: ArchiveAccounts(archive: archive), settings: settings, logger: logger)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let group = service.makeServiceGroup(gracefulShutdownSignals: []) { port in portSink.yield(port) }
        let running = Task { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())

        let work = TemporaryFolder()  // schemathesis' and Hypothesis' own files stay here
        let log = work.url.appendingPathComponent("schemathesis.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.python,
                             "--no-color", "--config-file", Self.root.appendingPathComponent("scripts/schemathesis.toml").path,
                             "run", Self.root.appendingPathComponent("docs/openapi.json").path,
                             "--url", "http://127.0.0.1:\(port)", "--checks", "all", "--max-examples", "25", "--seed", "22",
                             "--workers", "1", "--suppress-health-check", "too_slow", "--request-timeout", "30"]
        process.environment = ProcessInfo.processInfo.environment.merging(tokens) { _, token in token }
        process.currentDirectoryURL = work.url
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        try output.close()
        await group.triggerGracefulShutdown()
        try await running.value

        let said = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "schemathesis found failures (exit \(status)):\n\(said.suffix(12_000))")
        #expect(said.contains("Tested: 14"), "every operation of the document was tested: \(said.suffix(2_000))")
    }
}
