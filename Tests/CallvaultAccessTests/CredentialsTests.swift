import Foundation
import Testing
@testable import CallvaultAccess

/// Issue 5: bcrypt hashes, the password policy, token and session secrets and their digests,
/// and the account-name rules of R10.
@Suite struct CredentialsTests {
    @Test func bcryptHashesAreSaltedAndVerify() {
        let hasher = PasswordHasher(cost: 4)
        let first = hasher.hash("correct horse battery staple")
        let second = hasher.hash("correct horse battery staple")
        #expect(first.hasPrefix("$2b$04$") && first.count == 60)
        #expect(first != second, "each hash has its own salt")
        #expect(hasher.verify("correct horse battery staple", hash: first) && hasher.verify("correct horse battery staple", hash: second))
        #expect(!hasher.verify("correct horse battery stapler", hash: first))
        #expect(!hasher.verify("correct horse battery staple", hash: "not a hash"))
        #expect(PasswordHasher().cost == 12 && PasswordHasher(cost: 1).cost == 4 && PasswordHasher(cost: 99).cost == 31)
        #expect(PasswordHasher(cost: 5).hash("another passphrase").hasPrefix("$2b$05$"))
    }

    @Test func thePasswordPolicyExplainsWhatToChange() throws {
        try PasswordPolicy.check("twelve chars", account: "anna.k")
        try PasswordPolicy.check("pää ja häntä mukana", account: "anna.k")
        #expect(throws: AccessError.self) { try PasswordPolicy.check("eleven char", account: "anna.k") }
        #expect(throws: AccessError.self) { try PasswordPolicy.check(String(repeating: "ab cd ", count: 13), account: "anna.k") }
        #expect(throws: AccessError.self) { try PasswordPolicy.check("my name is ANNA.K!", account: "anna.k") }
        #expect(throws: AccessError.self) { try PasswordPolicy.check("abababababababab", account: "anna.k") }
        do {
            try PasswordPolicy.check("short", account: "x1")
            Issue.record("a short password passed")
        } catch {
            #expect(error.description.contains("at least 12 characters (this one has 5)"))
        }
    }

    @Test func tokensAndSessionIdsAreRandomURLSafeAndDigestedWithSHA256() {
        let tokens = (0..<200).map { _ in Secrets.newToken() }
        #expect(Set(tokens).count == 200)
        let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for token in tokens {
            #expect(token.hasPrefix("cv_") && token.count == 46)
            #expect(token.dropFirst(3).allSatisfy { alphabet.contains($0) })
        }
        let session = Secrets.newSessionID(), csrf = Secrets.newCSRFToken()
        #expect(session.count == 43 && csrf.count == 43 && session != csrf)
        // SHA-256 test vector (FIPS 180-2, "abc").
        #expect(Secrets.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Secrets.digest(tokens[0]).count == 64 && Secrets.digest(tokens[0]) != Secrets.digest(tokens[1]))
        #expect(Secrets.constantTimeEquals(csrf, csrf))
        #expect(!Secrets.constantTimeEquals(csrf, String(csrf.dropLast())) && !Secrets.constantTimeEquals(csrf, session))
    }

    @Test func accountNamesArePersonalOrServiceIds() throws {
        #expect(try AccountName.validate("Anna.K") == "anna.k")
        #expect(try AccountName.validate(" pbx1-upload ") == "pbx1-upload")
        #expect(try AccountName.validate("administrator.kallio") == "administrator.kallio", "a person's id may start with a generic word")
        for generic in ["admin", "ROOT", "support", "test", "shared", "user", "admin2", "test_01", "guest", "helpdesk"] {
            #expect(throws: AccessError.genericAccountName(generic.lowercased())) { _ = try AccountName.validate(generic) }
        }
        for invalid in ["", "a", "9lives", "anna k", "anna@example.com", "svc:spool", String(repeating: "a", count: 65)] {
            #expect(throws: AccessError.self) { _ = try AccountName.validate(invalid) }
        }
        #expect(AccessError.genericAccountName("root").description.contains("one person or one named machine"))
    }

    @Test func principalsMayWhatTheirRoleMay() {
        for role in Role.allCases {
            for action in Action.allCases {
                #expect(Principal(name: "x.y", role: role).may(action) == PermissionTable.allows(role, action))
            }
        }
        #expect(Role.personRoles == [.admin, .compliance, .lead, .auditor])
    }
}
