public import Foundation
import Crypto
import CallvaultModel

/// Keyed hashes of phone numbers for the log: "who searched for this number" stays
/// answerable, yet the log holds no number (an erasure leaves none behind).
public struct NumberHasher: Sendable {
    private let key: SymmetricKey

    /// Creates a hasher with the archive's secret (32 random bytes).
    public init(secret: Data) {
        key = SymmetricKey(data: secret)
    }

    /// `hmac:` and the first 128 bits of HMAC-SHA256 of the E.164 number (or the digits searched).
    public func hash(_ number: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data(number.utf8), using: key)
        return "hmac:" + mac.prefix(16).hexString
    }
}
