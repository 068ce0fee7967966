extension Array where Element == UInt8 {
    /// Appends `value` in little-endian byte order (the blob format's and ZIP's fields).
    public mutating func appendLE<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    /// The little-endian UInt32 at byte offset `at`.
    public func readLE32(_ at: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(self[at + $1]) << UInt32(8 * $1) }
    }

    /// The little-endian UInt64 at byte offset `at`.
    public func readLE64(_ at: Int) -> UInt64 {
        (0..<8).reduce(UInt64(0)) { $0 | UInt64(self[at + $1]) << UInt64(8 * $1) }
    }
}
