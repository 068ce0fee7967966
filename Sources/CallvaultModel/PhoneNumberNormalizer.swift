import Foundation

/// Turns phone numbers in any written form into `PhoneNumber` values for one home country.
///
/// National forms (`040 123 4567`, `09-1234567`), international forms (`00358…`, `+358 …`),
/// short internal extensions (agents) and anonymous markers are recognised.
public struct PhoneNumberNormalizer: Sendable {
    /// The home country's calling code without `+`, e.g. `358`.
    public let countryCode: String
    /// The longest number treated as an internal extension.
    public let maxExtensionLength: Int

    /// Creates a normaliser for the country with calling code `countryCode` (digits only).
    public init(countryCode: String = "358", maxExtensionLength: Int = 5) {
        self.countryCode = countryCode
        self.maxExtensionLength = maxExtensionLength
    }

    private static let withheldMarkers: Set<String> = [
        "", "anonymous", "withheld", "restricted", "private", "unknown", "unavailable",
        "anonymous@anonymous.invalid", "s", "0", "-",
    ]

    /// Normalises one number as written anywhere (CDR, customer file, search box).
    public func normalize(_ written: String) -> PhoneNumber {
        let raw = String(written.trimmedASCIIWhitespace)
        // Strip the separators people and PBXs write; anything else makes the value not a number.
        var digits = ""
        var leadingPlus = false
        var other = false
        for (offset, byte) in raw.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "+") where offset == 0: leadingPlus = true
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."), UInt8(ascii: "/"): continue
            case 0xC2, 0xA0: continue // no-break space
            default: other = true
            }
        }
        if other || raw.isEmpty {
            let category: PhoneNumber.Category = Self.withheldMarkers.contains(raw.lowercased()) ? .withheld : .unknown
            return PhoneNumber(raw: raw, e164: nil, category: category)
        }
        if raw == "0" { return PhoneNumber(raw: raw, e164: nil, category: .withheld) }
        if digits.isEmpty { return PhoneNumber(raw: raw, e164: nil, category: .withheld) }
        if leadingPlus {
            return digits.count >= 7 && digits.count <= 15 && digits.first != "0"
                ? PhoneNumber(raw: raw, e164: "+" + digits, category: .e164)
                : PhoneNumber(raw: raw, e164: nil, category: .unknown)
        }
        if digits.hasPrefix("00") {
            let rest = digits.dropFirst(2)
            return rest.count >= 7 && rest.count <= 15 && rest.first != "0"
                ? PhoneNumber(raw: raw, e164: "+" + rest, category: .e164)
                : PhoneNumber(raw: raw, e164: nil, category: .unknown)
        }
        if digits.count <= maxExtensionLength {
            return PhoneNumber(raw: raw, e164: nil, category: .extension)
        }
        if digits.hasPrefix("0") {
            let national = digits.dropFirst()
            return national.count >= 5 && national.count + countryCode.count <= 15
                ? PhoneNumber(raw: raw, e164: "+" + countryCode + national, category: .e164)
                : PhoneNumber(raw: raw, e164: nil, category: .unknown)
        }
        // Digits without a trunk prefix: either already international (358401234567) or unknown.
        if digits.hasPrefix(countryCode) && digits.count >= countryCode.count + 5 && digits.count <= 15 {
            return PhoneNumber(raw: raw, e164: "+" + digits, category: .e164)
        }
        return PhoneNumber(raw: raw, e164: nil, category: .unknown)
    }
}
