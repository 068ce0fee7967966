/// JSON text written by hand, for the hot paths (a search result's items, a CDR's details):
/// Foundation's JSONEncoder first builds a tree of boxed values and costs more than the rest of
/// a CDR insert, or half a search. Writes what JSONEncoder writes with `.sortedKeys` and
/// `.withoutEscapingSlashes` (the caller writes keys in sorted order): the same escapes
/// (`\b \t \n \f \r`, other control characters as `\u00xx`), and numbers as it writes them.
public struct JSONText: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// Punctuation or a literal (`{`, `,"key":`, `null`, `true`), written as is.
    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// `text` as a JSON string.
    public mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes += [UInt8(ascii: "\\"), byte]
            case 0x08: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "b")]
            case 0x09: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "t")]
            case 0x0A: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "n")]
            case 0x0C: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "f")]
            case 0x0D: bytes += [UInt8(ascii: "\\"), UInt8(ascii: "r")]
            case 0..<0x20: bytes += Array("\\u00".utf8) + [Self.hex[Int(byte >> 4)], Self.hex[Int(byte & 15)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// `text` as a JSON string, or `null`.
    public mutating func string(orNull text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    /// A list of strings.
    public mutating func strings(_ list: [String]) {
        bytes.append(UInt8(ascii: "["))
        for (i, text) in list.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            string(text)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// A number as JSONEncoder writes a Double: its shortest form, without a trailing `.0`.
    public mutating func number(_ value: Double) {
        let text = value.description
        bytes += text.hasSuffix(".0") ? Array(text.utf8.dropLast(2)) : Array(text.utf8)
    }

    /// An integer.
    public mutating func number(_ value: Int) {
        bytes += Array(String(value).utf8)
    }

    /// `true` or `false`.
    public mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    private static let hex = Array("0123456789abcdef".utf8)
}
