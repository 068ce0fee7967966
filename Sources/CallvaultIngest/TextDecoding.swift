/// Decodes text fields from PBX exports: UTF-8 when valid, else ISO-8859-1 (legacy PBXs).
public enum TextDecoding {
    /// Decodes `bytes`; never fails. Sets `usedFallback` when the bytes were not valid UTF-8.
    public static func decode(_ bytes: some Collection<UInt8>, usedFallback: inout Bool) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        usedFallback = true
        var scalars = String.UnicodeScalarView()
        for byte in bytes { scalars.append(Unicode.Scalar(byte)) }
        return String(scalars)
    }

    /// Decodes `bytes` as UTF-8, falling back to ISO-8859-1.
    public static func decode(_ bytes: some Collection<UInt8>) -> String {
        var ignored = false
        return decode(bytes, usedFallback: &ignored)
    }
}
