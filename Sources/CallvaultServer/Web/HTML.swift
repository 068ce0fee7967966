/// A piece of HTML. Built by string interpolation in which every interpolated value is escaped,
/// except another `HTML` value (already safe): nothing from the archive or the request can reach
/// a page unescaped.
///
/// ```swift
/// let name = "<script>"
/// let cell: HTML = "<td>\(name)</td>"    // <td>&lt;script&gt;</td>
/// ```
public struct HTML: Sendable, Equatable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The markup.
    public private(set) var text: String

    /// Markup trusted as written (only for literals in this module).
    init(trusted text: String) { self.text = text }

    public init(stringLiteral value: String) { text = value }

    public init(stringInterpolation: Interpolation) { text = stringInterpolation.text }

    public var description: String { text }

    /// Empty markup.
    public static let empty = HTML(trusted: "")

    /// The interpolation that escapes everything but `HTML`.
    public struct Interpolation: StringInterpolationProtocol {
        var text = ""

        public init(literalCapacity: Int, interpolationCount: Int) { text.reserveCapacity(literalCapacity * 2) }

        public mutating func appendLiteral(_ literal: String) { text += literal }

        /// Escaped text.
        public mutating func appendInterpolation(_ value: String) { text += HTML.escape(value) }

        /// Escaped text, or nothing for nil.
        public mutating func appendInterpolation(_ value: String?) { text += HTML.escape(value ?? "") }

        /// Already-safe markup.
        public mutating func appendInterpolation(_ html: HTML) { text += html.text }

        /// Pieces of markup, one after another.
        public mutating func appendInterpolation(_ pieces: [HTML]) { for piece in pieces { text += piece.text } }

        public mutating func appendInterpolation(_ value: Int) { text += String(value) }

        public mutating func appendInterpolation(_ value: Int64) { text += String(value) }

        /// Any other value, described and escaped.
        public mutating func appendInterpolation<T: CustomStringConvertible>(_ value: T) { text += HTML.escape(value.description) }
    }

    /// `text` with the five characters that matter in HTML text and attribute values escaped.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters other than tab and newlines have no place on a page.
                if scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r" || scalar.value == 0x7F {
                    out += "\u{FFFD}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// `value` percent-encoded for a query string or a path segment.
    public static func urlComponent(_ value: String) -> String {
        let allowed = CharacterSetASCII.unreserved
        var out = ""
        for byte in value.utf8 {
            if allowed.contains(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }

    /// A query string (`?a=1&b=2`) of the non-empty values, in order; empty if none.
    public static func query(_ pairs: [(String, String?)]) -> String {
        let present = pairs.compactMap { key, value in value.flatMap { $0.isEmpty ? nil : "\(key)=\(urlComponent($0))" } }
        return present.isEmpty ? "" : "?" + present.joined(separator: "&")
    }
}

/// RFC 3986 unreserved characters as bytes.
enum CharacterSetASCII {
    static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))
}
