import Foundation
import Testing

/// docs/ARCHITECTURE.md maps every target of Package.swift, one line each: its "Modules" table
/// lists the library, executable and system-library targets, its "Test targets" table the test
/// targets, each row starting with the target's name in backticks. These tests keep the map and
/// the manifest equal and name what is missing on either side.
@Suite struct ModuleMapTests {
    /// The repository's root folder (this file is Tests/CallvaultContractTests/ModuleMapTests.swift).
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    @Test func theModuleMapListsEveryTargetOfThePackageAndNothingElse() throws {
        let targets = try Self.packageTargets()
        let map = try Self.moduleMap()
        try #require(!targets.isEmpty, "no target found in Package.swift")
        let declared = Set(targets.map(\.name))
        let mapped = Set(map.modules + map.tests)
        let unmapped = declared.subtracting(mapped).sorted()
        let unknown = mapped.subtracting(declared).sorted()
        #expect(unmapped.isEmpty,
                "targets of Package.swift missing from docs/ARCHITECTURE.md: \(unmapped.joined(separator: ", "))")
        #expect(unknown.isEmpty,
                "docs/ARCHITECTURE.md lists names that are no target of Package.swift: \(unknown.joined(separator: ", "))")
    }

    @Test func testTargetsHaveTheirOwnTableAndEveryTargetOneLine() throws {
        let targets = try Self.packageTargets()
        let map = try Self.moduleMap()
        let testTargets = Set(targets.filter(\.isTest).map(\.name))
        let otherTargets = Set(targets.filter { !$0.isTest }.map(\.name))
        let testsAmongModules = Set(map.modules).intersection(testTargets).sorted()
        let modulesAmongTests = Set(map.tests).intersection(otherTargets).sorted()
        #expect(testsAmongModules.isEmpty,
                "test targets listed in the \"Modules\" table (they belong in \"Test targets\"): \(testsAmongModules.joined(separator: ", "))")
        #expect(modulesAmongTests.isEmpty,
                "non-test targets listed in the \"Test targets\" table (they belong in \"Modules\"): \(modulesAmongTests.joined(separator: ", "))")
        let repeated = Self.repeated(map.modules + map.tests)
        #expect(repeated.isEmpty, "docs/ARCHITECTURE.md lists these more than once: \(repeated.joined(separator: ", "))")
        #expect(map.unnamedRows.isEmpty,
                "rows of the module map that do not start with a name in backticks: \(map.unnamedRows.joined(separator: " / "))")
    }

    // MARK: - Package.swift

    /// A target Package.swift declares.
    struct Target: Hashable {
        let name: String
        let isTest: Bool
    }

    /// Why Package.swift could not be read as these tests expect.
    struct ManifestProblem: Error, CustomStringConvertible {
        let description: String
    }

    /// The targets of Package.swift: the `name:` of every `.target(`, `.executableTarget(`,
    /// `.systemLibrary(` and `.testTarget(` call outside whole-line comments, names built by
    /// interpolation over a list (`"Fuzz\($0)"` in `fuzzedParsers.map { … }`) expanded.
    static func packageTargets() throws -> [Target] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let code = manifest.split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }
            .joined(separator: "\n")
        let declaration = try NSRegularExpression(
            pattern: #"\.(target|executableTarget|systemLibrary|testTarget)\(\s*name:\s*"([^"]+)""#)
        var targets: [Target] = []
        for match in declaration.matches(in: code, options: [], range: NSRange(code.startIndex..., in: code)) {
            guard let kind = Range(match.range(at: 1), in: code), let name = Range(match.range(at: 2), in: code) else {
                continue
            }
            for expanded in try expand(String(code[name]), declaredAt: name.lowerBound, in: code) {
                targets.append(Target(name: expanded, isTest: code[kind] == "testTarget"))
            }
        }
        return targets
    }

    /// One name per element of the list a target name is interpolated over, or the name itself
    /// when it holds no interpolation.
    static func expand(_ name: String, declaredAt position: String.Index, in code: String) throws -> [String] {
        guard let placeholder = name.range(of: #"\\\([^)]*\)"#, options: .regularExpression) else { return [name] }
        // The list is the receiver of the nearest `.map {` before the declaration.
        let before = String(code[..<position])
        let mapCall = try NSRegularExpression(pattern: #"(\w+)\s*\.map\s*\{"#)
        guard let call = mapCall.matches(in: before, options: [], range: NSRange(before.startIndex..., in: before)).last,
              let listName = Range(call.range(at: 1), in: before).map({ String(before[$0]) }) else {
            throw ManifestProblem(description: "Package.swift: target name \(name) is interpolated, but no `.map {` precedes it")
        }
        let listDeclaration = try NSRegularExpression(
            pattern: #"let\s+"# + NSRegularExpression.escapedPattern(for: listName) + #"\s*(?::[^=]*)?=\s*\[([^\]]*)\]"#)
        guard let list = listDeclaration.firstMatch(in: code, options: [], range: NSRange(code.startIndex..., in: code)),
              let body = Range(list.range(at: 1), in: code) else {
            throw ManifestProblem(description: "Package.swift: target name \(name) is built from \(listName), whose list of strings was not found")
        }
        let elements = String(code[body])
        let literal = try NSRegularExpression(pattern: #""([^"]*)""#)
        let values = literal.matches(in: elements, options: [], range: NSRange(elements.startIndex..., in: elements))
            .compactMap { Range($0.range(at: 1), in: elements).map { String(elements[$0]) } }
        guard !values.isEmpty else {
            throw ManifestProblem(description: "Package.swift: the list \(listName) that target name \(name) is built from holds no strings")
        }
        return values.map { value in
            var expanded = name
            expanded.replaceSubrange(placeholder, with: value)
            return expanded
        }
    }

    // MARK: - docs/ARCHITECTURE.md

    /// The names at the start of the rows of ARCHITECTURE.md's two tables.
    struct ModuleMap {
        var modules: [String] = []
        var tests: [String] = []
        /// Rows whose first cell is not a name in backticks.
        var unnamedRows: [String] = []
    }

    static func moduleMap() throws -> ModuleMap {
        let text = try String(contentsOf: root.appendingPathComponent("docs/ARCHITECTURE.md"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let moduleRows = try #require(tableRows(under: "Modules", in: lines),
                                      "docs/ARCHITECTURE.md has no table under a heading \"Modules\"")
        let testRows = try #require(tableRows(under: "Test targets", in: lines),
                                    "docs/ARCHITECTURE.md has no table under a heading \"Test targets\"")
        var map = ModuleMap()
        for row in moduleRows {
            if let name = leadingName(of: row) { map.modules.append(name) } else { map.unnamedRows.append(row) }
        }
        for row in testRows {
            if let name = leadingName(of: row) { map.tests.append(name) } else { map.unnamedRows.append(row) }
        }
        return map
    }

    /// The body rows (header and separator left out) of the first table in the section under the
    /// heading `title`, of any level; nil when there is no such heading or table.
    static func tableRows(under title: String, in lines: [String]) -> [String]? {
        var inFence = false
        var sectionStart: Int?
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("```") {
                inFence.toggle()
            } else if !inFence, line.hasPrefix("#"),
                      line.drop(while: { $0 == "#" }).trimmingCharacters(in: .whitespaces) == title {
                sectionStart = index + 1
                break
            }
        }
        guard let sectionStart, sectionStart < lines.count else { return nil }
        var table: [String] = []
        for raw in lines[sectionStart...] {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { break }
            if line.hasPrefix("|") {
                table.append(line)
            } else if !table.isEmpty {
                break
            }
        }
        guard !table.isEmpty else { return nil }
        return table.dropFirst().filter { !isSeparator($0) }
    }

    /// Whether a table line is the `|---|:---:|` line under the header.
    static func isSeparator(_ line: String) -> Bool {
        line.contains("-") && line.allSatisfy { "|-: ".contains($0) }
    }

    /// The name in backticks that starts a row's first cell (`| `CallvaultIndex` | … |`), or nil.
    static func leadingName(of row: String) -> String? {
        let firstCell = row.drop(while: { $0 == "|" }).prefix { $0 != "|" }.trimmingCharacters(in: .whitespaces)
        guard firstCell.hasPrefix("`") else { return nil }
        let name = firstCell.dropFirst().prefix { $0 != "`" }
        return name.isEmpty ? nil : String(name)
    }

    /// The names that occur more than once, sorted.
    static func repeated(_ names: [String]) -> [String] {
        var counts: [String: Int] = [:]
        for name in names { counts[name, default: 0] += 1 }
        return counts.filter { $0.value > 1 }.keys.sorted()
    }
}
