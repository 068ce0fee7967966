import Foundation
import Testing
@testable import CallvaultBlobStore
import CallvaultTesting

/// The recording codec (`ChunkCodec.modelled`): whatever the bytes and whatever the header
/// claims, a chunk decodes to exactly what was encoded; samples are modelled where it pays.
@Suite struct AudioCodecTests {
    // MARK: generators of sample data

    /// 16-bit little-endian samples.
    static func pcm(_ samples: [Int16]) -> [UInt8] {
        samples.withUnsafeBytes { Array($0) }
    }

    static func speechLike(_ count: Int, seed: UInt64, amplitude: Double = 8000, noise: Int64 = 200) -> [Int16] {
        var generator = SplitMix64(seed: seed)
        var phase = 0.0, out: [Int16] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            phase += 2 * .pi * (180 + 60 * sin(Double(i) / 3000)) / 8000
            let envelope = 0.5 + 0.5 * sin(Double(i) / 1500)
            let voice = amplitude * envelope * (sin(phase) + 0.4 * sin(3 * phase) + 0.2 * sin(5 * phase))
            let hiss = Double(Int64(bitPattern: generator.next() >> 1) % (2 * noise + 1) - noise)
            out.append(Int16(max(-32768, min(32767, voice + hiss))))
        }
        return out
    }

    /// What a PBX writes for a G.711 call recorded as 16-bit: every sample on the law's grid.
    static func onGrid(_ samples: [Int16], _ law: G711Law) -> [Int16] {
        let t = law.tables
        return samples.map { Int16(t.linearOfRank[Int(t.nearestRank[Int($0) + 32768])]) }
    }

    /// 8-bit G.711 codes of `samples`.
    static func codes(_ samples: [Int16], _ law: G711Law) -> [UInt8] {
        let t = law.tables
        return samples.map { t.codeOfRank[Int(t.nearestRank[Int($0) + 32768])] }
    }

    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }

    /// Encodes `bytes` as one chunk at file offset `offset`, decodes it, and returns the payload
    /// after checking the round trip.
    @discardableResult
    static func roundTrip(_ bytes: [UInt8], at offset: Int64 = 0, _ samples: AudioSamples?,
                          sourceLocation: SourceLocation = #_sourceLocation) throws -> [UInt8] {
        let payload = try bytes.withUnsafeBytes { try AudioChunkEncoder().encode($0, at: offset, samples: samples) }
        var decoded = [UInt8](repeating: 0xEE, count: bytes.count)
        let ok = try payload.withUnsafeBytes { p in
            try decoded.withUnsafeMutableBytes { try AudioChunkDecoder().decode(p, into: $0) }
        }
        #expect(ok, "decode failed", sourceLocation: sourceLocation)
        #expect(decoded == bytes, "round trip differs", sourceLocation: sourceLocation)
        return payload
    }

    static let layouts: [AudioSamples] = [
        .init(encoding: .pcm16, channels: 1, dataOffset: 44),
        .init(encoding: .pcm16, channels: 2, dataOffset: 45, dataBytes: 30_001),
        .init(encoding: .aLaw, channels: 1, dataOffset: 58),
        .init(encoding: .muLaw, channels: 2, dataOffset: 7),
        .init(encoding: .pcm16, channels: 16, dataOffset: 0),
    ]

    // MARK: exactness

    @Test(arguments: layouts)
    func anyBytesRoundTripWhateverTheLayoutSays(layout: AudioSamples) throws {
        let speech = Self.pcm(Self.speechLike(20_000, seed: 1))
        let inputs: [[UInt8]] = [
            [], [7], Self.random(3, seed: 2), Self.random(40_001, seed: 3),                 // noise, odd lengths
            [UInt8](repeating: 0, count: 40_000), [UInt8](repeating: 0xFF, count: 9_999),   // silence, full scale
            speech, Array(speech.dropFirst()), Array(speech.prefix(30_001)),              // misaligned samples
            Self.pcm((0..<20_000).map { $0 % 2 == 0 ? Int16.max : Int16.min }),            // full-scale square
            Self.codes(Self.speechLike(30_000, seed: 4), .aLaw), Self.codes(Self.speechLike(30_000, seed: 5), .muLaw),
            Self.pcm(Self.onGrid(Self.speechLike(20_000, seed: 6), .muLaw)),
        ]
        for input in inputs {
            for offset: Int64 in [0, 1, 44, 45, 100_000] {
                try Self.roundTrip(input, at: offset, layout)
            }
        }
    }

    @Test func randomPCMOfEveryShapeRoundTrips() throws {
        var generator = SplitMix64(seed: 99)
        for trial in 0..<40 {
            let count = Int.random(in: 0...50_000, using: &generator)
            let amplitude = [0.0, 3, 300, 12_000, 40_000][trial % 5]
            let samples = Self.speechLike(count, seed: UInt64(trial), amplitude: amplitude, noise: Int64(trial % 7) * 300)
            var bytes = Self.pcm(samples)
            if trial % 3 == 0 { bytes += [0x42] }
            let layout = AudioSamples(encoding: .pcm16, channels: 1 + trial % 3, dataOffset: Int64(trial % 4),
                                      dataBytes: trial % 2 == 0 ? nil : Int64(count))
            try Self.roundTrip(bytes, at: Int64(trial * 3), layout)
        }
    }

    @Test func aTruncatedOrLyingHeaderStillRoundTrips() throws {
        let wav = [UInt8](Samples.wav(seconds: 2, seed: 3))
        // Header cut in the middle; header claiming more data than there is; data at an odd offset.
        try Self.roundTrip(Array(wav.prefix(30)), .init(encoding: .pcm16, channels: 1, dataOffset: 44))
        try Self.roundTrip(wav, .init(encoding: .pcm16, channels: 1, dataOffset: 44, dataBytes: 1 << 40))
        try Self.roundTrip(wav, .init(encoding: .muLaw, channels: 5, dataOffset: 3, dataBytes: 17))
        try Self.roundTrip(wav, .init(encoding: .pcm16, channels: 1, dataOffset: 1_000_000))
    }

    // MARK: what the model gains

    @Test func sixteenBitSpeechIsModelledAndBeatsPlainDeflate() throws {
        let bytes = Self.pcm(Self.speechLike(100_000, seed: 8))
        let modelled = try Self.roundTrip(bytes, .init(encoding: .pcm16, channels: 1, dataOffset: 0))
        let plain = try Self.roundTrip(bytes, nil)
        #expect(modelled.first == AudioChunkFormat.modelledMode)
        #expect(plain.first == AudioChunkFormat.plainMode)
        #expect(modelled.count * 10 < plain.count * 8, "modelled \(modelled.count) vs plain \(plain.count)")
    }

    @Test(arguments: [G711Law.aLaw, .muLaw])
    func sixteenBitSamplesOnAG711GridAreCodedAsThatLawsRanks(law: G711Law) throws {
        let samples = Self.onGrid(Self.speechLike(100_000, seed: 9), law)
        let bytes = Self.pcm(samples)
        let payload = try Self.roundTrip(bytes, .init(encoding: .pcm16, channels: 1, dataOffset: 0))
        #expect(payload[1] == (law == .aLaw ? AudioChunkKind.pcm16OnALawGrid : .pcm16OnMuLawGrid).rawValue)
        // As small as the 8-bit file of the same call: the 16-bit form costs nothing more.
        let eightBit = try Self.roundTrip(Self.codes(samples, law), .init(encoding: law == .aLaw ? .aLaw : .muLaw, channels: 1, dataOffset: 0))
        #expect(payload.count <= eightBit.count + 64, "16-bit \(payload.count) vs 8-bit \(eightBit.count)")
    }

    @Test func oneSampleOffTheGridIsNeverCodedAsCodes() throws {
        var samples = Self.onGrid(Self.speechLike(20_000, seed: 10), .aLaw)
        samples[12_345] = 3  // no A-law or µ-law code decodes to 3
        let payload = try Self.roundTrip(Self.pcm(samples), .init(encoding: .pcm16, channels: 1, dataOffset: 0))
        #expect(payload[0] == AudioChunkFormat.plainMode || payload[1] == AudioChunkKind.pcm16.rawValue)
    }

    @Test func incompressibleBytesFallBackToPlainDeflate() throws {
        let payload = try Self.roundTrip(Self.random(100_000, seed: 11), .init(encoding: .pcm16, channels: 1, dataOffset: 0))
        #expect(payload.first == AudioChunkFormat.plainMode)
        #expect(payload.count < 100_000 + 100)
    }

    // MARK: tables and damage

    @Test(arguments: [G711Law.aLaw, .muLaw])
    func everyCodeDecodesAsTheReferenceAndRanksAreABijection(law: G711Law) {
        let t = law.tables
        #expect(Set(t.rankOfCode).count == 256)
        for code in 0..<256 {
            #expect(t.codeOfRank[Int(t.rankOfCode[code])] == UInt8(code))
            #expect(t.linearOfRank[Int(t.rankOfCode[code])] == Int32(G711Law.decode(UInt8(code), law: law)))
        }
        #expect(zip(t.linearOfRank, t.linearOfRank.dropFirst()).allSatisfy { $0 <= $1 })
        // Reference points of G.711: A-law 0xD5 is +8, 0x2A is -32256; µ-law 0x80 is +32124, 0x00 is -32124.
        if law == .aLaw {
            #expect(G711Law.decode(0xD5, law: .aLaw) == 8)
            #expect(G711Law.decode(0x2A, law: .aLaw) == -32256)
        } else {
            #expect(G711Law.decode(0x80, law: .muLaw) == 32124)
            #expect(G711Law.decode(0x00, law: .muLaw) == -32124)
            #expect(G711Law.decode(0xFF, law: .muLaw) == 0)
        }
    }

    @Test func aDamagedPayloadIsRefusedWithoutTrapping() throws {
        let bytes = Self.pcm(Self.speechLike(30_000, seed: 12))
        for layout in Self.layouts {
            let payload = try bytes.withUnsafeBytes { try AudioChunkEncoder().encode($0, at: 0, samples: layout) }
            var generator = SplitMix64(seed: 13)
            let decoder = try AudioChunkDecoder()
            var out = [UInt8](repeating: 0, count: bytes.count)
            for _ in 0..<300 {
                var damaged = payload
                let cut = Int.random(in: 0..<4, using: &generator) == 0
                if cut {
                    damaged.removeLast(Int.random(in: 1...damaged.count, using: &generator))
                } else {
                    for _ in 0..<Int.random(in: 1...4, using: &generator) {
                        damaged[Int.random(in: 0..<min(damaged.count, 200), using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
                    }
                }
                // Either refused or decoded to some bytes: the chunk digest decides; never a trap.
                _ = damaged.withUnsafeBytes { p in out.withUnsafeMutableBytes { decoder.decode(p, into: $0) } }
            }
        }
    }
}
