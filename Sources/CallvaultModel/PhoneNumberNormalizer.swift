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

    /// Countries whose national numbers keep their leading 0 after the country code (Italy,
    /// San Marino, Vatican): for every other home country `+358 040…` is read as `+358 40…`.
    private static let keepsTrunkZero: Set<String> = ["39", "378", "379"]

    /// Normalises one number as written anywhere (CDR, customer file, search box).
    public func normalize(_ written: String) -> PhoneNumber { classify(written).number }

    /// Why `written` is not a usable number, for a person who must correct it; nil when it is
    /// a public number, an extension or a withheld marker.
    public func unusableReason(_ written: String) -> String? { classify(written).reason }

    private func classify(_ written: String) -> (number: PhoneNumber, reason: String?) {
        let raw = String(written.trimmedASCIIWhitespace)
        func unknown(_ reason: String) -> (PhoneNumber, String?) { (PhoneNumber(raw: raw, e164: nil, category: .unknown), reason) }
        func withheld() -> (PhoneNumber, String?) { (PhoneNumber(raw: raw, e164: nil, category: .withheld), nil) }
        func e164(_ digits: Substring) -> (PhoneNumber, String?) { (PhoneNumber(raw: raw, e164: "+" + digits, category: .e164), nil) }
        // Strip the separators people and PBXs write; anything else makes the value not a number.
        // A trunk prefix written in parentheses after a country code (`+358 (0)40…`,
        // `+44 (0)20…`) is not dialled from abroad and is dropped.
        var digits = ""
        var leadingPlus = false
        var other = false
        var groupStart: Int?
        for (offset, byte) in raw.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "+") where offset == 0: leadingPlus = true
            case UInt8(ascii: "("): groupStart = digits.count
            case UInt8(ascii: ")"):
                // Only right after a country code (1 to 3 digits after the + or 00).
                let prefix = leadingPlus ? 0 : (digits.hasPrefix("00") ? 2 : nil)
                if let start = groupStart, let prefix, (1...3).contains(start - prefix), digits.count == start + 1, digits.last == "0" {
                    digits.removeLast()
                }
                groupStart = nil
            case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "/"): continue
            case 0xC2, 0xA0: continue // no-break space
            default: other = true
            }
        }
        if other || raw.isEmpty {
            if Self.withheldMarkers.contains(raw.lowercased()) { return withheld() }
            return unknown("has characters other than digits and the separators + ( ) . / - and spaces")
        }
        if raw == "0" || digits.isEmpty { return withheld() }
        if leadingPlus || digits.hasPrefix("00") {
            var international = digits.dropFirst(leadingPlus ? 0 : 2)
            if international.hasPrefix(countryCode + "0"), !Self.keepsTrunkZero.contains(countryCode) {
                // `+358 040…`: the home trunk prefix written after the country code.
                international = international.prefix(countryCode.count) + international.dropFirst(countryCode.count + 1)
            }
            guard international.first != "0" else { return unknown("no country code starts with 0") }
            guard international.count >= 7 && international.count <= 15 else {
                return unknown("an international number has 7 to 15 digits after the \(leadingPlus ? "+" : "00") (this has \(international.count))")
            }
            return e164(international)
        }
        if digits.count <= maxExtensionLength {
            return (PhoneNumber(raw: raw, e164: nil, category: .extension), nil)
        }
        if digits.hasPrefix("0") {
            let national = digits.dropFirst()
            guard national.count >= 5 && national.count + countryCode.count <= 15 else {
                return unknown("a national number has 5 to \(15 - countryCode.count) digits after its leading 0 (this has \(national.count))")
            }
            return e164(Substring(countryCode) + national)
        }
        // Digits without a trunk prefix: either already international (358401234567) or unknown.
        if digits.hasPrefix(countryCode) && digits.count >= countryCode.count + 5 && digits.count <= 15 {
            return e164(Substring(digits))
        }
        return unknown("not a national number (leading 0), an international one (+, 00 or \(countryCode)…) nor an extension (up to \(maxExtensionLength) digits)")
    }
}
