public import CallvaultAccess
import CallvaultJobs
public import CallvaultArchive

/// Turns a bearer token into the principal it belongs to.
///
/// Contract: returns nil for a token that is unknown, expired, revoked, or belongs to a
/// disabled account (the server answers 401); throws only when it cannot decide (the server
/// answers 500). Implementations compare tokens in constant time and never log them.
public protocol PrincipalResolver: Sendable {
    /// The principal `bearerToken` authenticates, or nil.
    func principal(bearerToken: String) async throws -> Principal?
}

/// The archive's own accounts: a bearer token is one `callvault users token` issued, looked up
/// by its digest (`Archive.authenticate(token:)`) on the archive's thread pool.
public struct ArchiveAccounts: PrincipalResolver {
    let archive: Archive

    /// Resolves tokens against `archive`'s accounts.
    public init(archive: Archive) { self.archive = archive }

    public func principal(bearerToken: String) async throws -> Principal? {
        let archive = self.archive
        return try await ArchiveThreadPool.shared.run { try archive.authenticate(token: bearerToken) }
    }
}
