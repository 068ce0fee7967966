/// The layout of one chunk of a blob stored with `ChunkCodec.audio`. Every chunk describes
/// itself, so it decodes on its own (range reads stay one chunk deep):
///
///     mode: u8                       0 = raw deflate of the chunk's bytes, 1 = modelled
///   mode 1:
///     kind: u8                       `AudioChunkKind`
///     channels, classes, classBase, classShift: u8
///     frameLength, regionStart, sampleFrames: varint
///     streams: side stream, then for each class each byte plane:
///        rawLength: varint, method: u8 (0 stored, 1 raw deflate), storedLength: varint, bytes
///
/// The side stream holds the bytes before and after the sample region (a WAV header, odd
/// bytes, trailing RIFF chunks) and, per channel and frame, the predictor: order u8, shift u8,
/// coefficients as Int16 LE. Residuals are coded in channel-major order; each goes to the
/// stream of its *context class*, the bit length of a running mean of the channel's recent
/// residual magnitudes, so that loud and quiet stretches get Huffman codes of their own.
enum AudioChunkFormat {
    static let plainMode: UInt8 = 0
    static let modelledMode: UInt8 = 1
    static let storedMethod: UInt8 = 0
    static let deflateMethod: UInt8 = 1
    /// Samples per channel that share one predictor.
    static let frameLength = 1024
    /// Fewer sample frames than this in a chunk are not worth a model.
    static let minimumFrames = 64
    static let maximumChannels = 16
    static let maximumClasses = 32
}

/// The context of one channel's residuals: a running sum of their magnitudes (each step keeps
/// `1 − 2^-shift` of it and adds the newest), whose bit length less `base` is the class, read
/// one residual late: residual n's class comes from residuals up to n − 2, so a decoder can
/// pick the next stream before the last residual is through.
struct ResidualContext {
    let classes: Int
    let base: Int
    let shift: UInt32
    private var running: UInt32 = 0
    private var delayed: UInt32 = 0

    init(classes: Int, base: Int, shift: Int) {
        self.classes = classes
        self.base = base
        self.shift = UInt32(shift)
    }

    /// The class of the next residual.
    @inline(__always)
    var currentClass: Int {
        min(classes &- 1, max(0, (32 &- delayed.leadingZeroBitCount) &- base))
    }

    /// Takes in a residual's magnitude.
    @inline(__always)
    mutating func add(_ magnitude: UInt32) {
        delayed = running
        running = running &- (running >> shift) &+ magnitude
    }
}

/// What a modelled chunk's samples are.
enum AudioChunkKind: UInt8 {
    /// 16-bit little-endian PCM.
    case pcm16 = 1
    /// 16-bit PCM whose every sample is an A-law value: coded as A-law ranks.
    case pcm16OnALawGrid = 2
    /// 16-bit PCM whose every sample is a µ-law value: coded as µ-law ranks.
    case pcm16OnMuLawGrid = 3
    /// 8-bit A-law codes.
    case aLaw8 = 4
    /// 8-bit µ-law codes.
    case muLaw8 = 5

    /// Bytes of one sample in the file.
    var width: Int { self == .aLaw8 || self == .muLaw8 ? 1 : 2 }
    /// The law whose ranks are coded, or nil for plain PCM.
    var law: G711Law? {
        switch self {
        case .pcm16: nil
        case .pcm16OnALawGrid, .aLaw8: .aLaw
        case .pcm16OnMuLawGrid, .muLaw8: .muLaw
        }
    }
    /// Byte planes per residual: two for 16-bit residuals, one for 8-bit rank residuals.
    var planes: Int { law == nil ? 2 : 1 }
    /// The context classes used for this kind: (count, base, shift).
    var contexts: (classes: Int, base: Int, shift: Int) { law == nil ? (12, 4, 3) : (12, 0, 4) }
}

/// Appends and reads LEB128 varints and fixed fields of a chunk payload; reads are bounds-checked
/// and fail softly, as a damaged payload must never trap.
struct PayloadCursor {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func byte() -> UInt8? {
        guard offset < bytes.count else { return nil }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func varint() -> Int? {
        var value = 0
        for shift in stride(from: 0, to: 63, by: 7) {
            guard let b = byte() else { return nil }
            value |= Int(b & 0x7F) << shift
            if b & 0x80 == 0 { return value }
        }
        return nil
    }

    mutating func take(_ count: Int) -> UnsafeRawBufferPointer? {
        guard count >= 0, count <= bytes.count - offset else { return nil }
        defer { offset += count }
        return UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)])
    }
}

extension Array where Element == UInt8 {
    mutating func appendVarint(_ value: Int) {
        var v = UInt(value)
        while v >= 0x80 {
            append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        append(UInt8(v))
    }
}
