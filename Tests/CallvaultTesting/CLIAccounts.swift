public import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Accounts for tests that run the built binary (issue 16): callvault acts as the account the
/// OS login running it is mapped to, so tests map the login running them (root in CI) to one
/// account per role and pick one with `--as`, as a person with several accounts would.
extension CLIRunner {
    /// The first admin (mapped to the running OS login by the bootstrap).
    public static let admin = "ops.admin"
    /// One account per person role but admin, each mapped to the running OS login.
    public static let people: [(name: String, role: String)] = [("carla", "compliance"), ("lee", "lead"), ("audra", "auditor")]
    /// The account of `role` among `admin` and `people`.
    public static func account(_ role: String) -> String {
        role == "admin" ? admin : people.first { $0.role == role }!.name
    }
    /// A password for every test account.
    public static let password = "a long test passphrase"

    /// The OS login running the tests: the effective user's name in the password database.
    public static var osLogin: String {
        String(cString: getpwuid(geteuid())!.pointee.pw_name)
    }

    /// Creates the archive, the first admin and `people`, each mapped to the running OS login.
    public func initWithAccounts() throws {
        try expect(run(["init"]))
        try addAccounts()
    }

    /// Adds the first admin and `people` to an archive that has no admin yet.
    public func addAccounts() throws {
        try expect(run(["users", "add", Self.admin, "--role", "admin", "--password-stdin"], stdin: Self.password + "\n"))
        for (name, role) in Self.people {
            try expect(run(["users", "add", name, "--role", role, "--password-stdin", "--os-user", Self.osLogin, "--as", Self.admin],
                           stdin: Self.password + "\n"))
        }
    }

    /// `initWithAccounts`, then the sample customers and the sample Asterisk export, loaded by the admin.
    public func initWithSamples() throws {
        try initWithAccounts()
        try expect(run(["customers", "import", TestArchive.samples.appendingPathComponent("customers.csv").path, "--as", Self.admin]))
        try expect(run(["ingest", TestArchive.samples.appendingPathComponent("asterisk").path, "--as", Self.admin]))
    }

    /// Adds an ingest machine account and returns a token for it.
    public func ingestToken(_ name: String = "pbx1-upload") throws -> String {
        try expect(run(["users", "add", name, "--role", "ingest", "--as", Self.admin]))
        let issued = try run(["users", "token", name, "--as", Self.admin, "--json"])
        try expect(issued)
        return issued.json["token"] as? String ?? ""
    }

    func expect(_ result: Result) throws {
        guard result.status == 0 else {
            throw Shell.Failure(description: "callvault exited \(result.status): \(result.stderr)")
        }
    }
}
