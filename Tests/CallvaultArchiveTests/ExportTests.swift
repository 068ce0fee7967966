import Foundation
import Testing
import Crypto
import CallvaultArchive
import CallvaultConfiguration
import CallvaultModel
import CallvaultPolicy
import CallvaultTesting

/// The access and portability export (R28–R35): a round trip through unzip, every SHA-256 of
/// the manifest, every JSON file against docs/export-schema.json, byte-exact recordings.
@Suite struct ExportTests {
    static let compliance = Actor.test("carla.compliance", .compliance)

    /// The sample archive with one more class: outbound calls kept on a legal obligation, so a
    /// portability export has something to leave out (R35).
    func loaded() throws -> TestArchive {
        let fixture = try TestArchive()
        var configuration = ArchiveConfiguration()
        var classes = Array(RetentionPolicy.defaults.classes.values)
        classes.append(RetentionClass(name: "outbound-calls", period: RetentionPeriod(years: 6), from: .item,
                                      legalBasis: .legalObligation, erasableEarly: false, description: "Outbound calls: bookkeeping"))
        configuration.retention = RetentionPolicy(
            classes: classes,
            rules: [RetentionRule(className: "outbound-calls", kinds: [.call], directions: [.outbound])] + RetentionPolicy.defaults.rules)
        try Data(configuration.rendered().utf8).write(to: fixture.root.appendingPathComponent("callvault.toml"))
        let archive = try Archive(root: fixture.root)
        _ = try archive.importCustomers(from: TestArchive.samples.appendingPathComponent("customers.csv"), actor: fixture.actor)
        _ = try archive.ingest([TestArchive.samples.appendingPathComponent("asterisk"), TestArchive.samples.appendingPathComponent("sms")],
                           actor: fixture.admin)
        return fixture
    }

    func open(_ fixture: TestArchive) throws -> Archive { try Archive(root: fixture.root) }

    /// Unzips with Info-ZIP's unzip (an independent reader) and returns the folder.
    func unzip(_ zip: URL, in fixture: TestArchive) throws -> URL {
        let folder = fixture.folder.path("unzipped-\(UUID().uuidString)")
        try Shell.run("/usr/bin/unzip", ["-q", zip.path, "-d", folder.path])
        return folder
    }

    func json(_ url: URL) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func sha256(_ url: URL) throws -> String {
        SHA256.hash(data: try Data(contentsOf: url)).map { String(format: "%02x", $0) }.joined()
    }

    /// The audit log's rows of one action, oldest first, read with the sqlite3 shell.
    func auditRows(_ fixture: TestArchive, action: String) throws -> [[String: Any]] {
        let out = try Shell.run("/usr/bin/sqlite3", ["-json", fixture.root.appendingPathComponent("index.sqlite").path,
                                                     "SELECT action, outcome, purpose, items, details FROM audit_log WHERE action = '\(action)' ORDER BY seq"])
        guard !out.isEmpty else { return [] }
        return try #require(JSONSerialization.jsonObject(with: Data(out.utf8)) as? [[String: Any]])
    }

    static var schema: [String: Any] {
        get throws {
            let url = TestArchive.samples.deletingLastPathComponent().appendingPathComponent("docs/export-schema.json")
            return try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        }
    }

