extension Sequence where Element == UInt8 {
    /// The bytes in lowercase hexadecimal (a digest as the archive writes it): one pass, no
    /// formatter per byte (`String(format:)` made an audit entry's hash a tenth of a search).
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(underestimatedCount * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
