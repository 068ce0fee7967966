/// How a word typed into a name search compares with the words `names_fts` stores.
enum NameWords {
    /// `word` as the full-text tokenizer (`unicode61 remove_diacritics 0`) stores it, when all
    /// its letters are ASCII letters and digits or Latin letters U+00C0–U+024F, where Swift's
    /// lowercasing and FTS5's case folding agree (`NameWordsTests` checks every one; × and ÷
    /// separate words, İ and ſ fold differently); nil for any other word.
    static func folded(_ word: Substring) -> String? {
        for scalar in word.unicodeScalars {
            switch scalar.value {
            case 0xD7, 0xF7, 0x130, 0x17F: return nil
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F: continue
            default: return nil
            }
        }
        return word.lowercased()
    }
}
