import Hummingbird
import Foundation

/// The fields of a submitted form (`application/x-www-form-urlencoded`), read with a size limit.
struct WebForm: Sendable {
    private(set) var fields: [String: [String]] = [:]

    init() {}

    /// Parses `name=value&…` (`+` is a space, `%XX` a byte).
    init(encoded text: String) {
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            fields[name, default: []].append(value)
        }
    }

    /// Reads a request's form body of at most `limit` bytes.
    static func read(_ request: Request, limit: Int) async throws -> WebForm {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > limit {
            throw APIError(.contentTooLarge, "the form is larger than the \(limit) bytes a form may have")
        }
        var buffer = ByteBuffer()
        for try await part in request.body {
            guard buffer.readableBytes + part.readableBytes <= limit else {
                throw APIError(.contentTooLarge, "the form is larger than the \(limit) bytes a form may have")
            }
            buffer.writeImmutableBuffer(part)
        }
        return WebForm(encoded: String(buffer: buffer))
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// The first value of `name`, trimmed; nil when missing or blank.
    subscript(name: String) -> String? {
        guard let value = fields[name]?.first?.trimmingCharacters(in: .whitespacesAndNewlines), !value.isEmpty else { return nil }
        return value
    }

    /// Whether a checkbox `name` was ticked.
    func isChecked(_ name: String) -> Bool { self[name] != nil }

    /// The values of a field holding a list separated by commas, semicolons, spaces or newlines.
    func list(_ name: String) -> [String] {
        (self[name] ?? "").split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "\n" || $0 == "\r" })
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

/// A GET request's query parameters, first value of each, trimmed; blank values are absent.
struct WebQuery: Sendable {
    private var values: [String: String] = [:]

    /// Reads the query as a browser's GET form sends it (`+` is a space, as in a form body).
    init(_ request: Request) {
        let form = WebForm(encoded: request.uri.query ?? "")
        for (name, all) in form.fields {
            guard let first = all.first else { continue }
            let trimmed = first.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty { values[name] = String(trimmed.prefix(200)) }
        }
    }

    subscript(name: String) -> String? { values[name] }
}
