import Foundation
import Testing
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import CallvaultAccess
import CallvaultArchive
import CallvaultServer
import CallvaultTesting

/// No read path ever yields a byte of the wrong recording. With the stored file of a recording
/// swapped for another's, missing, or damaged in any region (header, chunks, chunk index,
/// trailer), extract and export refuse it, HTTP answers an error status before any byte
/// (the audit entry says `failed` and why), and a range of any chunk is either exactly the
/// original bytes or refused. A chunk found bad part-way through a stream ends the response
/// short and is logged as a failure.
@Suite struct WrongBytesNeverServedTests {
    /// Ways a stored blob file goes wrong.
    enum Damage: String, CaseIterable, Sendable {
        case swappedForAnotherRecording, missing
        case headerAddress, headerSize, headerCodec
        case firstChunk, middleChunk, lastChunk
        case indexOffset, indexDigest, trailerRoot, trailerCount, trailerMagic

        /// Damage the stored file is found out by before the first byte is sent, for any range.
        var refusedUpFront: Bool { ![.firstChunk, .middleChunk, .lastChunk].contains(self) }
    }

    static let chunk = 256 * 1024

    struct Scene {
        let fixture: ServerFixture
        let sha: String
        let original: Data
        var blobFile: URL { fixture.test.root.appendingPathComponent("blobs/\(sha.prefix(2))/\(sha.dropFirst(2).prefix(2))/\(sha)") }
        var chunks: Int { (original.count + WrongBytesNeverServedTests.chunk - 1) / WrongBytesNeverServedTests.chunk }
        var audio: String { "/api/v1/recordings/\(fixture.longRecording)/audio?purpose=complaint" }
    }

    /// The fixture's long recording (C001's, several chunks), with `damage` done to its file.
    func damagedScene(_ damage: Damage) throws -> Scene {
        let fixture = try ServerFixture()
        let sha = try storedSHA(fixture)
        let scene = Scene(fixture: fixture, sha: sha, original: fixture.longWAV)
        let file = scene.blobFile
        var bytes = try Array(Data(contentsOf: file))
        let indexStart = bytes.count - 48 - 48 * scene.chunks
        func flip(_ at: Int) { bytes[at] ^= 0x01 }
        switch damage {
        case .swappedForAnotherRecording:
            let other = try requireValue(fixture.call.recording)
            let otherSHA = try storedSHA(fixture, recording: other.description)
            bytes = try Array(Data(contentsOf: file.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("\(otherSHA.prefix(2))/\(otherSHA.dropFirst(2).prefix(2))/\(otherSHA)")))
        case .missing:
            try FileManager.default.removeItem(at: file)
            return scene
        case .headerAddress: flip(40)
        case .headerSize: flip(24)
        case .headerCodec: flip(12)
        case .firstChunk: flip(64 + 9)
        case .middleChunk: flip(Int(bytes.readLE64(indexStart + 48 * (scene.chunks / 2))) + 9)
        case .lastChunk: flip(indexStart - 3)
        case .indexOffset: flip(indexStart + 48)
        case .indexDigest: flip(indexStart + 48 * 2 + 20)
        case .trailerRoot: flip(bytes.count - 40)
        case .trailerCount: flip(bytes.count - 8)
        case .trailerMagic: flip(bytes.count - 1)
        }
        try Data(bytes).write(to: file)
        return scene
    }

    /// The recording's SHA-256, as an extract of it reports (read before any damage).
    func storedSHA(_ fixture: ServerFixture, recording: String? = nil) throws -> String {
        let id = recording ?? fixture.longRecording
        let out = fixture.test.folder.path("etag-\(UUID().uuidString).wav")
        return try fixture.archive.extractRecording(id, to: out, purpose: "technical-fault", actor: fixture.test.actor).sha256
    }

    @Test(arguments: Damage.allCases)
    func noReadPathServesWrongBytes(damage: Damage) async throws {
        let scene = try damagedScene(damage)
        let fixture = scene.fixture
        let actor = fixture.test.actor

        // extract: refused, nothing written.
        let out = fixture.test.folder.path("out-\(damage)")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        #expect(throws: (any Error).self, "extract after \(damage)") {
            _ = try fixture.archive.extractRecording(fixture.longRecording, to: out.appendingPathComponent("a.wav"), purpose: "technical-fault", actor: actor)
        }
        #expect(filesIn(out).isEmpty, "extract after \(damage) left \(filesIn(out))")

