import Foundation
import Testing
import CallvaultTesting

/// `callvault users …` and the command line's identity through the built binary (issues 5 and
/// 16, CLI.md): the first admin mapped to the OS login that creates it, passwords on standard
/// input only, admins managing accounts and OS logins, a token printed once, exit codes.
@Suite struct UsersCLITests {
    let folder = TemporaryFolder("callvault-cli-users")
    var cli: CLIRunner { CLIRunner(archive: folder.path("archive")) }
    var login: String { CLIRunner.osLogin }

    func audit(_ sql: String) throws -> String {
        try Shell.run("/usr/bin/sqlite3", [folder.path("archive/index.sqlite").path, sql])
    }

    @Test func initTellsHowToCreateTheFirstAdmin() throws {
        let text = try cli.run(["init"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("callvault users add NAME --role admin --password-stdin"))
        let json = try cli.run(["init", "--json"])
        #expect(json.json["has_admin"] as? Bool == false)
        #expect(json.json["next"] as? String == "callvault users add NAME --role admin --password-stdin")
        #expect(json.json["archive"] as? String == folder.path("archive").path)
        // Nothing else runs before the first admin exists, and the error says how to create it.
        let search = try cli.run(["search", "--number", "040 123 4567"])
        #expect(search.status == 1 && search.stderr.contains("no admin yet: create the first one with `callvault users add NAME --role admin --password-stdin`"))
    }

    @Test func theFirstAdminIsMappedToTheOSLoginThenAdminsManageAccountsAndTokens() throws {
        let cli = self.cli
        #expect(try cli.run(["init"]).status == 0)
        // The first account must be an admin, with a password from standard input.
        let lead = try cli.run(["users", "add", "lee.m", "--role", "lead", "--password-stdin"], stdin: "lee's long passphrase\n")
        #expect(lead.status == 1 && lead.stderr.contains("no admin yet"))
        let noPassword = try cli.run(["users", "add", "anna.k", "--role", "admin"])
        #expect(noPassword.status == 1 && noPassword.stderr.contains("--password-stdin"))
        let generic = try cli.run(["users", "add", "admin", "--role", "admin", "--password-stdin"], stdin: "a fine long passphrase\n")
        #expect(generic.status == 1 && generic.stderr.contains("shared or generic"))
        let elsewhere = try cli.run(["users", "add", "anna.k", "--role", "admin", "--password-stdin", "--os-user", "somebody-else"], stdin: "anna's long passphrase\n")
        #expect(elsewhere.status == 2 && elsewhere.stderr.contains("mapped to the OS login that creates it"))
        let first = try cli.run(["users", "add", "anna.k", "--role", "admin", "--password-stdin", "--json"], stdin: "anna's long passphrase\n")
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.json["name"] as? String == "anna.k" && first.json["role"] as? String == "admin")
        #expect(first.json["created_by"] as? String == "os:\(login)" && first.json["password"] as? Bool == true)
        #expect(first.json["os_users"] as? [String] == [login])
        #expect(try cli.run(["init", "--json"]).json["has_admin"] as? Bool == true)
        #expect(try audit("SELECT actor, role, action FROM audit_log WHERE action = 'user-add'") == "os:\(login)|bootstrap|user-add")

        // The admin adds accounts; the login maps to one account, so it needs no --as.
        let added = try cli.run(["users", "add", "lee.m", "--role", "lead", "--password-stdin", "--json"], stdin: "lee's long passphrase\n")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.json["os_users"] as? [String] == [])
        #expect(try cli.run(["users", "add", "pbx1-upload", "--role", "ingest"]).status == 0)
        let badRole = try cli.run(["users", "add", "kim.s", "--role", "boss"])
        #expect(badRole.status == 2 && badRole.stderr.contains("unknown role 'boss'") && !badRole.stderr.contains("--role is gone"))
        let weak = try cli.run(["users", "add", "kim.s", "--role", "lead", "--password-stdin"], stdin: "short\n")
        #expect(weak.status == 1 && weak.stderr.contains("at least 12 characters"))

