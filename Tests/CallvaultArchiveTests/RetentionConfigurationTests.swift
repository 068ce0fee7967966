import Foundation
import Testing
import CallvaultArchive
import CallvaultConfiguration
import CallvaultModel
import CallvaultPolicy

/// `[retention]`, `[retention.classes.NAME]` and `[[retention.rules]]` in callvault.toml.
@Suite struct RetentionConfigurationTests {
    @Test func aNewArchivesFileReadsBackAsTheShippedDefaults() throws {
        let text = ArchiveConfiguration().rendered()
        #expect(text.contains("[[retention.rules]]"))
        #expect(text.contains("[retention.classes.recording]"))
        let parsed = try ArchiveConfiguration.parse(text)
        #expect(parsed.retention == RetentionPolicy.defaults)
        #expect(parsed == ArchiveConfiguration())
    }

    @Test func classesAndOrderedRulesAreRead() throws {
        let config = try ArchiveConfiguration.parse("""
            [retention]
            audit_log_period = "P3Y"

            [retention.classes.complaint]
            period = "P24M"
            from = "item"
            legal_basis = "legitimate-interest"
            erasable_early = false
            description = "Recordings of complaints"

            [retention.classes.billing]
            period = "P3Y"
            from = "relationship_end"
            legal_basis = "contract"
            erasable_early = false

            [retention.classes.short]
            period = "P3M"
            legal_basis = "consent"
            erasable_early = true

            [[retention.rules]]
            class = "complaint"
            kind = "recording"
            tags = ["complaint", "dispute"]

            [[retention.rules]]
            class = "short"
            kind = ["recording"]
            queue = "sales"
            direction = ["outbound"]

            [[retention.rules]]
            class = "billing"
            """)
        let policy = config.retention
        #expect(policy.auditLogPeriod == RetentionPeriod(years: 3))
        #expect(policy.classes.count == 3)
        #expect(policy.classes["billing"]?.from == .relationshipEnd)
        #expect(policy.classes["short"]?.from == .item, "from defaults to the item's time")
        #expect(policy.classes["complaint"]?.description == "Recordings of complaints")
        #expect(policy.rules == [
            RetentionRule(className: "complaint", kinds: [.recording], tags: ["complaint", "dispute"]),
            RetentionRule(className: "short", kinds: [.recording], directions: [.outbound], contexts: ["sales"]),
            RetentionRule(className: "billing"),
        ])
        // What is written reads back the same.
        var copy = ArchiveConfiguration()
        copy.retention = policy
        #expect(try ArchiveConfiguration.parse(copy.rendered()).retention == policy)
    }

    @Test func rulesAloneUseTheShippedClasses() throws {
        let config = try ArchiveConfiguration.parse("""
            [[retention.rules]]
            class = "recording"
            """)
        #expect(config.retention.rules == [RetentionRule(className: "recording")])
        #expect(config.retention.classes == RetentionPolicy.defaults.classes)
    }

    @Test func thePlaceholderOfOlderArchivesStillOpens() throws {
        let config = try ArchiveConfiguration.parse("[retention]\ncall_days = 365\nsms_days = 365\nrecording_days = 365\n")
        #expect(config.retention == RetentionPolicy.defaults)
    }

    @Test(arguments: [
        ("[retention]\naudit_log_period = \"P1Y\"\n", "two years"),
        ("[retention]\naudit_log_period = \"two years\"\n", "line 2"),
        ("[retention.classes.x]\nperiod = \"12 months\"\nlegal_basis = \"contract\"\nerasable_early = true\n", "line 1"),
        ("[retention.classes.x]\nperiod = \"P1Y\"\nlegal_basis = \"whim\"\nerasable_early = true\n", "legal_basis"),
        ("[retention.classes.x]\nperiod = \"P1Y\"\nlegal_basis = \"contract\"\n", "erasable_early"),
        ("[retention.classes.x]\nperiod = \"P1Y\"\nlegal_basis = \"contract\"\nerasable_early = true\nfrom = \"birth\"\n", "relationship_end"),
        ("[retention.classes.x]\nperiod = \"P1Y\"\nlegal_basis = \"contract\"\nerasable_early = true\ncolour = \"red\"\n", "colour"),
        ("[[retention.rules]]\nclass = \"nope\"\n", "'nope'"),
        ("[[retention.rules]]\nkind = \"call\"\n", "needs class"),
        ("[[retention.rules]]\nclass = \"recording\"\nkind = \"fax\"\n", "fax"),
        ("[[retention.rules]]\nclass = \"recording\"\ndirection = \"sideways\"\n", "sideways"),
        ("[[retention.rules]]\nclass = \"recording\"\nclass = \"recording\"\n", "twice"),
        ("[[retention.holds]]\n", "line 1"),
        ("[retention.classes.\"a b\"]\n", "letters"),
    ])
    func mistakesNameTheLineAndWhatToDo(text: String, expected: String) {
        do {
            _ = try ArchiveConfiguration.parse(text, file: "callvault.toml")
            Issue.record("accepted: \(text)")
        } catch {
            #expect(error.message.contains(expected), "\(error.message)")
            #expect(error.message.hasPrefix("callvault.toml"))
        }
    }
}
