import Foundation
import Testing
import CallvaultAccess
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// Issue 16: on the command line the acting account is proven (the OS login's mapping, or a
/// token), never declared; every refusal is clear, audited, and changes nothing else.
@Suite struct CLIIdentityTests {
    static let password = "correct horse battery staple"
    static let admin = Actor.test("ann.admin", .admin)

    /// An archive with ann.admin (mapped to `ann` by the bootstrap) and ann (lead, also
    /// mapped to `ann`), and cid (compliance, mapped to `cid`).
    func archive() throws -> (TestArchive, Archive) {
        let fixture = try TestArchive()
        let archive = try Archive(root: fixture.root, passwordCost: 4)
        try archive.addFirstAdmin("ann.admin", role: .admin, password: Self.password, osLogin: "ann", host: "h")
        try archive.addUser("ann", role: .lead, password: "a lead's own passphrase", osLogins: ["ann"], actor: Self.admin)
        try archive.addUser("cid", role: .compliance, password: "a compliance passphrase", osLogins: ["cid"], actor: Self.admin)
        return (fixture, archive)
    }

    func refusal(_ archive: Archive, login: String, token: String? = nil, pick: String? = nil) -> String {
        do {
            let actor = try archive.cliIdentity(osLogin: login, token: token, pick: pick, host: "h")
            return "acted as \(actor.name)"
        } catch {
            return (error as? ArchiveFailure)?.message ?? "\(error)"
        }
    }

    func lastAudit(_ fixture: TestArchive) throws -> String {
        try fixture.sql("SELECT actor, action, outcome, json_extract(details, '$.os_user') FROM audit_log ORDER BY seq DESC LIMIT 1")
    }

    @Test func aLoginMappedToOneAccountActsAsItAndNeedsNoAs() throws {
        let (_, archive) = try archive()
        let cid = try archive.cliIdentity(osLogin: "cid", token: nil, pick: nil, host: "h")
        #expect(cid == Actor(Principal(name: "cid", role: .compliance), origin: "cli:cid@h"))
        #expect(try archive.cliIdentity(osLogin: "cid", token: nil, pick: "CID", host: "h") == cid)
    }

    @Test func aLoginMappedToSeveralAccountsPicksOneWithAs() throws {
        let (fixture, archive) = try archive()
        let message = refusal(archive, login: "ann")
        #expect(message.contains("mapped to several accounts (ann, ann.admin): pick one with --as NAME"), "\(message)")
        #expect(try lastAudit(fixture) == "unknown|cli-auth|denied|ann")
        #expect(try archive.cliIdentity(osLogin: "ann", token: nil, pick: "ann", host: "h").role == "lead")
        #expect(try archive.cliIdentity(osLogin: "ann", token: nil, pick: "ann.admin", host: "h").role == "admin")
    }

    @Test func asMayNotNameAnAccountTheLoginIsNotMappedTo() throws {
        let (fixture, archive) = try archive()
        let message = refusal(archive, login: "ann", pick: "cid")
        #expect(message.contains("--as cid: the OS login ann is not mapped to cid (it is mapped to ann, ann.admin)"), "\(message)")
        #expect(try lastAudit(fixture) == "unknown|cli-auth|denied|ann")
    }

    @Test func anUnmappedLoginIsToldHowToGetMapped() throws {
        let (fixture, archive) = try archive()
        let before = try fixture.sql("SELECT count(*) FROM users")
        let message = refusal(archive, login: "mallory", pick: "ann.admin")
        #expect(message.contains("the OS login mallory is not mapped to any account of this archive: an admin maps it with `callvault users map NAME --os-user mallory`"), "\(message)")
        #expect(message.contains("--as no longer names who acts"))
        #expect(!message.contains("claims"), "the archive's admin has an OS login")
        #expect(try lastAudit(fixture) == "unknown|cli-auth|denied|mallory")
        #expect(try fixture.sql("SELECT count(*) FROM users") == before)
    }

    @Test func anArchiveWithoutAdminSaysHowToCreateTheFirst() throws {
        let fixture = try TestArchive()
        let message = refusal(fixture.archive, login: "ann")
        #expect(message.contains("no admin yet: create the first one with `callvault users add NAME --role admin --password-stdin`"), "\(message)")
    }

    @Test func aMappedButDisabledAccountIsRefused() throws {
        let (fixture, archive) = try archive()
        _ = try archive.disableUser("cid", reason: "left", actor: Self.admin)
        let message = refusal(archive, login: "cid")
        #expect(message.contains("the account cid is disabled"), "\(message)")
        #expect(try lastAudit(fixture) == "cid|cli-auth|denied|cid")
    }

    @Test func aTokenActsAsItsAccountAndNothingElse() throws {
        let (fixture, archive) = try archive()
        let token = try archive.issueToken(for: "cid", actor: Self.admin).token
        // Any OS login, mapped or not, acts as the token's account.
        let actor = try archive.cliIdentity(osLogin: "mallory", token: token, pick: nil, host: "h")
        #expect(actor == Actor(Principal(name: "cid", role: .compliance), origin: "cli-token:mallory@h"))
        #expect(try archive.cliIdentity(osLogin: "ann", token: token, pick: "cid", host: "h") == Actor(Principal(name: "cid", role: .compliance), origin: "cli-token:ann@h"))
        #expect(refusal(archive, login: "ann", token: token, pick: "ann").contains("CALLVAULT_TOKEN belongs to cid, but --as names ann"))
        #expect(refusal(archive, login: "ann", token: "cv_" + String(repeating: "x", count: 43)).contains("not a token of this archive"))
        #expect(try lastAudit(fixture) == "unknown|cli-auth|denied|ann")
    }

