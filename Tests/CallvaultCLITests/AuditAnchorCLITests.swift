import Foundation
import Testing
import CallvaultTesting

/// Issue 16 on the command line: every command that wrote to the processing log anchors its head
/// in the anchor file when it ends, and no other does; keys and anchors go where the options and
/// the environment say, never into the archive; a bad key store is a clear error.
@Suite struct AuditAnchorCLITests {
    let folder = TemporaryFolder("callvault-cli-anchor")
    var cli: CLIRunner { CLIRunner(archive: folder.path("archive")) }

    func anchorCount(_ file: URL? = nil) throws -> Int {
        let file = file ?? folder.path("archive.anchors")
        guard FileManager.default.fileExists(atPath: file.path) else { return 0 }
        return try String(contentsOf: file, encoding: .utf8).split(separator: "\n").count
    }

    /// The newest anchor's sequence number.
    func newestAnchoredSequence() throws -> Int64? {
        let text = try String(contentsOf: folder.path("archive.anchors"), encoding: .utf8)
        return text.split(separator: "\n").last.flatMap { Int64($0.split(separator: " ")[3]) }
    }

    @Test func commandsThatWroteEntriesAnchorAndOthersDoNot() throws {
        let cli = self.cli
        let admin = CLIRunner.admin, officer = CLIRunner.account("compliance")
        #expect(try cli.run(["init"]).status == 0)
        #expect(try anchorCount() == 1, "keying starts with an anchor of the empty log")
        #expect(try cli.run(["init"]).status == 0)
        #expect(try anchorCount() == 1, "init of an existing archive logs nothing")
        try cli.addAccounts()
        let accounts = try anchorCount()
        #expect(accounts == 1 + 1 + CLIRunner.people.count, "each `users add` logged and anchored")
        let imported = try cli.run(["customers", "import", TestArchive.samples.appendingPathComponent("customers.csv").path, "--as", admin])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(try anchorCount() == accounts + 1)
        let digest = try cli.run(["audit", "digest", "--json", "--as", admin])
        #expect(digest.status == 0, "\(digest.stderr)")
        #expect(try anchorCount() == accounts + 1, "audit digest writes no entry")
        #expect(try newestAnchoredSequence() == digest.json["entries"] as? Int64 ?? Int64(digest.json["entries"] as? Int ?? -1))
        #expect(try cli.run(["search", "--number", "040 123 4567", "--as", officer]).status == 0)
        #expect(try anchorCount() == accounts + 2)
        // A refused command logged its denial: anchored too.
        let denied = try cli.run(["recording", "extract", "rec-1", "--out", folder.path("x.wav").path, "--as", officer])
        #expect(denied.status == 1)
        #expect(try anchorCount() == accounts + 3)
        let verify = try cli.run(["audit", "verify", "--json", "--as", admin])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        #expect(verify.json["ok"] as? Bool == true)
        #expect(try anchorCount() == accounts + 4)
        #expect(!FileManager.default.fileExists(atPath: folder.path("archive/chain.key").path))
    }

    @Test func keysAndAnchorsGoWhereTheOptionsSay() throws {
        let keys = folder.path("elsewhere/keys"), anchors = folder.path("anchors.log")
        try FileManager.default.createDirectory(at: folder.path("elsewhere"), withIntermediateDirectories: true)
        let environment = ["CALLVAULT_KEY_DIR": keys.path]
        #expect(try cli.run(["init", "--anchor-file", anchors.path], environment: environment).status == 0)
        #expect(FileManager.default.fileExists(atPath: keys.appendingPathComponent("chain.key").path))
        #expect(!FileManager.default.fileExists(atPath: folder.path("archive.keys").path))
        #expect(try anchorCount(anchors) == 1)
        #expect(try cli.run(["users", "add", CLIRunner.admin, "--role", "admin", "--password-stdin", "--anchor-file", anchors.path],
                            environment: environment, stdin: CLIRunner.password + "\n").status == 0)
        #expect(try anchorCount(anchors) == 2)
        #expect(try cli.run(["customers", "import", TestArchive.samples.appendingPathComponent("customers.csv").path,
                             "--anchor-file", anchors.path], environment: environment).status == 0)
        #expect(try anchorCount(anchors) == 3)
        // Without the key folder the keyed archive does not open, and says what to do.
        let lost = try cli.run(["search", "--number", "040 123 4567"])
        #expect(lost.status == 1)
        #expect(lost.stderr.contains(folder.path("archive.keys").path) && lost.stderr.contains("is missing") && lost.stderr.contains("--key-dir"), "\(lost.stderr)")
        // With the keys but not its anchor file, verify reports the missing anchors.
        let unanchored = try cli.run(["audit", "verify", "--json"], environment: environment)
        #expect(unanchored.status == 1)
        #expect(unanchored.json["ok"] as? Bool == false)
    }

    @Test func aKeyFileOpenToOthersIsAClearError() throws {
        #expect(try cli.run(["init"]).status == 0)
        let key = folder.path("archive.keys/chain.key")
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: key.path)
        let result = try cli.run(["search", "--number", "040 123 4567"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("chmod 600 \(key.path)"))
        #expect(try anchorCount() == 1)
    }
}
