public import CallvaultAccess

/// Turns a bearer token into the principal it belongs to.
///
/// Contract: returns nil for a token that is unknown, expired, revoked, or belongs to a
/// disabled account (the server answers 401); throws only when it cannot decide (the server
/// answers 500). Implementations compare tokens in constant time and never log them.
public protocol PrincipalResolver: Sendable {
    /// The principal `bearerToken` authenticates, or nil.
    func principal(bearerToken: String) async throws -> Principal?
}
