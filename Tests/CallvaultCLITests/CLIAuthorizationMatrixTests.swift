import Foundation
import Testing
import CallvaultAccess
import CallvaultTesting

/// Issue 16: every command × every role through the built binary, as `RouteAuthorizationTests`
/// does for the HTTP routes: the permission table decides. People act as accounts mapped to the
/// OS login running the tests (picked with `--as`), the ingest machine with its real token
/// (`CALLVAULT_TOKEN`). A refusal exits 1, names the action, and is audited as denied; an allowed
/// role gets past the check (the command may still fail on its input, e.g. an unknown hold).
///
/// `init`, `watch` and `serve` act as no account (the archive's files, the spool's service
/// identity, the service's own identities and each request's principal) and are not in the table;
/// the hidden `bench-*` tools search like `search`.
@Suite struct CLIAuthorizationMatrixTests {
    /// One command line per command, and the action of the table it is authorised by.
    static func commands(out: URL, run: Int) -> [(arguments: [String], action: Action, stdin: String?)] {
        let samples = TestArchive.samples
        return [
            (["customers", "import", samples.appendingPathComponent("customers.csv").path], .importCustomers, nil),
            (["ingest", samples.appendingPathComponent("sms").path], .ingestFiles, nil),
            (["search", "--number", "040 123 4567"], .search, nil),
            (["show", "call-1"], .viewItem, nil),
            (["recording", "extract", "rec-1", "--out", out.appendingPathComponent("rec-\(run).wav").path, "--purpose", "complaint"], .playRecording, nil),
            (["retention", "apply"], .manageRetention, nil),
            (["retention", "show", "call-1"], .viewItem, nil),
            (["hold", "place", "--case", "matrix", "--reason", "matrix", "--customer", "C002"], .placeHold, nil),
            (["hold", "list"], .listHolds, nil),
            (["hold", "show", "hold-1"], .listHolds, nil),
            (["hold", "release", "hold-999", "--reason", "matrix"], .releaseHold, nil),
            (["expire", "--dry-run", "--now", "2026-01-01"], .runExpiry, nil),
            (["erase", "--customer", "C003", "--reason", "matrix", "--dry-run"], .erase, nil),
            (["restrict", "--customer", "C004", "--reason", "matrix"], .restrict, nil),
            (["unrestrict", "--customer", "C004", "--reason", "matrix"], .restrict, nil),
            (["link", "call-1", "--customer", "C006", "--reason", "matrix"], .rectify, nil),
            (["unlink", "call-1", "--customer", "C006", "--reason", "matrix"], .rectify, nil),
            (["export", "--customer", "C002", "--out", out.appendingPathComponent("c002-\(run).zip").path, "--purpose", "data-subject-request"], .export, nil),
            (["requests", "open", "--customer", "C005", "--type", "access"], .manageRequests, nil),
            (["requests", "list"], .manageRequests, nil),
            (["requests", "close", "req-999"], .manageRequests, nil),
            (["audit", "verify"], .verifyAudit, nil),
            (["audit", "digest"], .verifyAudit, nil),
            (["verify"], .verifyArchive, nil),
            (["verify", "--repair"], .repairArchive, nil),
            (["quarantine", "list"], .verifyArchive, nil),
            (["quarantine", "purge", "--id", "q-matrix"], .repairArchive, nil),
            (["users", "add", "matrix\(run).m", "--role", "lead", "--password-stdin"], .manageUsers, CLIRunner.password + "\n"),
            (["users", "list"], .manageUsers, nil),
            (["users", "map", "kim.k", "--os-user", "matrix\(run)"], .manageUsers, nil),
            (["users", "unmap", "kim.k", "--os-user", "matrix0"], .manageUsers, nil),
            (["users", "disable", "kim.k"], .manageUsers, nil),
            (["users", "enable", "kim.k"], .manageUsers, nil),
            (["users", "role", "kim.k", run.isMultiple(of: 2) ? "auditor" : "lead"], .manageUsers, nil),
            (["users", "passwd", CLIRunner.admin, "--password-stdin"], .manageUsers, CLIRunner.password + "\n"),
            (["users", "token", "kim.k"], .manageUsers, nil),
        ]
    }

    @Test func everyCommandAnswersEveryRoleAsThePermissionTableSays() throws {
        let folder = TemporaryFolder("callvault-cli-matrix")
        let cli = CLIRunner(archive: folder.path("archive"))
        try cli.initWithSamples()
        #expect(try cli.run(["hold", "place", "--case", "c", "--reason", "r", "--customer", "C001", "--as", "carla"]).status == 0)
        #expect(try cli.run(["users", "add", "kim.k", "--role", "lead", "--password-stdin", "--as", CLIRunner.admin], stdin: CLIRunner.password + "\n").status == 0)
        let ingestToken = try cli.ingestToken()
        let index = folder.path("archive/index.sqlite").path
        func denials(_ actor: String, _ action: Action) throws -> Int {
            Int(try Shell.run("/usr/bin/sqlite3", [index, "SELECT count(*) FROM audit_log WHERE actor = '\(actor)' AND action = '\(action.rawValue)' AND outcome = 'denied'"]))!
        }

        var run = 0
        for role in Role.allCases {
            let account = role == .ingest ? "pbx1-upload" : CLIRunner.account(role.rawValue)
            for command in Self.commands(out: folder.url, run: run) {
                run += 1
                let before = try denials(account, command.action)
                let result = role == .ingest
                    ? try cli.run(command.arguments, environment: ["CALLVAULT_TOKEN": ingestToken], stdin: command.stdin)
                    : try cli.run(command.arguments + ["--as", account], stdin: command.stdin)
                let line = "\(command.arguments.prefix(2).joined(separator: " ")) as \(role.rawValue)"
                if PermissionTable.allows(role, command.action) {
                    #expect(!result.stderr.contains("may not"), "\(line): \(result.stderr.prefix(300))")
                    #expect(try denials(account, command.action) == before, "\(line): a denial was audited")
                } else {
                    #expect(result.status == 1, "\(line): exit \(result.status) \(result.stderr.prefix(300))")
                    #expect(result.stderr.contains("\(account): the \(role.rawValue) role may not \(command.action.rawValue)"), "\(line): \(result.stderr.prefix(300))")
                    #expect(try denials(account, command.action) == before + 1, "\(line): the refusal is not audited")
                }
            }
        }
        #expect(try cli.run(["audit", "verify", "--json", "--as", CLIRunner.admin]).json["ok"] as? Bool == true)
    }

    @Test func theTableHasAnActionForEveryCommandThatActsAsAnAccount() {
        let actions = Set(Self.commands(out: URL(fileURLWithPath: "/tmp"), run: 0).map(\.action))
        // Every action but the HTTP-only ones (the ingest route, metrics, the web's ingest page and
        // audit trail, the restricted view, which search and show apply) has a command.
        let httpOnly: Set<Action> = [.ingest, .readMetrics, .viewIngestStatus, .readAudit, .viewRestricted, .viewCustomer]
        #expect(actions.union(httpOnly) == Set(Action.allCases))
    }
}