        // export of the recording's customer: refused, no package.
        #expect(throws: (any Error).self, "export after \(damage)") {
            _ = try fixture.archive.export(customer: "C001", to: out.appendingPathComponent("c001.zip"), purpose: "data-subject-request", actor: actor)
        }
        #expect(filesIn(out).isEmpty, "export after \(damage) left \(filesIn(out))")

        try await fixture.application().test(.router) { client in
            // The whole recording.
            let whole = try? await client.execute(uri: scene.audio, method: .get, headers: auth(.lead))
            if damage.refusedUpFront {
                #expect(whole?.status == .internalServerError, "\(damage): \(String(describing: whole?.status))")
                #expect(whole?.headers[.eTag] == nil)
                #expect(try fixture.lastAudit() == ["play|lena|lead|failed|http@unknown"], "\(damage)")
                let reason = try fixture.test.sql("SELECT reason FROM audit_log ORDER BY seq DESC LIMIT 1")
                #expect(reason.hasPrefix("stored audio"), "\(damage): \(reason)")
            } else if let whole, whole.status == .ok {
                // Found part-way: the response ends short and the failure is logged.
                #expect(whole.bytes.count < scene.original.count, "\(damage)")
                #expect(scene.original.starts(with: whole.bytes), "\(damage): a served byte differs from the recording")
            } else {
                #expect(whole == nil || whole?.status == .internalServerError, "\(damage): \(String(describing: whole?.status))")
            }
            if !damage.refusedUpFront {
                #expect(try fixture.test.sql("SELECT outcome FROM audit_log WHERE action = 'play' ORDER BY seq DESC LIMIT 1") == "failed", "\(damage)")
            }

            // Each chunk alone: exactly the original bytes, or an error status.
            for chunk in 0..<scene.chunks {
                let first = chunk * Self.chunk, last = min(scene.original.count - 1, first + 999)
                let part = try? await client.execute(uri: scene.audio, method: .get, headers: auth(.lead, [.range: "bytes=\(first)-\(last)"]))
                switch part?.status {
                case .partialContent?:
                    #expect(!damage.refusedUpFront, "\(damage): chunk \(chunk) was served")
                    #expect(part?.bytes == scene.original.subdata(in: first..<(last + 1)), "\(damage): chunk \(chunk) served other bytes")
                case .internalServerError?:
                    #expect(try fixture.lastAudit() == ["play|lena|lead|failed|http@unknown"], "\(damage), chunk \(chunk)")
                default:
                    Issue.record("\(damage): chunk \(chunk) answered \(String(describing: part?.status))")
                }
            }
        }
    }

    @Test func aChunkFoundBadMidStreamEndsTheResponseAndIsAuditedAsFailed() async throws {
        let scene = try damagedScene(.lastChunk)
        let fixture = scene.fixture
        try await fixture.application().test(.live) { client in
            let response = try? await client.execute(uri: scene.audio, method: .get, headers: auth(.lead))
            if let response {
                #expect(response.bytes.count < scene.original.count)
                #expect(scene.original.starts(with: response.bytes))
            }
        }
        let entries = try fixture.test.sql("""
            SELECT outcome || '|' || coalesce(reason, '') || '|' || coalesce(json_extract(details, '$.bytes_sent'), '')
            FROM audit_log WHERE action = 'play' ORDER BY seq
            """).split(separator: "\n").map(String.init)
        #expect(entries.count == 2, "\(entries)")
        #expect(entries.first?.hasPrefix("allowed|") == true, "\(entries)")
        // The last chunk no longer inflates (or fails its digest): everything before it went out.
        let sent = (scene.chunks - 1) * Self.chunk
        #expect(entries.last?.hasPrefix("failed|stored audio damaged: chunk \(scene.chunks - 1) ") == true, "\(entries)")
        #expect(entries.last?.hasSuffix("|\(sent)") == true, "\(entries)")
    }
}

private extension Array where Element == UInt8 {
    func readLE64(_ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(self[at + $1]) << UInt64(8 * $1) }
    }
}

private func filesIn(_ url: URL) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: url.path)) ?? []).sorted()
}
