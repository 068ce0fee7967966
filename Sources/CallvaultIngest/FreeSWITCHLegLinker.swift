/// Gives the two legs of one FreeSWITCH call the same linked id when their CSV lines name each
/// other only one way, as `mod_cdr_csv` writes them: the a-leg's `bleg_uuid` holds the b-leg's
/// uuid, the b-leg's is empty. A line alone cannot tell which leg it is (with both named, the
/// smaller uuid is the linked id either way round); the linker remembers the linked id it gave
/// each uuid in the last `capacity` lines of a file, so a leg takes the id its partner already got,
/// whichever comes first. Legs in different files fall back to the one-line rule.
public struct FreeSWITCHLegLinker: Sendable {
    /// Uuids remembered (a call's legs are written within moments of each other).
    public let capacity: Int
    private var linked: [String: String] = [:]
    private var order: [String] = []
    private var oldest = 0

    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// The linked id of the leg `uuid` whose line names `bleg` (nil or empty: none).
    public mutating func linkedID(uuid: String, bleg: String?) -> String {
        let partner = bleg.flatMap { $0.isEmpty || $0 == uuid ? nil : $0 }
        let id = partner.flatMap { linked[$0] } ?? linked[uuid] ?? partner.map { min(uuid, $0) } ?? uuid
        remember(uuid, id)
        if let partner { remember(partner, id) }
        return id
    }

    private mutating func remember(_ uuid: String, _ id: String) {
        if linked.updateValue(id, forKey: uuid) != nil { return }
        if order.count < capacity {
            order.append(uuid)
        } else {
            linked[order[oldest]] = nil
            order[oldest] = uuid
            oldest = (oldest + 1) % capacity
        }
    }
}
