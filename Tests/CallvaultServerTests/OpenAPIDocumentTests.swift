import Foundation
import Testing
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import CallvaultAccess
import CallvaultServer
import CallvaultTesting

/// `docs/openapi.json` describes the API that runs: the same routes, methods, query parameters
/// and actions as `APIRoute`, and every example in it is a request the server accepts.
@Suite struct OpenAPIDocumentTests {
    static let url = TestArchive.samples.deletingLastPathComponent().appendingPathComponent("docs/openapi.json")

    /// The document's operations by "METHOD path".
    static func operations() throws -> [String: [String: Any]] {
        let document = try requireValue(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any], "OpenAPI object")
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try requireValue(document["paths"] as? [String: [String: [String: Any]]], "paths")
        var result: [String: [String: Any]] = [:]
        for (path, methods) in paths {
            for (method, operation) in methods { result["\(method.uppercased()) \(path)"] = operation }
        }
        return result
    }

    static func key(_ route: APIRoute) -> String { "\(route.method.rawValue) \(route.path)" }

    static func parameters(_ operation: [String: Any], in place: String) -> [[String: Any]] {
        ((operation["parameters"] as? [[String: Any]]) ?? []).filter { $0["in"] as? String == place }
    }

    @Test func everyRouteIsDocumentedWithItsParametersAndAction() throws {
        let operations = try Self.operations()
        #expect(Set(operations.keys) == Set(APIRoute.allCases.map(Self.key)), "one operation per route, no more")
        for route in APIRoute.allCases {
            let operation = try requireValue(operations[Self.key(route)], Self.key(route))
            let documented = Set(Self.parameters(operation, in: "query").compactMap { $0["name"] as? String })
            #expect(documented == Set(route.queryParameters), "\(route): query parameters")
            #expect(operation["x-callvault-action"] as? String == route.access.action?.rawValue, "\(route): action")
            let responses = try requireValue(operation["responses"] as? [String: Any], "\(route) responses")
            let security = try requireValue(operation["security"] as? [[String: Any]], "\(route) security")
            if route.access == .open {
                #expect(security.isEmpty, "\(route) needs no credentials")
            } else {
                #expect(security.first?["bearer"] != nil, "\(route): bearer token")
                #expect(responses["401"] != nil && responses["403"] != nil, "\(route): 401 and 403 documented")
            }
            #expect(responses.keys.contains { $0.hasPrefix("2") }, "\(route): a success answer")
        }
    }

    @Test func everySchemaReferenceResolves() throws {
        let text = try String(contentsOf: Self.url, encoding: .utf8)
        let document = try requireValue(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "OpenAPI object")
        let schemas = try requireValue((document["components"] as? [String: Any])?["schemas"] as? [String: Any], "schemas")
        let references = text.matches(of: /"\$ref": "#\/components\/schemas\/([A-Za-z]+)"/).map { String($0.output.1) }
        #expect(!references.isEmpty)
        for name in references { #expect(schemas[name] != nil, "\(name) is defined") }
    }

    /// Each operation sent as the document shows it (its example query values, headers and body),
    /// by a role allowed to: the server answers with a success the document lists.
    @Test func everyDocumentedExampleIsARequestTheServerAccepts() async throws {
        let fixture = try ServerFixture()
        let master = try Data(contentsOf: TestArchive.samples.appendingPathComponent("asterisk/cdr-csv/Master.csv"))
        try await fixture.application().test(.router) { client in
            let operations = try Self.operations()
            var holdID = ""
            // Placing a hold first gives the release example a hold; restrict before unrestrict.
            let order: [APIRoute] = [.health, .search, .item, .recordingAudio, .placeHold, .listHolds, .releaseHold, .restrict,
                                     .unrestrict, .erase, .export, .auditVerify, .ingest, .metrics]
            #expect(Set(order) == Set(APIRoute.allCases))
            for route in order {
                let operation = try requireValue(operations[Self.key(route)], Self.key(route))
                var path = route.path
                if path.contains("{id}") {
                    let id = switch route {
                    case .item: fixture.call.id.description
                    case .recordingAudio: try requireValue(fixture.call.recording?.description, "recording")
                    default: holdID
                    }
                    path = path.replacingOccurrences(of: "{id}", with: id)
                }
                let query = Self.parameters(operation, in: "query").compactMap { parameter -> String? in
                    guard let name = parameter["name"] as? String, let example = parameter["example"] else { return nil }
                    let value = "\(example is Bool ? ((example as? Bool) == true ? "true" : "false") : "\(example)")"
                    return "\(name)=\(value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value)"
                }
                if !query.isEmpty { path += "?" + query.joined(separator: "&") }
                let role = route == .ingest ? Role.ingest : try requireValue(
                    route.access.action.flatMap { action in [.lead, .compliance, .admin, .auditor].first { PermissionTable.allows($0, action) } }
                        ?? Role.lead, "a role for \(route)")
                var headers = auth(route.access == .open ? nil : role)
                for header in Self.parameters(operation, in: "header") {
                    if let name = header["name"] as? String, let example = header["example"] as? String {
                        headers[HTTPField.Name(name)!] = example
                    }
                }
                var body: ByteBuffer?
                if let content = (operation["requestBody"] as? [String: Any])?["content"] as? [String: Any] {
                    if let example = (content["application/json"] as? [String: Any])?["example"] {
                        body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: example))
                        headers[.contentType] = "application/json"
                    } else {
                        body = ByteBuffer(data: master)
                    }
                }
                let response = try await client.execute(uri: path, method: route.method, headers: headers, body: body)
                let documented = try requireValue(operation["responses"] as? [String: Any], "responses")
                let status = String(response.status.code)
                #expect(status.hasPrefix("2") && documented[status] != nil,
                        "\(Self.key(route)) as documented gave \(status): \(String(buffer: response.body).prefix(300))")
                if route == .placeHold { holdID = (try? json(response)["hold"] as? String) ?? "" }
            }
        }
    }
}
