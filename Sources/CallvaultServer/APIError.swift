public import Hummingbird
import HTTPTypes
import CallvaultModel
import CallvaultContract
import Foundation

/// An answer other than success, with a message for the client: what went wrong and what to do.
public struct APIError: Error, Sendable {
    public var status: HTTPResponse.Status
    public var message: String
    /// Extra headers (`WWW-Authenticate`, `Content-Range`).
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    /// The status a callvault error maps to.
    static func status(for kind: ErrorKind) -> HTTPResponse.Status {
        switch kind {
        case .badInput: return .badRequest
        case .refused: return .forbidden
        case .notFound: return .notFound
        case .corrupt: return .internalServerError
        case .internal: return .internalServerError
        }
    }

    /// The response for any error a handler throws; unknown errors become a 500 without detail
    /// (the detail is logged, never sent).
    static func response(for error: any Error, request: Request, context: APIRequestContext) -> Response {
        let failure: APIError
        switch error {
        case let error as APIError:
            failure = error
        case let error as any CallvaultError:
            failure = APIError(status(for: error.kind), error.message)
            if error.kind == .corrupt || error.kind == .internal {
                context.logger.error("request failed", metadata: ["kind": "\(error.kind.rawValue)", "route": "\(context.endpointPath ?? "-")"])
            }
        case let error as any HTTPResponseError:
            let message = error.status == .notFound ? "no such route: \(request.method) \(request.uri.path.prefix(80))" : error.status.reasonPhrase
            failure = APIError(error.status, message)
        default:
            context.logger.error("request failed", metadata: ["error": "\(type(of: error))", "route": "\(context.endpointPath ?? "-")"])
            failure = APIError(.internalServerError, "internal error; the server log has the details")
        }
        return failure.response()
    }

    /// This error as a JSON response `{"error": message}`.
    func response() -> Response {
        struct Body: Encodable { var error: String }
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: ContractJSON.encode(Body(error: message)))))
    }
}
