import Foundation
public import CallvaultModel

/// A hold in `hold list` / `hold show --json`.
public struct HoldJSON: Encodable {
    public struct Scope: Encodable { var kind: String; var value: String }
    var id: String
    var `case`: String
    var reason: String
    var scopes: [Scope]
    var from: Date?
    var to: Date?
    var placed_by: String
    var placed_at: Date
    var released_by: String?
    var released_at: Date?
    var release_reason: String?
    var active: Bool
    var items: Int

    public init(_ hold: Hold) {
        id = hold.id
        `case` = hold.caseName
        reason = hold.reason
        scopes = hold.scopes.map { Scope(kind: $0.kind.rawValue, value: $0.value) }
        from = hold.from
        to = hold.to
        placed_by = hold.placedBy
        placed_at = hold.placedAt
        released_by = hold.releasedBy
        released_at = hold.releasedAt
        release_reason = hold.releaseReason
        active = hold.isActive
        items = hold.coveredItems
    }

    enum CodingKeys: String, CodingKey {
        case id, `case`, reason, scopes, from, to, placed_by, placed_at, released_by, released_at, release_reason, active, items
    }

    // Absent optionals are written as null, so every hold has the same keys.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(`case`, forKey: .`case`)
        try c.encode(reason, forKey: .reason)
        try c.encode(scopes, forKey: .scopes)
        try c.encode(from, forKey: .from)
        try c.encode(to, forKey: .to)
        try c.encode(placed_by, forKey: .placed_by)
        try c.encode(placed_at, forKey: .placed_at)
        try c.encode(released_by, forKey: .released_by)
        try c.encode(released_at, forKey: .released_at)
        try c.encode(release_reason, forKey: .release_reason)
        try c.encode(active, forKey: .active)
        try c.encode(items, forKey: .items)
    }
}