    @Test func aRevokedTokenAndATokenOfADisabledAccountAreRefused() throws {
        let (fixture, archive) = try archive()
        let first = try archive.issueToken(for: "cid", actor: Self.admin).token
        _ = try archive.setRole("cid", to: .lead, actor: Self.admin)  // revokes cid's tokens
        #expect(refusal(archive, login: "x", token: first).contains("CALLVAULT_TOKEN of cid is revoked"))
        #expect(try lastAudit(fixture) == "cid|cli-auth|denied|x")
        let second = try archive.issueToken(for: "cid", actor: Self.admin).token
        try fixture.sql("UPDATE users SET disabled = 1 WHERE name = 'cid'")  // disabled without revoking, as an old archive might hold
        #expect(refusal(archive, login: "x", token: second).contains("CALLVAULT_TOKEN belongs to cid, whose account is disabled"))
    }

    @Test func mappingsAreChangedByAnAdminOnlyAndAudited() throws {
        let (fixture, archive) = try archive()
        let lead = try archive.cliIdentity(osLogin: "ann", token: nil, pick: "ann", host: "h")
        #expect(throws: ArchiveFailure.self) { _ = try archive.mapOSLogin("ann", to: "cid", actor: lead) }
        #expect(try fixture.sql("SELECT actor, action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "ann|manage-users|denied")
        let mapped = try archive.mapOSLogin("bob", to: "cid", actor: Self.admin)
        #expect(mapped.osLogins == ["bob", "cid"])
        #expect(try fixture.sql("SELECT actor, action, items, details FROM audit_log ORDER BY seq DESC LIMIT 1")
                == "ann.admin|os-login-map|[\"user:cid\"]|{\"os_user\":\"bob\"}")
        #expect(try archive.cliIdentity(osLogin: "bob", token: nil, pick: nil, host: "h").name == "cid")
        #expect(throws: ArchiveFailure.self) { _ = try archive.mapOSLogin("bob", to: "cid", actor: Self.admin) }
        _ = try archive.unmapOSLogin("bob", from: "cid", actor: Self.admin)
        #expect(try fixture.sql("SELECT action FROM audit_log ORDER BY seq DESC LIMIT 1") == "os-login-unmap")
        #expect(refusal(archive, login: "bob").contains("not mapped to any account"))
        #expect(throws: ArchiveFailure.self) { _ = try archive.mapOSLogin("-rf", to: "cid", actor: Self.admin) }
    }

    @Test func anUpgradedArchivesAdminClaimsTheirLoginWithTheirPassword() throws {
        let (fixture, archive) = try archive()
        // As after the v14 upgrade: accounts, no mappings.
        try fixture.sql("DELETE FROM os_logins")
        let message = refusal(archive, login: "ann")
        #expect(message.contains("claims their account once with `callvault users map ADMIN --os-user ann --password-stdin`"), "\(message)")
        #expect(throws: ArchiveFailure.self) { _ = try archive.claimAdmin("ann", password: "a lead's own passphrase", osLogin: "ann", host: "h") }
        let wrong = #expect(throws: ArchiveFailure.self) { _ = try archive.claimAdmin("ann.admin", password: "not the password", osLogin: "ann", host: "h") }
        #expect(wrong?.message == "wrong password for ann.admin")
        #expect(try fixture.sql("SELECT failed_logins FROM users WHERE name = 'ann.admin'") == "1")
        let claimed = try archive.claimAdmin("ann.admin", password: Self.password, osLogin: "ann", host: "h")
        #expect(claimed.osLogins == ["ann"])
        #expect(try fixture.sql("SELECT actor, action, details FROM audit_log ORDER BY seq DESC LIMIT 1") == "ann.admin|os-login-claim|{\"os_user\":\"ann\"}")
        #expect(try archive.cliIdentity(osLogin: "ann", token: nil, pick: nil, host: "h").name == "ann.admin")
        // Once an admin has a login, claims are over: admins map.
        #expect(throws: ArchiveFailure.self) { _ = try archive.claimAdmin("ann.admin", password: Self.password, osLogin: "eve", host: "h") }
    }

    @Test func aRefusedUseCaseIsAuditedAndChangesNothing() throws {
        let fixture = try TestArchive.withSamples()
        let lead = fixture.lead
        let refused = #expect(throws: ArchiveFailure.self) {
            _ = try fixture.archive.placeHold(HoldRequest(caseName: "c", reason: "r", customers: ["C001"]), actor: lead)
        }
        #expect(refused?.kind == .refused)
        #expect(refused?.message == "tester.lead: the lead role may not place-hold (allowed: compliance)")
        #expect(try fixture.sql("SELECT actor, role, action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "tester.lead|lead|place-hold|denied")
        #expect(try fixture.sql("SELECT count(*) FROM holds") == "0")
        // A job's identity may take only its own action.
        #expect(throws: ArchiveFailure.self) { _ = try fixture.archive.search(SearchQuery(number: "040 123 4567"), actor: Archive.spoolActor) }
        #expect(try fixture.sql("SELECT actor, role, action, outcome FROM audit_log ORDER BY seq DESC LIMIT 1") == "svc:spool|service|search|denied")
        #expect(throws: ArchiveFailure.self) { _ = try fixture.archive.ingest([TestArchive.samples.appendingPathComponent("sms")], actor: Archive.expiryActor) }
    }
}