    /// Checks every manifest hash and size, that the manifest lists every other file, and every
    /// JSON file against its schema; returns the unzipped folder.
    @discardableResult
    func checkPackage(_ zip: URL, in fixture: TestArchive) throws -> URL {
        let folder = try unzip(zip, in: fixture)
        let manifest = try json(folder.appendingPathComponent("manifest.json"))
        let files = try #require(manifest["files"] as? [[String: Any]])
        var listed: Set<String> = []
        for file in files {
            let path = try #require(file["path"] as? String)
            listed.insert(path)
            let url = folder.appendingPathComponent(path)
            #expect(try sha256(url) == file["sha256"] as? String, "SHA-256 of \(path)")
            #expect((try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber)?.int64Value
                    == (file["bytes"] as? NSNumber)?.int64Value, "size of \(path)")
        }
        let present = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { path in
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isFolder) && !isFolder.boolValue
        }
        #expect(Set(present).subtracting(["manifest.json"]) == listed, "the manifest lists every other file")
        let schema = try Self.schema
        let validator = SchemaValidator(root: schema)
        for name in listed.union(["manifest.json"]) where name.hasSuffix(".json") && !name.contains("/") {
            let value = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent(name)))
            let problems = validator.validate(value, against: "#/$defs/\(name)")
            #expect(problems.isEmpty, "\(name): \(problems.prefix(5))")
        }
        return folder
    }

    @Test func accessPackageRoundTripsThroughUnzipWithEveryHashAndTheSchema() throws {
        let fixture = try loaded()
        let archive = try open(fixture)
        let zip = fixture.folder.path("c001.zip")
        let summary = try archive.export(customer: "C001", to: zip, purpose: "complaint", actor: Self.compliance)
        #expect(summary.recordings == 1)
        #expect(summary.sha256 == (try sha256(zip)))
        #expect(summary.bytes == (try FileManager.default.attributesOfItem(atPath: zip.path)[.size] as? NSNumber)?.int64Value)
        let folder = try checkPackage(zip, in: fixture)

        let calls = try #require(try json(folder.appendingPathComponent("calls.json"))["calls"] as? [[String: Any]])
        // Every CDR record linked to the customer (search may fold the legs of one conversation; the export does not).
        let linked = try fixture.sql("SELECT 'call-' || c.item_id FROM item_customers c JOIN items i ON i.id = c.item_id WHERE c.customer_id = 'C001' AND i.kind = 'call'")
            .split(separator: "\n").map(String.init)
        #expect(Set(calls.compactMap { $0["id"] as? String }) == Set(linked), "exactly the customer's CDR records")
        #expect(calls.count == 8, "samples/README.md: C001 has 8 CDR records in Master.csv")
        let outbound = calls.filter { $0["direction"] as? String == "outbound" }
        #expect(!outbound.isEmpty && outbound.allSatisfy { $0["legal_basis"] as? String == "legal-obligation" })
        #expect(calls.allSatisfy { $0.keys.contains("retain_until") && $0["retention_class"] is String })
        let sms = try #require(try json(folder.appendingPathComponent("sms.json"))["sms"] as? [[String: Any]])
        #expect(!sms.isEmpty, "the samples send C001 SMS")
        let csvLines = try String(contentsOf: folder.appendingPathComponent("calls.csv"), encoding: .utf8)
            .split(separator: "\r\n", omittingEmptySubsequences: true)
        #expect(csvLines.count == calls.count + 1)

        // The recording is the ingested file, byte for byte.
        let recordings = try #require(try json(folder.appendingPathComponent("recordings.json"))["recordings"] as? [[String: Any]])
        #expect(recordings.count == 1)
        let file = try #require(recordings.first?["file"] as? String)
        let original = try #require(FileManager.default.enumerator(atPath: TestArchive.samples.appendingPathComponent("asterisk/monitor").path)?
            .compactMap { $0 as? String }.first { $0.hasSuffix("1792736062.57.wav") })
        #expect(try Data(contentsOf: folder.appendingPathComponent(file))
                == Data(contentsOf: TestArchive.samples.appendingPathComponent("asterisk/monitor/\(original)")))
        #expect(recordings.first?["call"] is String)

        // Art. 15(1)(a)–(h) and 15(2): every key present and non-empty.
        let information = try json(folder.appendingPathComponent("information.json"))
        for key in ["purposes", "categories", "recipients", "retention", "rights", "complaint", "sources",
                    "automated_decision_making", "transfers_outside_eea"] {
            let value = information[key]
            #expect(value != nil && !((value as? [Any])?.isEmpty ?? false) && !((value as? String)?.isEmpty ?? false), "\(key)")
        }
        let readme = try String(contentsOf: folder.appendingPathComponent("README.txt"), encoding: .utf8)
        #expect(readme.contains("tietosuojavaltuutettu") && readme.contains("PL 800, 00531 Helsinki"))
    }

    @Test func consultationsListPurposeAndRoleButNoStaffName() throws {
        let fixture = try loaded()
        let archive = try open(fixture)
        let call = try #require(try archive.search(SearchQuery(customer: "C001", kind: .call, limit: 1), actor: fixture.actor).items.first)
        let agent = Actor.test("anna.agentname", .lead)
        _ = try archive.show(call.id.description, purpose: "billing-dispute", actor: agent)
        _ = try archive.search(SearchQuery(customer: "C002"), purpose: "complaint", actor: agent)
        let zip = fixture.folder.path("c001.zip")
        _ = try archive.export(customer: "C001", to: zip, purpose: "complaint", actor: Self.compliance)
        let folder = try checkPackage(zip, in: fixture)
        let consultations = try #require(try json(folder.appendingPathComponent("consultations.json"))["consultations"] as? [[String: Any]])
        let show = consultations.filter { $0["action"] as? String == "show" }
        #expect(show.count == 1)
        #expect(show.first?["purpose"] as? String == "billing-dispute")
        #expect(show.first?["role"] as? String == "customer-service staff")
        #expect(show.first?["items"] as? [String] == [call.id.description])
        #expect(!consultations.contains { $0["purpose"] as? String == "complaint" && $0["action"] as? String == "search" },
                "a search that returned only C002's items is not a consultation of C001 (unless it hit a shared item)")
        for name in try FileManager.default.subpathsOfDirectory(atPath: folder.path) where name.hasSuffix(".json") || name.hasSuffix(".csv") || name.hasSuffix(".txt") {
            let text = try String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
            #expect(!text.contains("anna.agentname") && !text.contains("tester") && !text.contains("carla.compliance"), "\(name) names no staff")
        }
        // The export itself is logged once, with ranges, the purpose and the file name.
        let entries = try auditRows(fixture, action: "export")
        #expect(entries.count == 1)
        #expect(entries.first?["purpose"] as? String == "complaint")
        #expect((entries.first?["items"] as? String)?.contains("customer:C001") == true)
        #expect((entries.first?["items"] as? String)?.contains("rec-") == true)
        #expect((entries.first?["details"] as? String)?.contains("c001.zip") == true)
        let logged = "\(entries.first?["items"] ?? "") \(entries.first?["details"] ?? "")"
        #expect(!logged.contains("Mäkinen") && !logged.contains("+35840") && !logged.contains("0401234567"))
    }

    @Test func heldItemsAreStillIncluded() throws {
        let fixture = try loaded()
        let archive = try open(fixture)
        let before = try archive.export(customer: "C001", to: fixture.folder.path("before.zip"), purpose: "complaint", actor: Self.compliance)
        _ = try archive.placeHold(HoldRequest(caseName: "dispute 1", reason: "evidence", customers: ["C001"]), actor: Self.compliance)
        let held = try archive.search(SearchQuery(customer: "C001", limit: 1000), actor: fixture.actor)
        #expect(held.items.allSatisfy { !$0.holds.isEmpty })
        let after = try archive.export(customer: "C001", to: fixture.folder.path("after.zip"), purpose: "legal-claim", actor: Self.compliance)
        #expect(after.items == before.items && after.recordings == 1, "R31: a legal hold does not block access")
    }

    @Test func portabilityKeepsOnlyContractAndConsentItemsAndNoConsultations() throws {
        let fixture = try loaded()
        let archive = try open(fixture)
        let access = try archive.export(customer: "C001", to: fixture.folder.path("access.zip"), purpose: "complaint", actor: Self.compliance)
        let zip = fixture.folder.path("portable.zip")
        let summary = try archive.export(customer: "C001", to: zip, purpose: "complaint", options: ExportOptions(portability: true),
                                         actor: Self.compliance)
        let folder = try checkPackage(zip, in: fixture)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("consultations.json").path))
        #expect(summary.recordings == 0, "recordings are kept on legitimate interest")
        let calls = try #require(try json(folder.appendingPathComponent("calls.json"))["calls"] as? [[String: Any]])
        #expect(!calls.isEmpty && calls.allSatisfy { $0["legal_basis"] as? String == "contract" })
        #expect(calls.allSatisfy { $0["direction"] as? String != "outbound" }, "R35: legal-obligation items stay out")
        #expect(calls.allSatisfy { $0["agent"] == nil && $0["retain_until"] == nil }, "no internal data")
        #expect(summary.calls < access.calls)
        let manifest = try json(folder.appendingPathComponent("manifest.json"))
        #expect(manifest["kind"] as? String == "portability")
    }

    @Test func rolesPurposeAndRestriction() throws {
        let fixture = try loaded()
        let archive = try open(fixture)
        let zip = fixture.folder.path("x.zip")
        let lead = Actor.test("lee", .lead)
        #expect(throws: (any Error).self) { _ = try archive.export(customer: "C001", to: zip, purpose: "complaint", actor: lead) }
        #expect(throws: (any Error).self) { _ = try archive.export(customer: "C001", to: zip, purpose: "curiosity", actor: Self.compliance) }
        #expect(throws: (any Error).self) { _ = try archive.export(customer: "C999", to: zip, purpose: "complaint", actor: Self.compliance) }
        #expect(!FileManager.default.fileExists(atPath: zip.path))
        let denied = try auditRows(fixture, action: "export")
        #expect(denied.map { $0["outcome"] as? String } == ["denied", "denied", "failed"])

        // Admin sees no personal data (PermissionTable: export is compliance's only).
        let admin = Actor.test("adam", .admin)
        let adminExport = #expect(throws: ArchiveFailure.self) { _ = try archive.export(customer: "C002", to: zip, purpose: "complaint", actor: admin) }
        #expect(adminExport?.message.contains("the admin role may not export") == true)
        // An erasure request restricts C001: compliance may still answer an access request.
        _ = try archive.openRequest(customer: "C001", type: .erasure, actor: Self.compliance)
        #expect(throws: (any Error).self) { _ = try archive.export(customer: "C001", to: zip, purpose: "complaint", actor: admin) }
        let summary = try archive.export(customer: "C001", to: zip, purpose: "complaint", actor: Self.compliance)
        #expect(summary.items > 0)
        let folder = try checkPackage(zip, in: fixture)
        let customer = try json(folder.appendingPathComponent("customer.json"))
        #expect(customer["restricted"] as? Bool == true)

        // Never over an existing file unless asked; no temporary file left behind.
        #expect(throws: (any Error).self) { _ = try archive.export(customer: "C001", to: zip, purpose: "complaint", actor: Self.compliance) }
        _ = try archive.export(customer: "C001", to: zip, purpose: "complaint", options: ExportOptions(overwrite: true), actor: Self.compliance)
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.folder.url.path).allSatisfy { !$0.hasSuffix(".part") })
    }

    @Test func answersARequestOfTheRightCustomerAndType() throws {
        let fixture = try loaded()
        let archive = try open(fixture)
        let access = try archive.openRequest(customer: "C001", type: .access, actor: Self.compliance)
        let other = try archive.openRequest(customer: "C002", type: .access, actor: Self.compliance)
        #expect(throws: (any Error).self) {
            _ = try archive.export(customer: "C001", to: fixture.folder.path("a.zip"), purpose: "complaint",
                                   options: ExportOptions(request: other.id), actor: Self.compliance)
        }
        let zip = fixture.folder.path("b.zip")
        _ = try archive.export(customer: "C001", to: zip, purpose: "complaint", options: ExportOptions(request: access.id), actor: Self.compliance)
        let manifest = try json(checkPackage(zip, in: fixture).appendingPathComponent("manifest.json"))
        #expect(manifest["request"] as? String == access.id)
    }

    /// The schema check is only as good as its validator: it must reject what it should.
    @Test func theSchemaValidatorRejectsWrongTypesMissingAndExtraKeys() {
        let schema: [String: Any] = ["$defs": ["x": ["type": "object", "required": ["a"], "properties": ["a": ["type": "integer"]],
                                                   "additionalProperties": false]]]
        let validator = SchemaValidator(root: schema)
        #expect(validator.validate(["a": 1], against: "#/$defs/x").isEmpty)
        #expect(!validator.validate(["a": "1"], against: "#/$defs/x").isEmpty)
        #expect(!validator.validate([String: Any](), against: "#/$defs/x").isEmpty)
        #expect(!validator.validate(["a": 1, "b": 2], against: "#/$defs/x").isEmpty)
    }
}

