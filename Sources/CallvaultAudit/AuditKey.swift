public import Foundation
import Crypto
import CallvaultModel

/// The key of the processing log's chain: entries are sealed with HMAC-SHA256 under it, and
/// anchors are signed with it. It is kept outside `index.sqlite` (the archive's key store), so
/// someone who can write the archive's files cannot recompute a chain that verifies.
public struct AuditKey: Sendable {
    private let key: SymmetricKey

    /// A key from its 32 bytes.
    public init(_ bytes: Data) {
        key = SymmetricKey(data: bytes)
    }

    /// 32 fresh random bytes: a new chain key or number-hashing secret.
    public static func randomBytes() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    /// HMAC-SHA256 of `text` under the key, in lowercase hex (64 characters, like a SHA-256).
    public func mac(_ text: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key).hexString
    }

    /// Names the archive in an anchor file shared by several archives without revealing the key.
    public var archiveTag: String { String(mac("callvault-archive-tag").prefix(16)) }
}
