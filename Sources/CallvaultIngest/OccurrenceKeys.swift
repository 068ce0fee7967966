/// Numbers repeated source keys within one file: the nth record of a file with the same key is
/// the nth message (a customer pressing send twice, a gateway's retry), so it gets the key
/// `key#n` from its second occurrence on. The numbering depends only on the file's own lines,
/// so re-ingesting the file (or a longer copy of it) yields the same keys and adds nothing.
///
/// Every record of a file passes through here, so what is remembered per key is a fixed-size
/// digest, not the key's text: a gateway log of millions of lines would otherwise hold every
/// line's key in memory until the file ends. The digest is a stable 64-bit hash (the same in
/// every process, unlike Swift's seeded `Hasher`), so the numbering is the same on every run;
/// two different keys with one digest (about 3 chances in 100 million for a million-line file) would
/// only number the second `#2`, the same way on every run: still stored, never lost or doubled.
public struct OccurrenceKeys: Sendable {
    private var seen: [UInt64: UInt32] = [:]

    public init() {}

    /// The key of the next record whose own key is `key`.
    public mutating func next(_ key: String) -> String {
        let digest = Self.digest(key)
        let count = (seen[digest] ?? 0) &+ 1
        seen[digest] = count
        return count == 1 ? key : "\(key)#\(count)"
    }

    /// How many distinct keys (digests) the file has shown so far.
    var distinctKeys: Int { seen.count }

    /// FNV-1a over the key's UTF-8 bytes, finished with MurmurHash3's 64-bit mix so that keys
    /// differing in their last bytes spread over all 64 bits.
    static func digest(_ key: String) -> UInt64 { mix(fnv1a64(key)) }

    /// The 64-bit FNV-1a hash (offset basis 14695981039346656037, prime 1099511628211).
    static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// MurmurHash3's `fmix64` finaliser.
    static func mix(_ value: UInt64) -> UInt64 {
        var hash = value
        hash ^= hash >> 33
        hash &*= 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        hash &*= 0xc4ce_b9fe_1a85_ec53
        hash ^= hash >> 33
        return hash
    }
}