/// A JSON Schema (2020-12) validator for the keywords docs/export-schema.json uses: type,
/// enum, const, required, properties, additionalProperties, items, minItems, minimum,
/// minLength, pattern, format date-time and local $ref. An unknown keyword fails loudly, so
/// the schema cannot silently outgrow the check.
struct SchemaValidator {
    let root: [String: Any]
    static let known: Set<String> = ["$schema", "$id", "title", "description", "$defs", "type", "enum", "const", "required",
                                     "properties", "additionalProperties", "items", "minItems", "minimum", "minLength", "pattern",
                                     "format", "$ref"]

    func validate(_ value: Any, against reference: String) -> [String] {
        guard let schema = resolve(reference) else { return ["unresolvable \(reference)"] }
        var problems: [String] = []
        check(value, schema, path: "$", problems: &problems)
        return problems
    }

    func resolve(_ reference: String) -> [String: Any]? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: Any = root
        for part in reference.dropFirst(2).split(separator: "/") {
            let key = part.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let object = node as? [String: Any], let next = object[key] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    static func typeName(_ value: Any) -> String {
        switch value {
        case is NSNull: return "null"
        case let n as NSNumber:
            if String(cString: n.objCType) == "c" { return "boolean" }
            return n.doubleValue.rounded() == n.doubleValue ? "integer" : "number"
        case is String: return "string"
        case is [Any]: return "array"
        case is [String: Any]: return "object"
        default: return "unknown"
        }
    }

    func check(_ value: Any, _ schema: [String: Any], path: String, problems: inout [String]) {
        for key in schema.keys where !Self.known.contains(key) { problems.append("\(path): unsupported keyword \(key)") }
        if let reference = schema["$ref"] as? String {
            guard let target = resolve(reference) else { problems.append("\(path): unresolvable \(reference)"); return }
            check(value, target, path: path, problems: &problems)
        }
        let actual = Self.typeName(value)
        if let type = schema["type"] {
            let allowed = (type as? [String]) ?? [(type as? String) ?? ""]
            let ok = allowed.contains(actual) || (actual == "integer" && allowed.contains("number"))
            if !ok { problems.append("\(path): \(actual), expected \(allowed)"); return }
        }
        if let options = schema["enum"] as? [Any], !options.contains(where: { Self.equal($0, value) }) {
            problems.append("\(path): not one of \(options)")
        }
        if let constant = schema["const"], !Self.equal(constant, value) { problems.append("\(path): not \(constant)") }
        if let text = value as? String {
            if let minimum = schema["minLength"] as? Int, text.count < minimum { problems.append("\(path): shorter than \(minimum)") }
            if let pattern = schema["pattern"] as? String, text.range(of: pattern, options: .regularExpression) == nil {
                problems.append("\(path): '\(text.prefix(40))' does not match \(pattern)")
            }
            if schema["format"] as? String == "date-time", (try? Date.ISO8601FormatStyle().parse(text)) == nil {
                problems.append("\(path): '\(text)' is not a date-time")
            }
        }
        if let number = value as? NSNumber, actual != "boolean", let minimum = (schema["minimum"] as? NSNumber)?.doubleValue,
           number.doubleValue < minimum {
            problems.append("\(path): below \(minimum)")
        }
        if let array = value as? [Any] {
            if let minimum = schema["minItems"] as? Int, array.count < minimum { problems.append("\(path): fewer than \(minimum) items") }
            if let items = schema["items"] as? [String: Any] {
                for (index, element) in array.enumerated() { check(element, items, path: "\(path)[\(index)]", problems: &problems) }
            }
        }
        if let object = value as? [String: Any] {
            for key in (schema["required"] as? [String]) ?? [] where object[key] == nil { problems.append("\(path): missing \(key)") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, element) in object {
                if let property = properties[key] as? [String: Any] {
                    check(element, property, path: "\(path).\(key)", problems: &problems)
                } else if let extra = schema["additionalProperties"] as? [String: Any] {
                    check(element, extra, path: "\(path).\(key)", problems: &problems)
                } else if let allowed = schema["additionalProperties"] as? Bool, !allowed {
                    problems.append("\(path): unexpected \(key)")
                }
            }
        }
    }

    static func equal(_ a: Any, _ b: Any) -> Bool {
        switch (a, b) {
        case (is NSNull, is NSNull): return true
        case (let x as String, let y as String): return x == y
        case (let x as NSNumber, let y as NSNumber): return x == y
        default: return false
        }
    }
}
