import Foundation
import Crypto
import HummingbirdBcrypt

/// Hashes and checks passwords with bcrypt (salted, slow; hummingbird-auth's `HummingbirdBcrypt`).
/// Cost 12 takes about 270 ms in a release build: hash once at login, never per request.
public struct PasswordHasher: Sendable, Equatable {
    /// The cost used in production (2^12 rounds).
    public static let productionCost: UInt8 = 12
    /// The lowest cost bcrypt accepts; for tests only.
    public static let minimumCost: UInt8 = 4

    /// log2 of the number of bcrypt rounds.
    public let cost: UInt8

    /// A hasher with `cost` clamped to bcrypt's range 4...31 (tests pass a low cost to run fast).
    public init(cost: UInt8 = PasswordHasher.productionCost) {
        self.cost = min(max(cost, Self.minimumCost), 31)
    }

    /// A new salted bcrypt hash of `password` (`$2b$<cost>$…`, 60 characters).
    public func hash(_ password: String) -> String {
        Bcrypt.hash(password, cost: cost)
    }

    /// Whether `password` matches `hash`; false for a malformed hash.
    public func verify(_ password: String, hash: String) -> Bool {
        guard hash.hasPrefix("$2"), hash.utf8.count == 60 else { return false }
        return Bcrypt.verify(password, hash: hash)
    }
}

/// What a password must be (issue 5): at least 12 characters, at most 72 bytes (bcrypt ignores
/// anything longer, so a longer one would be silently truncated), not the account name.
public enum PasswordPolicy {
    /// The fewest characters a password may have.
    public static let minimumLength = 12
    /// The most UTF-8 bytes bcrypt reads.
    public static let maximumBytes = 72

    /// Refuses a password that breaks the policy, saying what to change.
    public static func check(_ password: String, account: String) throws(AccessError) {
        if password.count < minimumLength {
            throw .weakPassword("a password needs at least \(minimumLength) characters (this one has \(password.count)); a passphrase of a few words works well")
        }
        if password.utf8.count > maximumBytes {
            throw .weakPassword("a password may be at most \(maximumBytes) bytes (bcrypt ignores the rest); use a shorter passphrase")
        }
        if password.lowercased().contains(account.lowercased()) {
            throw .weakPassword("the password must not contain the account name")
        }
        if Set(password).count < 4 {
            throw .weakPassword("the password repeats too few characters; use a passphrase of a few words")
        }
    }
}

/// Random secrets and their digests: API tokens, session ids, CSRF tokens. Only digests of
/// tokens and session ids are stored, so a copy of the index reveals none of them.
public enum Secrets {
    /// The prefix of every API token, so a leaked one is recognisable (secret scanners, logs).
    public static let tokenPrefix = "cv_"

    /// `count` random bytes from the system's cryptographic generator, URL-safe base64 without padding.
    public static func randomString(bytes count: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return base64URL(bytes)
    }

    /// A new API token: `cv_` and 32 random bytes, URL-safe base64 (46 characters).
    public static func newToken() -> String { tokenPrefix + randomString() }

    /// A new session id (32 random bytes).
    public static func newSessionID() -> String { randomString() }

    /// A new CSRF token (32 random bytes).
    public static func newCSRFToken() -> String { randomString() }

    /// The SHA-256 of `secret` in lowercase hex: what is stored for a token or a session id.
    public static func digest(_ secret: String) -> String {
        SHA256.hash(data: Data(secret.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Compares two secrets in time independent of where they differ (CSRF checks).
    public static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Account names (R10): personal or service ids only, never shared or generic ones.
public enum AccountName {
    /// Names that would be shared or impersonal, refused with or without trailing digits.
    public static let generic: Set<String> = [
        "admin", "administrator", "root", "superuser", "sysadmin", "support", "helpdesk", "test", "testing", "demo",
        "shared", "user", "users", "guest", "anonymous", "default", "operator", "service", "system", "callvault",
        "team", "office", "staff", "info", "compliance", "lead", "auditor", "ingest", "dpo", "manager", "everyone",
    ]

    /// The canonical (lowercase) form of `name` if it is a valid personal or service id.
    ///
    /// Valid: 2–64 characters, lowercase letters, digits, `.`, `-`, `_`, starting with a letter;
    /// not a generic name such as admin, root, support, test, shared or user (also with digits
    /// appended, e.g. `admin2`).
    public static func validate(_ name: String) throws(AccessError) -> String {
        let canonical = name.trimmingCharacters(in: .whitespaces).lowercased()
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789.-_")
        guard (2...64).contains(canonical.count), canonical.allSatisfy({ allowed.contains($0) }),
              let first = canonical.first, first.isLetter else {
            throw .invalidAccountName(String(name.prefix(64)))
        }
        var stem = canonical
        while let last = stem.last, last.isNumber || last == "-" || last == "_" || last == "." { stem.removeLast() }
        if generic.contains(stem) { throw .genericAccountName(canonical) }
        return canonical
    }
}
