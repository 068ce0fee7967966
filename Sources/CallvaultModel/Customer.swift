public import Foundation

/// A customer of the company and the numbers that link items to them.
public struct Customer: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Public numbers only; extensions and withheld values never link to a customer.
    public var phones: [PhoneNumber]
    /// When the customer relationship ended, if it has.
    public var relationshipEnded: Date?

    public init(id: String, name: String, phones: [PhoneNumber], relationshipEnded: Date?) {
        self.id = id
        self.name = name
        self.phones = phones
        self.relationshipEnded = relationshipEnded
    }
}
