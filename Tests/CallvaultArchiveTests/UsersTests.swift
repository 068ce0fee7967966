import Foundation
import Testing
import CallvaultAccess
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// Issue 5 / R9–R11: personal accounts only, roles granted and revoked with who did it,
/// a revoke ending sessions and tokens at once, secrets stored only as hashes, lockout after
/// failed logins, idle timeout and logout.
@Suite struct UsersTests {
    static let lead = Actor.test("lee.m", .lead)
    static let admin = Actor.test("anna.k", .admin)
    static let password = "correct horse battery staple"

    /// An empty archive opened with a clock the test moves and a fast bcrypt cost.
    func opened() throws -> (TestArchive, Archive, TestClock) {
        let fixture = try TestArchive()
        let clock = TestClock(try Date.ISO8601FormatStyle().parse("2026-05-04T09:00:00Z"))
        return (fixture, try Archive(root: fixture.root, now: { clock.now }, passwordCost: 4), clock)
    }

    /// `opened()` with the admin anna.k and the lead lee.m.
    func withAccounts() throws -> (TestArchive, Archive, TestClock) {
        let (fixture, archive, clock) = try opened()
        try archive.addFirstAdmin("anna.k", role: .admin, password: Self.password, osLogin: "anna", host: "test")
        try archive.addUser("lee.m", role: .lead, password: "lee's own long passphrase", actor: Self.admin)
        return (fixture, archive, clock)
    }

    func lastAudit(_ fixture: TestArchive, _ columns: String = "actor, role, action, items, outcome") throws -> String {
        try fixture.sql("SELECT \(columns) FROM audit_log ORDER BY seq DESC LIMIT 1")
    }

    @Test func theFirstAdminBootstrapsThenOnlyAdminsManageUsers() throws {
        let (fixture, archive, _) = try opened()
        #expect(try !archive.hasEnabledAdmin())
        #expect(throws: ArchiveFailure.self) { try archive.requireEnabledAdmin() }
        // Before any admin exists, the first account must be an admin.
        let notAdmin = #expect(throws: ArchiveFailure.self) {
            try archive.addFirstAdmin("lee.m", role: .lead, password: Self.password, osLogin: "lee", host: "test")
        }
        #expect(notAdmin?.message.contains("callvault users add NAME --role admin --password-stdin") == true)
        #expect(try fixture.sql("SELECT count(*) FROM users") == "0")

        // The first admin is mapped to the OS login that creates it.
        let first = try archive.addFirstAdmin("Anna.K", role: .admin, password: Self.password, osLogin: "anna", host: "test")
        #expect(first.name == "anna.k" && first.role == .admin && first.hasPassword && first.createdBy == "os:anna" && first.osLogins == ["anna"])
        #expect(try lastAudit(fixture, "actor, role, action, items, details") == "os:anna|bootstrap|user-add|[\"user:anna.k\"]|{\"os_user\":\"anna\",\"password\":\"true\",\"role\":\"admin\"}")
        #expect(try archive.hasEnabledAdmin())
        try archive.requireEnabledAdmin()
        #expect(try archive.cliIdentity(osLogin: "anna", token: nil, pick: nil, host: "h") == Actor(Principal(name: "anna.k", role: .admin), origin: "cli:anna@h"))

