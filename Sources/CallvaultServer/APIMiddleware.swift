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
}
