/// The two G.711 companding laws (ITU-T G.711), as the tables the recording codec needs.
///
/// The codec never re-quantises: it only renames samples. A code's *rank* is its place among
/// the 256 codes ordered by the linear value they decode to (ties, µ-law's two zeros, broken
/// by the code), so code ↔ rank is a bijection and a residual in the rank domain is exact.
enum G711Law: UInt8, Sendable {
    case aLaw = 1
    case muLaw = 2

    /// Decodes one code to 16-bit linear (G.711's reference decoder, as sox and Asterisk use it).
    static func decode(_ code: UInt8, law: G711Law) -> Int16 {
        switch law {
        case .aLaw:
            let c = code ^ 0x55
            var t = Int32(c & 0x0F) << 4
            let segment = Int32((c & 0x70) >> 4)
            switch segment {
            case 0: t += 8
            case 1: t += 0x108
            default: t = (t + 0x108) << (segment - 1)
            }
            return Int16(c & 0x80 != 0 ? t : -t)
        case .muLaw:
            let c = ~code
            var t = (Int32(c & 0x0F) << 3) + 0x84
            t <<= Int32((c & 0x70) >> 4)
            return Int16(c & 0x80 != 0 ? 0x84 - t : t - 0x84)
        }
    }

    /// The tables of one law, built once.
    static let aLawTables = G711Tables(.aLaw)
    static let muLawTables = G711Tables(.muLaw)

    var tables: G711Tables { self == .aLaw ? Self.aLawTables : Self.muLawTables }
}

/// Lookup tables of one G.711 law.
struct G711Tables: Sendable {
    /// Rank of each code (0 = most negative linear value).
    let rankOfCode: [UInt8]
    /// Code of each rank.
    let codeOfRank: [UInt8]
    /// Linear value of each rank (non-decreasing).
    let linearOfRank: [Int32]
    /// For every 16-bit linear value (offset by 32768): the rank whose linear value is nearest.
    let nearestRank: [UInt8]
    /// For every 16-bit linear value (offset by 32768): 1 + the code that decodes to exactly that
    /// value (the lowest such code), or 0 when no code does: the value is off the grid.
    let codeOnGrid: [UInt16]

    init(_ law: G711Law) {
        let linear = (0..<256).map { Int32(G711Law.decode(UInt8($0), law: law)) }
        let order = (0..<256).sorted { linear[$0] != linear[$1] ? linear[$0] < linear[$1] : $0 < $1 }
        var rankOfCode = [UInt8](repeating: 0, count: 256)
        for (rank, code) in order.enumerated() { rankOfCode[code] = UInt8(rank) }
        self.rankOfCode = rankOfCode
        codeOfRank = order.map { UInt8($0) }
        linearOfRank = order.map { linear[$0] }
        var nearest = [UInt8](repeating: 0, count: 65536)
        var rank = 0
        for value in -32768...32767 {
            while rank < 255 && abs(linearOfRank[rank + 1] - Int32(value)) <= abs(linearOfRank[rank] - Int32(value)) {
                rank += 1
            }
            nearest[value + 32768] = UInt8(rank)
        }
        nearestRank = nearest
        var grid = [UInt16](repeating: 0, count: 65536)
        for code in (0..<256).reversed() { grid[Int(linear[code]) + 32768] = UInt16(code) + 1 }
        codeOnGrid = grid
    }
}
