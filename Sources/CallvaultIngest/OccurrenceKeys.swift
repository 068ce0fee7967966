/// Numbers repeated source keys within one file: the nth record of a file with the same key is
/// the nth message (a customer pressing send twice, a gateway's retry), so it gets the key
/// `key#n` from its second occurrence on. The numbering depends only on the file's own lines,
/// so re-ingesting the file (or a longer copy of it) yields the same keys and adds nothing.
public struct OccurrenceKeys: Sendable {
    private var seen: [String: Int] = [:]

    public init() {}

    /// The key of the next record whose own key is `key`.
    public mutating func next(_ key: String) -> String {
        let count = seen[key, default: 0] + 1
        seen[key] = count
        return count == 1 ? key : "\(key)#\(count)"
    }
}
