import Foundation
public import CallvaultArchive

/// `{"customer": id, "restricted": bool}` and the active restrictions.
public struct RestrictionJSON: Encodable {
    public struct Entry: Encodable {
        var reason: String
        var request: String?
        var placed_at: Date
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(reason, forKey: .reason)
            try c.encode(request, forKey: .request)
            try c.encode(placed_at, forKey: .placed_at)
        }
        enum CodingKeys: String, CodingKey { case reason, request, placed_at }
    }
    var customer: String
    var restricted: Bool
    var restrictions: [Entry]

    public init(_ state: RestrictionState) {
        customer = state.customer
        restricted = state.restricted
        restrictions = state.restrictions.map { Entry(reason: $0.reason, request: $0.request, placed_at: $0.placedAt) }
    }
}
