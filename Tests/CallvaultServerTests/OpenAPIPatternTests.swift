import Foundation
import Testing
@testable import CallvaultServer

/// The document's `pattern`s are the ones the server checks (`APIInput`), each where the server
/// checks it: what schemathesis generates as valid is served, what it generates as invalid is
/// refused, with no drift between the two.
@Suite struct OpenAPIPatternTests {
    /// Every `pattern` in the document, by where it is ("METHOD path name").
    static func patterns() throws -> [String: String] {
        let document = try requireValue(try JSONSerialization.jsonObject(with: Data(contentsOf: OpenAPIDocumentTests.url)) as? [String: Any], "document")
        var found: [String: String] = [:]
        func walk(_ value: Any, _ place: String) {
            if let object = value as? [String: Any] {
                if let pattern = object["pattern"] as? String { found[place] = pattern }
                for (key, child) in object { walk(child, place.isEmpty ? key : place + "/" + key) }
            } else if let array = value as? [Any] {
                for (index, child) in array.enumerated() {
                    let name = (child as? [String: Any])?["name"] as? String
                    walk(child, place + "/" + (name ?? String(index)))
                }
            }
        }
        walk(document["paths"] as Any, "")
        return found
    }

    @Test func everyPatternOfTheDocumentIsOneTheServerChecksWhereItChecksIt() throws {
        let found = try Self.patterns()
        let checked: Set<String> = [APIInput.itemID, APIInput.recordingID, APIInput.holdID, APIInput.requestID, APIInput.time,
                                    APIInput.searchNumber, APIInput.holdNumber, APIInput.statement, APIInput.fileName]
        #expect(Set(found.values) == checked, "\(Set(found.values).symmetricDifference(checked))")
        let expected: [(String, String)] = [
            ("/api/v1/items/{id}/get/parameters/id/schema", APIInput.itemID),
            ("/api/v1/recordings/{id}/audio/get/parameters/id/schema", APIInput.recordingID),
            ("/api/v1/holds/{id}/release/post/parameters/id/schema", APIInput.holdID),
            ("/api/v1/search/get/parameters/number/schema", APIInput.searchNumber),
            ("/api/v1/search/get/parameters/from/schema", APIInput.time),
            ("/api/v1/search/get/parameters/to/schema", APIInput.time),
            ("/api/v1/ingest/post/parameters/X-Filename/schema", APIInput.fileName),
        ]
        for (place, pattern) in expected { #expect(found[place] == pattern, "\(place)") }
        let statements = found.filter { $0.key.hasSuffix("/reason") || $0.key.hasSuffix("/case") }
        #expect(statements.count == 6 && statements.values.allSatisfy { $0 == APIInput.statement }, "\(statements)")
    }

    @Test func thePatternsTakeTheDocumentedFormsAndRefuseOthers() {
        let cases: [(String, [String], [String])] = [
            (APIInput.itemID, ["call-1", "sms-42", "rec-999999999999999999"], ["call-0", "call-01", "rec-1234567890123456789", "hold-1", "call-1\n", " call-1"]),
            (APIInput.recordingID, ["rec-7", "call-7"], ["sms-7", "rec-"]),
            (APIInput.holdID, ["hold-3"], ["3", "hold-03", "hold-"]),
            (APIInput.time, ["2026-03-14", "2026-03-14T09:30", "2026-03-14T09:30:00Z", "2026-03-14T09:30:00+14:59", "2026-02-31"],
             ["2026-3-14", "2026-03-14 09:30", "2026-03-14T24:00", "2026-03-14T09:30:00+23:00", "2026-13-01", ""]),
            (APIInput.searchNumber, ["040 123 4567", "+358 40 123 4567", "234567", "040-1234567"], ["12345", "(040) 123 4567", "040  1234567", "+", "abc123456"]),
            (APIInput.holdNumber, ["+358401234567", "+358 40 123 4567"], ["0401234567", "+0401234567", "+123456"]),
            (APIInput.statement, ["claim settled", "x", "  Löschung 7"], ["", "   ", "§§", "é"]),
            (APIInput.fileName, ["Master.csv", "in-0401234567-1001.wav", "a b", String(repeating: "x", count: 200)],
             ["", ".hidden", "a/b", "a\\b", "ä.csv", "tab\there", String(repeating: "x", count: 201)]),
        ]
        for (pattern, good, bad) in cases {
            for value in good { #expect(APIInput.matches(value, pattern), "\(value) should match \(pattern)") }
            for value in bad { #expect(!APIInput.matches(value, pattern), "\(value) should not match \(pattern)") }
        }
    }
}
