import Foundation
import Testing
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import CallvaultAccess
import CallvaultServer

/// GET /api/v1/recordings/{id}/audio: the original bytes, whole or by Range (first bytes,
/// middle across a stored chunk's edge, suffix, open-ended), 416 for what cannot be served,
/// the purpose audited with the range, restricted recordings only for compliance.
@Suite struct RecordingStreamingTests {
    static func audio(_ fixture: ServerFixture, purpose: String? = "complaint") -> String {
        "/api/v1/recordings/\(fixture.longRecording)/audio" + (purpose.map { "?purpose=\($0)" } ?? "")
    }

    @Test func theWholeRecordingIsTheOriginalBytes() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            let response = try await client.execute(uri: Self.audio(fixture), method: .get, headers: auth(.lead))
            #expect(response.status == .ok)
            #expect(response.bytes == fixture.longWAV)
            #expect(response.headers[.contentType] == "audio/wav")
            #expect(response.headers[.acceptRanges] == "bytes")
            #expect(response.headers[.contentRange] == nil)
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[.contentDisposition] == "inline; filename=\"\(fixture.longRecording).wav\"")
            #expect(try fixture.lastAudit() == ["play|lena|lead|allowed|http@unknown"])
            #expect(try fixture.test.sql("SELECT purpose, json_extract(details, '$.bytes') FROM audit_log ORDER BY seq DESC LIMIT 1") == "complaint|\(fixture.longWAV.count)")
        }
    }

    @Test func rangesServeExactlyTheAskedBytes() async throws {
        let fixture = try ServerFixture()
        let size = fixture.longWAV.count
        #expect(size > 3 * 256 * 1024, "the recording spans several stored chunks")
        let cases: [(header: String, first: Int, last: Int)] = [
            ("bytes=0-99", 0, 99),                                   // the first bytes
            ("bytes=262000-262299", 262_000, 262_299),               // the middle, across a chunk's edge
            ("bytes=100000-700000", 100_000, 700_000),               // several chunks
            ("bytes=-500", size - 500, size - 1),                    // a suffix
            ("bytes=900000-", 900_000, size - 1),                    // open-ended
            ("bytes=\(size - 1)-\(size + 5000)", size - 1, size - 1),  // the end clamped to the size
            ("bytes=-\(size * 2)", 0, size - 1),                     // a suffix longer than the file
            // RFC 9110 §14.1.2: a last position past the end, however many digits, means the end.
            ("bytes=100-99999999999999999999", 100, size - 1),
            ("bytes=0-9223372036854775807", 0, size - 1),
            ("bytes=-000000000000000000000000500", size - 500, size - 1),
            ("bytes=-99999999999999999999999", 0, size - 1),
        ]
        try await fixture.application().test(.router) { client in
            for test in cases {
                let response = try await client.execute(uri: Self.audio(fixture), method: .get, headers: auth(.compliance, [.range: test.header]))
                #expect(response.status == .partialContent, "\(test.header)")
                #expect(response.headers[.contentRange] == "bytes \(test.first)-\(test.last)/\(size)", "\(test.header)")
                #expect(response.headers[.contentLength] == String(test.last - test.first + 1), "\(test.header)")
                #expect(response.bytes == fixture.longWAV.subdata(in: test.first..<(test.last + 1)), "\(test.header)")
                let audited = try fixture.test.sql("SELECT json_extract(details, '$.range') FROM audit_log ORDER BY seq DESC LIMIT 1")
                #expect(audited == "\(test.first)-\(test.last)")
            }
        }
    }

    @Test func unsatisfiableOrMalformedRangesAre416AndSeveralRangesGetTheWholeFile() async throws {
        let fixture = try ServerFixture()
        let size = fixture.longWAV.count
        try await fixture.application().test(.router) { client in
            for header in ["bytes=\(size)-", "bytes=99999999999999999999-", "bytes=\(size + 10)-\(size + 20)", "bytes=abc", "bytes=500-100", "bytes=-0", "bytes=--5", "bytes 0-5"] {
                let before = try fixture.auditCount()
                let response = try await client.execute(uri: Self.audio(fixture), method: .get, headers: auth(.lead, [.range: header]))
                #expect(response.status == .rangeNotSatisfiable, "\(header)")
                #expect(response.headers[.contentRange] == "bytes */\(size)", "\(header)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                // Nothing was read: nothing is audited as played.
                #expect(try fixture.auditCount() == before, "\(header)")
            }
            // Several ranges: ignored (RFC 9110 §14.2 allows it); the whole recording, 200.
            let multi = try await client.execute(uri: Self.audio(fixture), method: .get, headers: auth(.lead, [.range: "bytes=0-1,5-9"]))
            #expect(multi.status == .ok)
            #expect(multi.bytes == fixture.longWAV)
            // Another unit: ignored too.
            let items = try await client.execute(uri: Self.audio(fixture), method: .get, headers: auth(.lead, [.range: "items=0-1"]))
            #expect(items.status == .ok)
        }
    }

    @Test func thePurposeIsRequiredAndAudited() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            let none = try await client.execute(uri: Self.audio(fixture, purpose: nil), method: .get, headers: auth(.lead))
            #expect(none.status == .forbidden)
            #expect(try fixture.lastAudit() == ["play|lena|lead|denied|http@unknown"])
            let bad = try await client.execute(uri: Self.audio(fixture, purpose: "curiosity"), method: .get, headers: auth(.lead))
            #expect(bad.status == .forbidden)
            #expect(try json(bad)["error"] as? String ?? "" == "purpose 'curiosity' is not one of the configured purposes; use --purpose with one of: customer-service, complaint, billing-dispute, legal-claim, data-subject-request, security, technical-fault")
            let unknown = try await client.execute(uri: "/api/v1/recordings/rec-99999/audio?purpose=complaint", method: .get, headers: auth(.lead))
            #expect(unknown.status == .notFound)
            let traversal = try await client.execute(uri: "/api/v1/recordings/..%2F..%2Fetc%2Fpasswd/audio?purpose=complaint", method: .get, headers: auth(.lead))
            #expect(traversal.status == .badRequest)
        }
    }

    @Test func aRestrictedCustomersRecordingPlaysOnlyForCompliance() async throws {
        let fixture = try ServerFixture()
        try await fixture.application().test(.router) { client in
            let restrict = try await client.execute(uri: "/api/v1/restrict", method: .post, headers: auth(.compliance),
                                                    body: jsonBody(#"{"customer": "C001", "reason": "accuracy contested"}"#))
            #expect(restrict.status == .ok)
            #expect(try json(restrict)["restricted"] as? Bool == true)
            let recording = try #require(fixture.call.recording)
            let lead = try await client.execute(uri: "/api/v1/recordings/\(recording)/audio?purpose=complaint", method: .get, headers: auth(.lead))
            #expect(lead.status == .forbidden)
            #expect(try fixture.lastAudit() == ["play|lena|lead|denied|http@unknown"])
            let item = try await client.execute(uri: "/api/v1/items/\(fixture.call.id)", method: .get, headers: auth(.lead))
            #expect(item.status == .forbidden)
            let search = try await client.execute(uri: "/api/v1/search?customer=C001", method: .get, headers: auth(.lead))
            #expect(try json(search)["total"] as? Int == 0)
            let compliance = try await client.execute(uri: "/api/v1/recordings/\(recording)/audio?purpose=legal-claim", method: .get, headers: auth(.compliance))
            #expect(compliance.status == .ok)
            #expect(try fixture.lastAudit() == ["play|dora|compliance|allowed|http@unknown"])
        }
    }
}
