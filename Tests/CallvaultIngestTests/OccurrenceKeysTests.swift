import Testing
@testable import CallvaultIngest

/// A file's repeated source keys are numbered `key#2`, `key#3`, … in the file's order, the same on
/// every run, while what is remembered per key stays the same size however long the key is.
@Suite struct OccurrenceKeysTests {
    @Test func theNthRecordWithAKeyIsNumberedFromItsSecondOccurrenceOn() {
        var keys = OccurrenceKeys()
        #expect(["a", "b", "a", "a", "b", "c"].map { keys.next($0) } == ["a", "b", "a#2", "a#3", "b#2", "c"])
    }

    @Test func keysSharingLongPrefixesOrDifferingInOneByteStayApart() {
        var keys = OccurrenceKeys()
        let prefix = String(repeating: "kannel:2026-10-23 06:02:44:+358401234567:+358923456789:", count: 20)
        let distinct = (0..<5_000).map { prefix + String($0) }
        #expect(distinct.map { keys.next($0) } == distinct, "a distinct key was numbered as a repeat")
        #expect(keys.next(prefix + "4999") == prefix + "4999#2")
        #expect(keys.distinctKeys == 5_000)
    }

    @Test func theNumberingIsTheSameInEveryProcess() {
        // FNV-1a's published values: the digest does not depend on Swift's per-process hash seed.
        #expect(OccurrenceKeys.fnv1a64("") == 0xcbf2_9ce4_8422_2325)
        #expect(OccurrenceKeys.fnv1a64("a") == 0xaf63_dc4c_8601_ec8c)
        #expect(OccurrenceKeys.fnv1a64("foobar") == 0x8594_4171_f739_67e8)
        #expect(OccurrenceKeys.mix(0) == 0)
        #expect(OccurrenceKeys.digest("a") == OccurrenceKeys.mix(0xaf63_dc4c_8601_ec8c))
    }
}