        // Once an admin exists there is no second bootstrap; the admin adds people and a machine.
        let again = #expect(throws: ArchiveFailure.self) {
            try archive.addFirstAdmin("eve.x", role: .admin, password: Self.password, osLogin: "eve", host: "test")
        }
        #expect(again?.message.contains("has an admin already") == true)
        try archive.addUser("lee.m", role: .lead, password: "lee's own long passphrase", osLogins: ["lee"], actor: Self.admin)
        try archive.addUser("pbx1-upload", role: .ingest, password: nil, actor: Self.admin)
        #expect(try lastAudit(fixture, "actor, action, details") == "anna.k|user-add|{\"password\":\"false\",\"role\":\"ingest\"}")
        // A lead may not manage users; the refusal is audited with the action of the table.
        #expect(throws: ArchiveFailure.self) { try archive.addUser("kim.s", role: .lead, password: Self.password, actor: Self.lead) }
        #expect(try lastAudit(fixture, "actor, role, action, items, outcome") == "lee.m|lead|manage-users|[\"user:kim.s\"]|denied")
        #expect(throws: ArchiveFailure.self) { _ = try archive.listUsers(actor: Self.lead) }
        #expect(try lastAudit(fixture, "actor, role, action, outcome") == "lee.m|lead|manage-users|denied")

        let users = try archive.listUsers(actor: Self.admin)
        #expect(users.map(\.name) == ["anna.k", "lee.m", "pbx1-upload"])
        #expect(users.map(\.role) == [.admin, .lead, .ingest])
        #expect(users.map(\.hasPassword) == [true, true, false])
        #expect(users.map(\.osLogins) == [["anna"], ["lee"], []])
        #expect(users.allSatisfy { !$0.isDisabled && $0.activeTokens == 0 })
        #expect(throws: ArchiveFailure.self) { try archive.addUser("LEE.M", role: .lead, password: Self.password, actor: Self.admin) }
    }

    @Test func peopleNeedAPolicyPasswordAndMachinesHaveNone() throws {
        let (_, archive, _) = try withAccounts()
        for (password, hint) in [(nil as String?, "--password-stdin"), ("short pass", "at least 12"),
                                 ("kim.s-is-my-password", "account name"), ("aaaaaaaaaaaaaaaa", "too few"),
                                 (String(repeating: "long words ", count: 7), "72 bytes")] {
            let refused = #expect(throws: ArchiveFailure.self) { try archive.addUser("kim.s", role: .compliance, password: password, actor: Self.admin) }
            #expect(refused?.kind == .badInput)
            #expect(refused?.message.contains(hint) == true, "\(refused?.message ?? "")")
        }
        #expect(throws: ArchiveFailure.self) { try archive.addUser("pbx2-upload", role: .ingest, password: Self.password, actor: Self.admin) }
        #expect(try archive.listUsers(actor: Self.admin).map(\.name) == ["anna.k", "lee.m"])
    }

    @Test(arguments: ["admin", "root", "support", "test", "shared", "user", "Admin2", "helpdesk", "guest", "compliance"])
    func genericAccountNamesAreRefused(name: String) throws {
        let (fixture, archive, _) = try withAccounts()
        let refused = #expect(throws: ArchiveFailure.self) { try archive.addUser(name, role: .lead, password: Self.password, actor: Self.admin) }
        #expect(refused?.kind == .badInput)
        #expect(refused?.message.contains("shared or generic") == true)
        #expect(try fixture.sql("SELECT count(*) FROM users") == "2")
    }

    @Test func badAccountNamesAreRefused() throws {
        let (_, archive, _) = try withAccounts()
        for name in ["", "a", "1anna", "anna k", "anna;drop", "svc:ingest", String(repeating: "x", count: 65)] {
            let refused = #expect(throws: ArchiveFailure.self) { try archive.addUser(name, role: .lead, password: Self.password, actor: Self.admin) }
            #expect(refused?.message.contains("not a valid account name") == true)
        }
    }

    @Test func passwordsAreBcryptHashedAndTokensAndSessionsStoredOnlyAsDigests() throws {
        let (fixture, archive, _) = try withAccounts()
        try archive.addUser("pbx1-upload", role: .ingest, password: nil, actor: Self.admin)
        let hash = try fixture.sql("SELECT password_hash FROM users WHERE name = 'anna.k'")
        #expect(hash.hasPrefix("$2b$04$") && hash.count == 60)
        #expect(PasswordHasher(cost: 4).verify(Self.password, hash: hash))
        #expect(!PasswordHasher(cost: 4).verify(Self.password + "!", hash: hash))
        #expect(try fixture.sql("SELECT password_hash IS NULL FROM users WHERE name = 'pbx1-upload'") == "1")

        let issued = try archive.issueToken(for: "pbx1-upload", actor: Self.admin)
        #expect(issued.kind == .ingest && issued.token.hasPrefix("cv_") && issued.token.count == 46)
        let person = try archive.issueToken(for: "lee.m", actor: Self.admin)
        #expect(person.kind == .person && person.token != issued.token)
        #expect(try fixture.sql("SELECT digest FROM tokens ORDER BY id") == [issued.token, person.token].map(Secrets.digest).joined(separator: "\n"))
        #expect(try lastAudit(fixture, "actor, action, items, details") == "anna.k|token-issue|[\"user:lee.m\",\"token-2\"]|{\"kind\":\"person\",\"role\":\"lead\"}")
        let session = try archive.login(name: "anna.k", password: Self.password, origin: "10.0.0.7")

        // Nothing secret is anywhere in the index files, audit log included.
        var files = Data()
        for name in try FileManager.default.contentsOfDirectory(atPath: fixture.root.path) where name.hasPrefix("index.sqlite") {
            files.append(try Data(contentsOf: fixture.root.appendingPathComponent(name)))
        }
        #expect(!files.isEmpty)
        for secret in [Self.password, "lee's own long passphrase", issued.token, person.token, session.id,
                       String(issued.token.dropFirst(3)), String(session.id.prefix(20))] {
            #expect(files.range(of: Data(secret.utf8)) == nil, "a secret is stored in plaintext")
        }
    }

    @Test func tokensAuthenticateTheirAccountWithItsCurrentRole() throws {
        let (fixture, archive, clock) = try withAccounts()
        try archive.addUser("pbx1-upload", role: .ingest, password: nil, actor: Self.admin)
        let ingest = try archive.issueToken(for: "pbx1-upload", actor: Self.admin)
        let lead = try archive.issueToken(for: "lee.m", actor: Self.admin)
        #expect(try archive.authenticate(token: ingest.token) == Principal(name: "pbx1-upload", role: .ingest))
        #expect(try archive.authenticate(token: lead.token) == Principal(name: "lee.m", role: .lead))
        #expect(try archive.authenticate(token: lead.token)?.may(.search) == true)
        #expect(try archive.authenticate(token: ingest.token)?.may(.search) == false)
        #expect(try fixture.sql("SELECT last_used_at FROM tokens WHERE id = 2") == String(Int(clock.now.timeIntervalSince1970)))
        #expect(try archive.listUsers(actor: Self.admin).first { $0.name == "lee.m" }?.lastTokenUse == clock.now)
        #expect(Actor(Principal(name: "lee.m", role: .lead), origin: "http@10.0.0.7") == Actor.test("lee.m", .lead, origin: "http@10.0.0.7"))
        for wrong in ["", "cv_", "Bearer " + lead.token, lead.token + "x", String(lead.token.dropLast()) + (lead.token.hasSuffix("A") ? "B" : "A"), "cv_" + String(repeating: "A", count: 43)] {
            #expect(try archive.authenticate(token: wrong) == nil, "\(wrong.prefix(10))")
        }
        #expect(throws: ArchiveFailure.self) { _ = try archive.issueToken(for: "nobody.x", actor: Self.admin) }
        #expect(throws: ArchiveFailure.self) { _ = try archive.issueToken(for: "lee.m", actor: Actor.test("lee.m", .lead)) }
    }

    @Test func aRoleChangeIsAuditedWithItsGrantorAndEndsSessionsAndTokensAtOnce() throws {
        let (fixture, archive, clock) = try withAccounts()
        try archive.addUser("ben.o", role: .admin, password: "ben's own long passphrase", actor: Self.admin)
        let token = try archive.issueToken(for: "lee.m", actor: Self.admin)
        let session = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "10.0.0.8")
        #expect(try archive.session(id: session.id) == Principal(name: "lee.m", role: .lead))
        #expect(try archive.isValidCSRF(session.csrf, session: session.id))

        clock.advance(days: 1)
        let change = try archive.setRole("lee.m", to: .compliance, reason: "moved to the DPO team", actor: Self.admin)
        #expect(change.previousRole == .lead && change.user.role == .compliance)
        #expect(change.endedSessions == 1 && change.revokedTokens == 1)
        #expect(change.user.roleGrantedBy == "anna.k" && change.user.roleGranted == clock.now)
        #expect(try lastAudit(fixture, "actor, role, action, items, reason") == "anna.k|admin|user-role|[\"user:lee.m\"]|moved to the DPO team")
        let details = try fixture.sql("SELECT details FROM audit_log ORDER BY seq DESC LIMIT 1")
        #expect(details.contains("\"grant\":\"compliance\"") && details.contains("\"revoke\":\"lead\""))
        // Immediately: neither the old session nor the old token acts any more, in any role.
        #expect(try archive.session(id: session.id) == nil)
        #expect(try archive.authenticate(token: token.token) == nil)
        #expect(try !archive.isValidCSRF(session.csrf, session: session.id))
        // A new login acts in the new role.
        let again = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "10.0.0.8")
        #expect(again.principal.role == .compliance)

        // Self-approval and removing the last admin are refused (audited).
        #expect(throws: ArchiveFailure.self) { _ = try archive.setRole("anna.k", to: .compliance, actor: Self.admin) }
        #expect(try lastAudit(fixture, "actor, action, outcome") == "anna.k|user-role|denied")
        _ = try archive.disableUser("ben.o", actor: Self.admin)
        let last = #expect(throws: ArchiveFailure.self) { _ = try archive.setRole("anna.k", to: .lead, actor: Actor.test("ben.o", .admin)) }
        #expect(last?.message.contains("only enabled admin") == true)
        #expect(throws: ArchiveFailure.self) { _ = try archive.setRole("lee.m", to: .compliance, actor: Self.admin) }
        #expect(throws: ArchiveFailure.self) { _ = try archive.setRole("lee.m", to: .ingest, actor: Self.admin) }
    }

    @Test func disablingEndsSessionsAndTokensAndRefusesLogins() throws {
        let (fixture, archive, _) = try withAccounts()
        let token = try archive.issueToken(for: "lee.m", actor: Self.admin)
        let first = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "a")
        let second = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "b")
        let change = try archive.disableUser("lee.m", reason: "left the company", actor: Self.admin)
        #expect(change.user.isDisabled && change.endedSessions == 2 && change.revokedTokens == 1)
        #expect(try lastAudit(fixture, "actor, action, items, reason") == "anna.k|user-disable|[\"user:lee.m\"]|left the company")
        #expect(try archive.session(id: first.id) == nil && archive.session(id: second.id) == nil)
        #expect(try archive.authenticate(token: token.token) == nil)
        #expect(throws: ArchiveFailure.self) { _ = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "a") }
        #expect(throws: ArchiveFailure.self) { _ = try archive.issueToken(for: "lee.m", actor: Self.admin) }
        #expect(throws: ArchiveFailure.self) { _ = try archive.disableUser("anna.k", actor: Self.admin) }

        // Enabling again lets the person log in, but old tokens stay revoked.
        _ = try archive.enableUser("lee.m", actor: Self.admin)
        #expect(try archive.authenticate(token: token.token) == nil)
        #expect(try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "a").principal.name == "lee.m")
    }

    @Test func fiveFailedLoginsLockTheAccountForFifteenMinutes() throws {
        let (fixture, archive, clock) = try withAccounts()
        for attempt in 1...4 {
            let refused = #expect(throws: ArchiveFailure.self) { _ = try archive.login(name: "lee.m", password: "wrong guess \(attempt)", origin: "10.9.9.9") }
            #expect(refused?.message == Archive.loginRefusal)
        }
        #expect(try fixture.sql("SELECT failed_logins, locked_until IS NULL FROM users WHERE name = 'lee.m'") == "4|1")
        let fifth = #expect(throws: ArchiveFailure.self) { _ = try archive.login(name: "lee.m", password: "wrong guess 5", origin: "10.9.9.9") }
        // The lockout is not announced: the answer is the one every failed login gets.
        #expect(fifth?.message == Archive.loginRefusal, "\(fifth?.message ?? "")")
        #expect(try fixture.sql("SELECT locked_until FROM users WHERE name = 'lee.m'") == String(Int(clock.now.timeIntervalSince1970) + 900))
        #expect(try fixture.sql("SELECT action, outcome, reason, origin FROM audit_log WHERE action LIKE 'login%' ORDER BY seq DESC LIMIT 2")
                == "login-lockout|denied|5 failed logins|10.9.9.9\nlogin-failed|denied|wrong password|10.9.9.9")
        #expect(try fixture.sql("SELECT count(*) FROM audit_log WHERE action = 'login-failed' AND actor = 'lee.m'") == "5")

        // Locked: even the right password is refused, for 15 minutes.
        clock.advance(days: 14.0 / 1440)
        let locked = #expect(throws: ArchiveFailure.self) { _ = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "10.0.0.8") }
        // The same answer as a wrong password or an unknown name: nothing confirms the account exists.
        #expect(locked?.message == Archive.loginRefusal)
        #expect(try lastAudit(fixture, "action, reason") == "login-failed|locked")
        // Passing `now` explicitly works the same way.
        #expect(throws: ArchiveFailure.self) {
            _ = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "x", now: clock.now.addingTimeInterval(59))
        }
        clock.advance(days: 1.0 / 1440)
        let session = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "10.0.0.8")
        #expect(session.principal == Principal(name: "lee.m", role: .lead))
        #expect(try fixture.sql("SELECT failed_logins, locked_until IS NULL, last_login_at FROM users WHERE name = 'lee.m'")
                == "0|1|\(Int(clock.now.timeIntervalSince1970))")
        #expect(try lastAudit(fixture, "actor, role, action, outcome, origin") == "lee.m|lead|login|allowed|10.0.0.8")

        // Unknown names fail the same way and are audited without the typed name.
        let unknown = #expect(throws: ArchiveFailure.self) { _ = try archive.login(name: "secret-typo", password: "x", origin: "o") }
        #expect(unknown?.message == Archive.loginRefusal)
        #expect(try lastAudit(fixture, "actor, action, items, reason") == "unknown|login-failed|[]|unknown account")
    }

    @Test func anAdminPasswordResetClearsALockAndEndsSessions() throws {
        let (fixture, archive, _) = try withAccounts()
        let old = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "a")
        for _ in 1...5 { _ = try? archive.login(name: "lee.m", password: "nope nope nope", origin: "a") }
        #expect(try fixture.sql("SELECT locked_until IS NOT NULL FROM users WHERE name = 'lee.m'") == "1")
        try archive.setPassword("lee.m", password: "a brand new passphrase", actor: Self.admin)
        #expect(try lastAudit(fixture, "actor, action, items, details") == "anna.k|user-passwd|[\"user:lee.m\"]|{\"sessions-ended\":\"1\"}")
        #expect(try archive.session(id: old.id) == nil)
        #expect(throws: ArchiveFailure.self) { _ = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "a") }
        _ = try archive.login(name: "lee.m", password: "a brand new passphrase", origin: "a")
        // A person may change their own password, but not someone else's.
        try archive.setPassword("lee.m", password: "lee changes it again", actor: Actor.test("lee.m", .lead))
        #expect(throws: ArchiveFailure.self) { try archive.setPassword("anna.k", password: "lee takes over anna", actor: Actor.test("lee.m", .lead)) }
        #expect(throws: ArchiveFailure.self) { try archive.setPassword("lee.m", password: "short", actor: Self.admin) }
    }

    @Test func idleSessionsEndAndLogoutEndsOne() throws {
        let (fixture, archive, clock) = try withAccounts()
        let session = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "10.0.0.8")
        #expect(session.id != session.csrf && session.id.count == 43 && session.csrf.count == 43)
        #expect(try archive.csrfToken(session: session.id) == session.csrf)
        #expect(try !archive.isValidCSRF(String(session.csrf.dropLast()) + "x", session: session.id))

        // Activity keeps it alive: 29 minutes, then 29 more, each restarting the idle clock.
        clock.advance(days: 29.0 / 1440)
        #expect(try archive.session(id: session.id)?.name == "lee.m")
        clock.advance(days: 29.0 / 1440)
        #expect(try archive.session(id: session.id)?.name == "lee.m")
        // 31 idle minutes end it (audited), for good.
        clock.advance(days: 31.0 / 1440)
        #expect(try archive.session(id: session.id) == nil)
        #expect(try lastAudit(fixture, "actor, action, reason, origin") == "lee.m|session-expire|idle timeout|10.0.0.8")
        #expect(try archive.session(id: session.id, now: clock.now.addingTimeInterval(-3600)) == nil)
        #expect(try fixture.sql("SELECT revoke_reason FROM sessions") == "idle")
        // A shorter idle timeout can be asked for.
        let short = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "b")
        #expect(try archive.session(id: short.id, now: clock.now.addingTimeInterval(301), idleTimeout: 300) == nil)

        let other = try archive.login(name: "lee.m", password: "lee's own long passphrase", origin: "c")
        #expect(try archive.logout(sessionID: other.id))
        #expect(try lastAudit(fixture, "actor, action, origin") == "lee.m|logout|c")
        #expect(try archive.session(id: other.id) == nil)
        #expect(try archive.csrfToken(session: other.id) == nil)
        #expect(try !archive.logout(sessionID: other.id), "logging out twice changes nothing")
        #expect(try archive.session(id: "not-a-session") == nil)
    }

    @Test func ingestAccountsCannotLogIn() throws {
        let (_, archive, _) = try withAccounts()
        try archive.addUser("pbx1-upload", role: .ingest, password: nil, actor: Self.admin)
        #expect(throws: ArchiveFailure.self) { _ = try archive.login(name: "pbx1-upload", password: "", origin: "a") }
        #expect(throws: ArchiveFailure.self) { try archive.setPassword("pbx1-upload", password: Self.password, actor: Self.admin) }
    }
}
