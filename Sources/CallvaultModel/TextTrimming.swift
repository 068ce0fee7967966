extension StringProtocol {
    /// The text without leading and trailing ASCII spaces, tabs and line breaks.
    ///
    /// Cheaper than Foundation's `trimmingCharacters(in:)` on the ingest hot path (no bridging).
    public var trimmedASCIIWhitespace: Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" || $0 == "\u{00A0}" }
        var text = Substring(self)
        while let first = text.first, isSpace(first) { text.removeFirst() }
        while let last = text.last, isSpace(last) { text.removeLast() }
        return text
    }
}