        // A token is printed once; only its hash is kept.
        let token = try cli.run(["users", "token", "pbx1-upload", "--json"])
        #expect(token.status == 0, "\(token.stderr)")
        let plaintext = try #require(token.json["token"] as? String)
        #expect(plaintext.hasPrefix("cv_") && token.json["kind"] as? String == "ingest")
        let index = try Data(contentsOf: folder.path("archive/index.sqlite"))
            + ((try? Data(contentsOf: folder.path("archive/index.sqlite-wal"))) ?? Data())
        for secret in [plaintext, "anna's long passphrase", "lee's long passphrase"] {
            #expect(index.range(of: Data(secret.utf8)) == nil)
        }
        let textToken = try cli.run(["users", "token", "lee.m"])
        #expect(textToken.status == 0 && textToken.stdout.hasPrefix("cv_") && textToken.stderr.contains("shown once"))
        let leeToken = textToken.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try cli.run(["users", "token", "nobody.x"]).status == 1)

        // Mapping the login to lee.m too: now it picks with --as.
        let mapped = try cli.run(["users", "map", "lee.m", "--os-user", login, "--json"])
        #expect(mapped.status == 0 && mapped.json["os_users"] as? [String] == [login], "\(mapped.stderr)")
        #expect(try audit("SELECT actor, action, details FROM audit_log WHERE action = 'os-login-map'") == "anna.k|os-login-map|{\"os_user\":\"\(login)\"}")
        let several = try cli.run(["users", "list"])
        #expect(several.status == 1 && several.stderr.contains("mapped to several accounts (anna.k, lee.m): pick one with --as NAME"))
        let list = try cli.run(["users", "list", "--as", "anna.k", "--json"])
        #expect(list.status == 0)
        let users = try #require(list.json["users"] as? [[String: Any]])
        #expect(users.map { $0["name"] as? String } == ["anna.k", "lee.m", "pbx1-upload"])
        #expect(users.map { $0["role"] as? String } == ["admin", "lead", "ingest"])
        #expect(users.map { $0["tokens"] as? Int } == [0, 1, 1])
        #expect(users.map { $0["os_users"] as? [String] } == [[login], [login], []])
        #expect(users.allSatisfy { $0["locked_until"] is NSNull && $0["disabled"] as? Bool == false })
        let byLead = try cli.run(["users", "list", "--as", "lee.m"])
        #expect(byLead.status == 1 && byLead.stderr.contains("lee.m: the lead role may not manage-users"))
        #expect(try audit("SELECT actor, role, action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "lee.m|lead|manage-users|denied")
        let notMapped = try cli.run(["users", "list", "--as", "pbx1-upload"])
        #expect(notMapped.status == 1 && notMapped.stderr.contains("--as pbx1-upload: the OS login \(login) is not mapped to pbx1-upload"))

        // A person sets their own password, never someone else's: --as picks only among one's own accounts.
        #expect(try cli.run(["users", "passwd", "lee.m", "--password-stdin", "--as", "lee.m"], stdin: "lee's own new passphrase\n").status == 0)
        let takeover = try cli.run(["users", "passwd", "anna.k", "--password-stdin", "--as", "lee.m"], stdin: "lee takes over anna\n")
        #expect(takeover.status == 1 && takeover.stderr.contains("may not manage-users"))
        let impersonation = try cli.run(["users", "passwd", "pbx1-upload", "--password-stdin", "--as", "pbx1-upload"], stdin: "a takeover passphrase\n")
        #expect(impersonation.status == 1 && impersonation.stderr.contains("is not mapped to pbx1-upload"))
        // With a token, the token's account acts: lee.m's token cannot act as anna.k.
        let viaToken = try cli.run(["users", "passwd", "anna.k", "--password-stdin"], environment: ["CALLVAULT_TOKEN": leeToken], stdin: "lee takes over anna\n")
        #expect(viaToken.status == 1 && viaToken.stderr.contains("lee.m: the lead role may not manage-users"))
        let wrongPick = try cli.run(["users", "list", "--as", "anna.k"], environment: ["CALLVAULT_TOKEN": leeToken])
        #expect(wrongPick.status == 1 && wrongPick.stderr.contains("CALLVAULT_TOKEN belongs to lee.m, but --as names anna.k"))

        // A role change ends tokens; it is audited with who granted it.
        let role = try cli.run(["users", "role", "lee.m", "compliance", "--reason", "joined the DPO team", "--as", "anna.k", "--json"])
        #expect(role.status == 0, "\(role.stderr)")
        #expect(role.json["previous_role"] as? String == "lead" && role.json["role"] as? String == "compliance")
        #expect(role.json["revoked_tokens"] as? Int == 1)
        #expect(try audit("SELECT actor, action, items, reason FROM audit_log WHERE action = 'user-role'") == "anna.k|user-role|[\"user:lee.m\"]|joined the DPO team")
        #expect(try cli.run(["users", "role", "anna.k", "lead", "--as", "anna.k"]).status == 1, "no self-approval")
        let revoked = try cli.run(["search", "--number", "040 123 4567"], environment: ["CALLVAULT_TOKEN": leeToken])
        #expect(revoked.status == 1 && revoked.stderr.contains("CALLVAULT_TOKEN of lee.m is revoked"))

        // Passwords: only on standard input.
        #expect(try cli.run(["users", "passwd", "lee.m", "--as", "anna.k"]).status == 2)
        #expect(try cli.run(["users", "passwd", "lee.m", "--password-stdin", "--as", "anna.k"], stdin: "\n").status == 1)
        let passwd = try cli.run(["users", "passwd", "lee.m", "--password-stdin", "--as", "anna.k", "--json"], stdin: "lee's newer passphrase\r\n")
        #expect(passwd.status == 0 && passwd.json["user"] as? String == "lee.m")

        // Disabling: the ingest token stops working, with a clear error and nothing changed.
        let disabled = try cli.run(["users", "disable", "pbx1-upload", "--reason", "PBX replaced", "--as", "anna.k", "--json"])
        #expect(disabled.status == 0)
        #expect(disabled.json["disabled"] as? Bool == true && disabled.json["revoked_tokens"] as? Int == 1)
        let gone = try cli.run(["ingest", TestArchive.samples.appendingPathComponent("sms").path], environment: ["CALLVAULT_TOKEN": plaintext])
        #expect(gone.status == 1 && gone.stderr.contains("CALLVAULT_TOKEN of pbx1-upload is revoked"))
        #expect(try audit("SELECT count(*) FROM items") == "0")
        #expect(try cli.run(["users", "token", "pbx1-upload", "--as", "anna.k"]).status == 1)
        #expect(try cli.run(["users", "disable", "anna.k", "--as", "anna.k"]).status == 1)

        // Unmapping: the login then acts as anna.k alone.
        #expect(try cli.run(["users", "unmap", "lee.m", "--os-user", login, "--as", "anna.k"]).status == 0)
        #expect(try cli.run(["users", "list"]).status == 0)
    }

    @Test func theOldDeclaredIdentityGetsAClearError() throws {
        let cli = self.cli
        try cli.initWithAccounts()
        let role = try cli.run(["audit", "verify", "--role", "auditor", "--as", "audra"])
        #expect(role.status == 2 && role.stderr.contains("--role is gone: an account has one role"), "\(role.stderr)")
        for name in ["CALLVAULT_USER", "CALLVAULT_ROLE"] {
            let env = try cli.run(["audit", "verify", "--as", "audra"], environment: [name: "carla"])
            #expect(env.status == 2 && env.stderr.contains("\(name) no longer says who acts: unset it"), "\(env.stderr)")
        }
        #expect(try cli.run(["audit", "verify", "--as", "audra", "--json"]).status == 0)
    }

    @Test func anUnmappedLoginIsToldHowToGetMappedAndChangesNothing() throws {
        let cli = self.cli
        #expect(try cli.run(["init"]).status == 0)
        // An admin whose login is someone else's: the login running the test is not mapped.
        #expect(try cli.run(["users", "add", "anna.k", "--role", "admin", "--password-stdin"], stdin: "anna's long passphrase\n").status == 0)
        try Shell.run("/usr/bin/sqlite3", [folder.path("archive/index.sqlite").path, "UPDATE os_logins SET login = 'anna'"])
        let before = try audit("SELECT count(*) FROM audit_log")
        let refused = try cli.run(["search", "--number", "040 123 4567", "--as", "anna.k"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("the OS login \(login) is not mapped to any account of this archive: an admin maps it with `callvault users map NAME --os-user \(login)`"), "\(refused.stderr)")
        #expect(try audit("SELECT count(*) FROM audit_log") == String(Int(before)! + 1))
        #expect(try audit("SELECT actor, action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "unknown|cli-auth|denied")

        // An upgraded archive (no admin has a login): the admin claims theirs with the password.
        try Shell.run("/usr/bin/sqlite3", [folder.path("archive/index.sqlite").path, "DELETE FROM os_logins"])
        let hint = try cli.run(["users", "list"])
        #expect(hint.stderr.contains("callvault users map ADMIN --os-user \(login) --password-stdin"), "\(hint.stderr)")
        let wrong = try cli.run(["users", "map", "anna.k", "--os-user", login, "--password-stdin"], stdin: "not anna's passphrase\n")
        #expect(wrong.status == 1 && wrong.stderr.contains("wrong password"))
        let claimed = try cli.run(["users", "map", "anna.k", "--os-user", login, "--password-stdin", "--json"], stdin: "anna's long passphrase\n")
        #expect(claimed.status == 0 && claimed.json["os_users"] as? [String] == [login], "\(claimed.stderr)")
        #expect(try cli.run(["users", "list"]).status == 0)
    }
}
