public import Hummingbird
public import NIOCore
public import CallvaultAccess

/// The request context of callvault's HTTP server: the client's address and, once
/// authenticated, the principal the request acts as (the audit actor).
public struct APIRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's address; nil when the request did not come over a socket (in-process tests).
    public let remoteAddress: SocketAddress?
    /// Who the request acts as. A middleware in front of the API routes (a web UI's session
    /// cookie, say) may set it; otherwise the route's authorisation sets it from the bearer token.
    public var principal: Principal?
    /// The browser session the principal came from (the web UI's `cv_session` cookie), if any.
    public var webSession: WebSession?

    /// Creates the context of a request arriving on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        principal = nil
        webSession = nil
    }

    /// Bodies the framework decodes are small; the API reads its bodies itself, with the
    /// limits of `ServerSettings`.
    public var maxUploadSize: Int { 64 << 10 }

    /// The audit origin of the request: `http@<client address>`.
    public var origin: String { "http@\(remoteAddress?.ipAddress ?? "unknown")" }
}

/// A live browser session: its id (the cookie's value) and the CSRF token its forms carry.
public struct WebSession: Sendable, Equatable {
    public var id: String
    public var csrf: String
}
