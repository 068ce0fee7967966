import Foundation
import Testing
import CallvaultArchive
import CallvaultModel
import CallvaultTesting

/// A PBX without a parser of its own, read through `[sources.NAME]` in callvault.toml.
@Suite struct MappedSourceTests {
    func archive(appending toml: String) throws -> TestArchive {
        let fixture = try TestArchive()
        let config = fixture.root.appendingPathComponent("callvault.toml")
        let text = try String(contentsOf: config, encoding: .utf8) + toml
        try Data(text.utf8).write(to: config)
        return fixture
    }

    func reopened(_ fixture: TestArchive) throws -> Archive { try Archive(root: fixture.root) }

    @Test func theSample3CXExportIsIngestedThroughItsMapping() throws {
        let fixture = try archive(appending: try String(contentsOf: TestArchive.samples.appendingPathComponent("custom/sources.toml"), encoding: .utf8))
        let archive = try reopened(fixture)
        _ = try archive.importCustomers(from: TestArchive.samples.appendingPathComponent("customers.csv"), actor: fixture.actor)
        let summary = try archive.ingest([TestArchive.samples.appendingPathComponent("custom/3cx-calls.csv")], actor: fixture.admin)
        #expect(summary.calls == 6)
        #expect(summary.rejected.map(\.line) == [8])
        let c001 = try archive.search(SearchQuery(customer: "C001"), actor: fixture.actor)
        #expect(c001.items.first?.agent == "1005")
        #expect(c001.items.first?.start == Date(timeIntervalSince1970: 1_792_739_525)) // 23.10.2026 10:12:05 EEST
        #expect(c001.items.first?.durationSeconds == 275)
        let again = try archive.ingest([TestArchive.samples.appendingPathComponent("custom/3cx-calls.csv")], actor: fixture.admin)
        #expect(again.calls == 0 && again.duplicates == 6)
    }

    @Test func columnNumbersWithoutAHeaderAndJSONLines() throws {
        let fixture = try archive(appending: """

            [sources.legacy]
            delimiter = ";"
            header = false
            start = 1
            from = 2
            to = 3
            duration = 4
            time_format = "epoch"

            [sources.cloudpbx]
            format = "jsonl"
            start = "started_at"
            from = "caller"
            to = "callee"
            unique_id = "id"
            direction = "dir"
            time_format = "iso8601"

            """)
        let archive = try reopened(fixture)
        let csv = fixture.input("legacy.txt", "1792739525;0401234567;1001;60\n1792739600;0501112233;1002;10\n")
        let forced = try archive.ingest([csv], format: "legacy", actor: fixture.admin)
        #expect(forced.calls == 2)
        let jsonl = fixture.input("calls.jsonl", """
            {"id": "a1", "started_at": "2026-10-23T10:12:05+03:00", "caller": "+358401234567", "callee": "1001", "dir": "in"}
            not json
            {"id": "a2", "started_at": "2026-10-23T10:20:00", "caller": "1001", "callee": "0401234567", "dir": "out"}

            """)
        let detected = try archive.ingest([jsonl], actor: fixture.admin)
        #expect(detected.calls == 2)
        #expect(detected.rejected.map(\.line) == [2])
        let outbound = try archive.search(SearchQuery(number: "0401234567", kind: .call), actor: fixture.actor)
        #expect(outbound.items.contains { $0.direction == .outbound && $0.agent == "1001" })
    }

    @Test func aMappingThatCannotWorkIsRefusedWithItsLine() throws {
        for (toml, expected) in [
            ("\n[sources.x]\nstart = \"a\"\nfrom = \"b\"\n", "needs 'to'"),
            ("\n[sources.x]\nstart = \"a\"\nfrom = \"b\"\nto = \"c\"\ncolour = \"red\"\n", "unknown key 'colour'"),
            ("\n[sources.x]\nstart = \"a\"\nfrom = \"b\"\nto = \"c\"\ntime_format = \"whenever\"\n", "time_format"),
            ("\n[sources.x]\nheader = false\nstart = \"a\"\nfrom = \"2\"\nto = \"3\"\n", "column number"),
        ] {
            let fixture = try archive(appending: toml)
            #expect {
                _ = try reopened(fixture)
            } throws: { error in
                let message = (error as? any CallvaultError)?.message ?? ""
                return message.contains(expected) && message.contains("line")
            }
        }
    }
}
