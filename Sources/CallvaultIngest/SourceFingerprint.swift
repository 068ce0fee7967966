/// A 64-bit FNV-1a fingerprint, for the source keys of records that carry no id of their own
/// (the same record always gets the same key, so re-ingest is a no-op).
struct SourceFingerprint {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    /// Adds bytes.
    mutating func add(_ bytes: some Sequence<UInt8>) {
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
    }

    /// Ends a field, so `["ab", "c"]` and `["a", "bc"]` differ.
    mutating func endField() { add(CollectionOfOne(0x1f)) }

    /// The fingerprint in hexadecimal.
    var hex: String { String(hash, radix: 16) }

    /// The fingerprint of `fields`, each ended by a separator.
    static func of(_ fields: [String]) -> String {
        var fingerprint = SourceFingerprint()
        for field in fields {
            fingerprint.add(field.utf8)
            fingerprint.endField()
        }
        return fingerprint.hex
    }
}
