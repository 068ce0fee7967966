import Foundation
import Testing
import CallvaultAccess

/// The role × action table in docs/cli.md (moved there from the README) is a copy of
/// `PermissionTable`: this keeps the two equal.
@Suite struct ReadmePermissionTableTests {
    static var readme: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/cli.md")
    }

    @Test func theReadmeTableMatchesThePermissionTable() throws {
        let text = try String(contentsOf: Self.readme, encoding: .utf8)
        let marker = try #require(text.range(of: "<!-- permission-table"))
        let lines = text[marker.upperBound...].split(separator: "\n").dropFirst().prefix { $0.hasPrefix("|") }
        func cells(_ line: Substring) -> [String] {
            line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast()
                .map { $0.trimmingCharacters(in: .whitespaces) }
        }
        let header = try #require(lines.first.map(cells))
        #expect(header == ["action"] + Role.allCases.map(\.rawValue))
        var seen: [Action] = []
        for line in lines.dropFirst(2) {
            let row = cells(line)
            let name = row[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))
            let action = try #require(Action(rawValue: name), "docs/cli.md lists an unknown action \(name)")
            seen.append(action)
            #expect(row.count == Role.allCases.count + 1, "\(name)")
            for (role, cell) in zip(Role.allCases, row.dropFirst()) {
                #expect(cell == (PermissionTable.allows(role, action) ? "✔" : ""), "docs/cli.md: \(role.rawValue) × \(name)")
            }
        }
        #expect(seen == Action.allCases, "docs/cli.md lists every action once, in declaration order")
    }
}
