import Foundation
import Testing
import CallvaultTesting

/// `callvault users …` through the built binary (issue 5, CLI.md): the first admin, passwords
/// on standard input only, admins managing accounts, a token printed once, exit codes.
@Suite struct UsersCLITests {
    let folder = TemporaryFolder("callvault-cli-users")
    var cli: CLIRunner { CLIRunner(archive: folder.path("archive")) }

    @Test func initTellsHowToCreateTheFirstAdmin() throws {
        let text = try cli.run(["init"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("callvault users add NAME --role admin --password-stdin"))
        let json = try cli.run(["init", "--json"])
        #expect(json.json["has_admin"] as? Bool == false)
        #expect(json.json["next"] as? String == "callvault users add NAME --role admin --password-stdin")
        #expect(json.json["archive"] as? String == folder.path("archive").path)
    }

    @Test func theFirstAdminThenAdminsManageAccountsAndTokens() throws {
        let cli = self.cli
        #expect(try cli.run(["init"]).status == 0)
        // The first account must be an admin, with a password from standard input.
        let lead = try cli.run(["users", "add", "lee.m", "--role", "lead", "--password-stdin", "--as", "ops-person"], stdin: "lee's long passphrase\n")
        #expect(lead.status == 1 && lead.stderr.contains("no admin yet"))
        let noPassword = try cli.run(["users", "add", "anna.k", "--role", "admin", "--as", "ops-person"])
        #expect(noPassword.status == 1 && noPassword.stderr.contains("--password-stdin"))
        let generic = try cli.run(["users", "add", "admin", "--role", "admin", "--password-stdin"], stdin: "a fine long passphrase\n")
        #expect(generic.status == 1 && generic.stderr.contains("shared or generic"))
        let first = try cli.run(["users", "add", "anna.k", "--role", "admin", "--password-stdin", "--as", "ops-person", "--json"],
                                stdin: "anna's long passphrase\n")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.json["name"] as? String == "anna.k" && first.json["role"] as? String == "admin")
        #expect(first.json["created_by"] as? String == "ops-person" && first.json["password"] as? Bool == true)
        #expect(try cli.run(["init", "--json"]).json["has_admin"] as? Bool == true)

        // From now on only the admin manages users; --as is recorded.
        let stranger = try cli.run(["users", "add", "lee.m", "--role", "lead", "--password-stdin", "--as", "ops-person"], stdin: "lee's long passphrase\n")
        #expect(stranger.status == 1 && stranger.stderr.contains("enabled admin"))
        let added = try cli.run(["users", "add", "lee.m", "--role", "lead", "--password-stdin", "--as", "anna.k", "--json"], stdin: "lee's long passphrase\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try cli.run(["users", "add", "pbx1-upload", "--role", "ingest", "--as", "anna.k"]).status == 0)
        let badRole = try cli.run(["users", "add", "kim.s", "--role", "boss", "--as", "anna.k"])
        #expect(badRole.status == 2 && badRole.stderr.contains("unknown role 'boss'"))
        let weak = try cli.run(["users", "add", "kim.s", "--role", "lead", "--password-stdin", "--as", "anna.k"], stdin: "short\n")
        #expect(weak.status == 1 && weak.stderr.contains("at least 12 characters"))

        // A token is printed once; only its hash is kept.
        let token = try cli.run(["users", "token", "pbx1-upload", "--as", "anna.k", "--json"])
        #expect(token.status == 0, "\(token.stderr)")
        let plaintext = try #require(token.json["token"] as? String)
        #expect(plaintext.hasPrefix("cv_") && token.json["kind"] as? String == "ingest")
        let index = try Data(contentsOf: folder.path("archive/index.sqlite"))
            + ((try? Data(contentsOf: folder.path("archive/index.sqlite-wal"))) ?? Data())
        for secret in [plaintext, "anna's long passphrase", "lee's long passphrase"] {
            #expect(index.range(of: Data(secret.utf8)) == nil)
        }
        let textToken = try cli.run(["users", "token", "lee.m", "--as", "anna.k"])
        #expect(textToken.status == 0 && textToken.stdout.hasPrefix("cv_") && textToken.stderr.contains("shown once"))
        #expect(try cli.run(["users", "token", "nobody.x", "--as", "anna.k"]).status == 1)

        let list = try cli.run(["users", "list", "--as", "anna.k", "--json"])
        #expect(list.status == 0)
        let users = try #require(list.json["users"] as? [[String: Any]])
        #expect(users.map { $0["name"] as? String } == ["anna.k", "lee.m", "pbx1-upload"])
        #expect(users.map { $0["role"] as? String } == ["admin", "lead", "ingest"])
        #expect(users.map { $0["tokens"] as? Int } == [0, 1, 1])
        #expect(users.allSatisfy { $0["locked_until"] is NSNull && $0["disabled"] as? Bool == false })
        #expect(try cli.run(["users", "list", "--as", "lee.m"]).status == 1)

        // A role change ends tokens; it is audited with who granted it.
        let role = try cli.run(["users", "role", "lee.m", "compliance", "--reason", "joined the DPO team", "--as", "anna.k", "--json"])
        #expect(role.status == 0, "\(role.stderr)")
        #expect(role.json["previous_role"] as? String == "lead" && role.json["role"] as? String == "compliance")
        #expect(role.json["revoked_tokens"] as? Int == 1)
        let audit = try Shell.run("/usr/bin/sqlite3", [folder.path("archive/index.sqlite").path,
                                                        "SELECT actor, action, items, reason FROM audit_log WHERE action = 'user-role'"])
        #expect(audit == "anna.k|user-role|[\"user:lee.m\"]|joined the DPO team")
        #expect(try cli.run(["users", "role", "anna.k", "lead", "--as", "anna.k"]).status == 1, "no self-approval")

        // Passwords: only on standard input.
        #expect(try cli.run(["users", "passwd", "lee.m", "--as", "anna.k"]).status == 2)
        #expect(try cli.run(["users", "passwd", "lee.m", "--password-stdin", "--as", "anna.k"], stdin: "\n").status == 1)
        let passwd = try cli.run(["users", "passwd", "lee.m", "--password-stdin", "--as", "anna.k", "--json"], stdin: "lee's newer passphrase\r\n")
        #expect(passwd.status == 0 && passwd.json["user"] as? String == "lee.m")

        let disabled = try cli.run(["users", "disable", "pbx1-upload", "--reason", "PBX replaced", "--as", "anna.k", "--json"])
        #expect(disabled.status == 0)
        #expect(disabled.json["disabled"] as? Bool == true && disabled.json["revoked_tokens"] as? Int == 1)
        #expect(try cli.run(["users", "token", "pbx1-upload", "--as", "anna.k"]).status == 1)
        #expect(try cli.run(["users", "disable", "anna.k", "--as", "anna.k"]).status == 1)
    }

    @Test func cliRolesAreThePeoplesRoles() throws {
        let cli = self.cli
        #expect(try cli.run(["init"]).status == 0)
        #expect(try cli.run(["audit", "verify", "--role", "auditor", "--json"]).status == 0)
        let ingest = try cli.run(["audit", "verify", "--role", "ingest", "--json"])
        #expect(ingest.status == 2 && ingest.stderr.contains("admin, compliance, lead, auditor"))
    }
}
