import Hummingbird
import HTTPTypes
import Logging
import Foundation

/// The outermost middleware: turns every thrown error into a JSON answer, puts the security
/// headers on every response, and logs each request by its route pattern (never its query
/// string or path values, which may hold phone numbers).
struct APIMiddleware: RouterMiddleware {
    typealias Context = APIRequestContext

    /// Sent on every response: nothing may be framed, sniffed, or leak its address.
    static let securityHeaders: [(HTTPField.Name, String)] = [
        (.contentSecurityPolicy, "default-src 'self'; frame-ancestors 'none'"),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
    ]

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError where error.status == .notFound && [nil, "NotFound"].contains(context.endpointPath) {
            // (Hummingbird's router names the endpoint of a request no route takes "NotFound".)
            // No route has this method and path. A path that exists with other methods is
            // 405 with the methods it has (RFC 9110 §15.5.6), not 404.
            let allowed = Self.allowedMethods(path: request.uri.path)
            if allowed.isEmpty {
                response = APIError.response(for: error, request: request, context: context)
            } else {
                response = APIError(.methodNotAllowed, "\(request.method.rawValue.prefix(16)) is not a method of this route; it takes \(allowed.joined(separator: ", "))",
                                    headers: [.allow: allowed.joined(separator: ", ")]).response()
            }
        } catch {
            response = APIError.response(for: error, request: request, context: context)
        }
        for (name, value) in Self.securityHeaders { response.headers[name] = value }
        // Answers of the API carry personal data: no cache keeps them.
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        let elapsed = ContinuousClock.now - started
        context.logger.log(level: response.status.code >= 400 ? .notice : .debug, "request", metadata: [
            "method": "\(request.method)", "route": "\(context.endpointPath ?? "-")", "status": "\(response.status.code)",
            "ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
        ])
        return response
    }

    /// The methods the API and the web UI answer at `path` (HEAD wherever GET is), in a fixed
    /// order; empty when no route has this path.
    static func allowedMethods(path: String) -> [String] {
        let routes = APIRoute.allCases.map { ($0.path, $0.method) } + WebRoute.allCases.map { ($0.path, $0.method) }
        var methods: Set<HTTPRequest.Method> = []
        for (pattern, method) in routes where matches(pattern, path) {
            methods.insert(method)
            if method == .get { methods.insert(.head) }
        }
        return [HTTPRequest.Method.get, .head, .post].filter(methods.contains).map(\.rawValue)
    }

    /// Whether `path` fits `pattern`, whose `{id}` segments stand for any one segment.
    static func matches(_ pattern: String, _ path: String) -> Bool {
        let want = pattern.split(separator: "/", omittingEmptySubsequences: true)
        let have = path.split(separator: "/", omittingEmptySubsequences: true)
        guard want.count == have.count else { return false }
        return zip(want, have).allSatisfy { $0 == $1 || $0.hasPrefix("{") }
    }
}
