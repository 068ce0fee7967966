import CallvaultModel
import CallvaultZlib

/// Encodes chunks of a recording in `AudioChunkFormat`: linear prediction per frame, residuals
/// split by context class into byte planes, each plane deflated with the zlib strategy that
/// gives the least bytes; a chunk the model does not shrink below plain deflate is stored as
/// plain deflate. One encoder per thread: it keeps its zlib streams and buffers between chunks.
final class AudioChunkEncoder {
    private let deflaters: [(Deflater.Strategy, Deflater)]
    private let plain: Deflater
    private let probe: Deflater
    private var history: [Int16] = []
    private var ranks: [UInt8] = []
    private var predictions: [Int64] = []
    /// The residual streams: class k's byte plane p is `planes[k * planeCount + p]`.
    private var planes = PlaneBuffers()
    private var candidate: [UInt8] = []

    init() throws(ZlibError) {
        var deflaters: [(Deflater.Strategy, Deflater)] = []
        for strategy in [Deflater.Strategy.huffmanOnly, .runLength, .filtered, .standard] {
            deflaters.append((strategy, try Deflater(level: 6, strategy: strategy, format: .raw)))
        }
        self.deflaters = deflaters
        plain = try Deflater(level: 6, format: .raw)
        probe = try Deflater(level: 1, format: .raw)
    }

    /// The payload of `chunk`, which starts at byte `start` of a file whose samples are described
    /// by `samples` (nil: not audio, plain deflate).
    func encode(_ chunk: UnsafeRawBufferPointer, at start: Int64, samples: AudioSamples?) throws(ZlibError) -> [UInt8] {
        guard !chunk.isEmpty else { return [AudioChunkFormat.plainMode] }
        guard let samples, let region = SampleRegion(chunk: chunk, at: start, samples: samples) else {
            return try plainPayload(chunk)
        }
        let modelled = try modelledPayload(chunk, region)
        // Is plain deflate smaller? A fast probe of a slice says whether it may be by a clear
        // margin; only then is the whole chunk deflated to compare.
        let slice = UnsafeRawBufferPointer(rebasing: chunk[0..<min(chunk.count, 8 * 1024)])
        candidate.removeAll(keepingCapacity: true)
        probe.reset()
        try probe.compress(slice, flush: .finish, into: &candidate)
        let plainEstimate = Double(candidate.count) / Double(slice.count) * Double(chunk.count)
        guard plainEstimate < 1.05 * Double(modelled.count) else { return modelled }
        let plain = try plainPayload(chunk)
        return plain.count < modelled.count ? plain : modelled
    }

    private func plainPayload(_ chunk: UnsafeRawBufferPointer) throws(ZlibError) -> [UInt8] {
        var out: [UInt8] = [AudioChunkFormat.plainMode]
        out.reserveCapacity(chunk.count / 2)
        plain.reset()
        try plain.compress(chunk, flush: .finish, into: &out)
        return out
    }

    // MARK: the model

    private func modelledPayload(_ chunk: UnsafeRawBufferPointer, _ region: SampleRegion) throws(ZlibError) -> [UInt8] {
        let kind = region.kind
        let channels = region.channels, frames = region.frames
        let contexts = kind.contexts
        let planeCount = kind.planes
        planes.reset(streams: contexts.classes * planeCount, capacity: frames * channels)
        var side: [UInt8] = []
        side.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[0..<region.start]))
        side.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[region.end..<chunk.count]))
        let pad = LinearPredictor.historyPadding
        history = [Int16](repeating: 0, count: pad + frames)
        if kind.law != nil { ranks = [UInt8](repeating: 0, count: frames) }
        let tables = kind.law?.tables
        for channel in 0..<channels {
            loadChannel(channel, of: chunk, region, tables: tables, pad: pad)
            var context = ResidualContext(classes: contexts.classes, base: contexts.base, shift: contexts.shift)
            for frameStart in stride(from: 0, to: frames, by: AudioChunkFormat.frameLength) {
                let frameEnd = min(frames, frameStart + AudioChunkFormat.frameLength)
                let predictor = history.withUnsafeBufferPointer {
                    LinearPredictor.fit(UnsafeBufferPointer(rebasing: $0[(pad + frameStart)..<(pad + frameEnd)]))
                }
                side.append(UInt8(predictor.order))
                side.append(UInt8(predictor.shift))
                for q in predictor.coefficients { side.appendLE(UInt16(bitPattern: Int16(q))) }
                codeResiduals(frameStart..<frameEnd, predictor, tables: tables, pad: pad, context: &context)
            }
        }
        var out: [UInt8] = [AudioChunkFormat.modelledMode, kind.rawValue, UInt8(channels), UInt8(contexts.classes),
                            UInt8(contexts.base), UInt8(contexts.shift)]
        out.appendVarint(AudioChunkFormat.frameLength)
        out.appendVarint(region.start)
        out.appendVarint(frames)
        var failure: ZlibError?
        side.withUnsafeBytes { raw in
            do throws(ZlibError) { try appendStream(raw, to: &out) } catch { failure = error }
        }
        if let failure { throw failure }
        for i in 0..<planes.count { try appendStream(planes.stream(i), to: &out) }
        return out
    }

    /// Puts channel `channel`'s samples, as linear values, into `history` after `pad` zeros
    /// (and their ranks into `ranks` for G.711 kinds).
    private func loadChannel(_ channel: Int, of chunk: UnsafeRawBufferPointer, _ region: SampleRegion,
                             tables: G711Tables?, pad: Int) {
        let stride = region.channels * region.kind.width
        var at = region.start + channel * region.kind.width
        history.withUnsafeMutableBufferPointer { h in ranks.withUnsafeMutableBufferPointer { ranks in
            switch region.kind {
            case .pcm16:
                for n in 0..<region.frames {
                    h[pad + n] = Int16(bitPattern: UInt16(chunk[at]) | UInt16(chunk[at + 1]) << 8)
                    at += stride
                }
            case .pcm16OnALawGrid, .pcm16OnMuLawGrid:
                let t = tables!
                for n in 0..<region.frames {
                    let value = Int16(bitPattern: UInt16(chunk[at]) | UInt16(chunk[at + 1]) << 8)
                    let code = UInt8(t.codeOnGrid[Int(value) + 32768] - 1)
                    ranks[n] = t.rankOfCode[Int(code)]
                    h[pad + n] = value
                    at += stride
                }
            case .aLaw8, .muLaw8:
                let t = tables!
                for n in 0..<region.frames {
                    let rank = t.rankOfCode[Int(chunk[at])]
                    ranks[n] = rank
                    h[pad + n] = Int16(t.linearOfRank[Int(rank)])
                    at += stride
                }
            }
        } }
    }

    /// Appends the residuals of `range` to the class planes.
    private func codeResiduals(_ range: Range<Int>, _ predictor: LinearPredictor, tables: G711Tables?, pad: Int,
                               context: inout ResidualContext) {
        if predictions.count < range.count { predictions = [Int64](repeating: 0, count: max(range.count, AudioChunkFormat.frameLength)) }
        let out = planes.writer
        history.withUnsafeMutableBufferPointer { h in
            predictions.withUnsafeMutableBufferPointer { p in
                ranks.withUnsafeBufferPointer { ranks in
                    let base = h.baseAddress!, predicted = p.baseAddress!
                    for (j, n) in range.enumerated() { predicted[j] = predictor.predict(base, at: pad + n) }
                    if let tables {
                        tables.nearestRank.withUnsafeBufferPointer { nearest in
                            for (j, n) in range.enumerated() {
                                let clamped = Int(max(-32768, min(32767, predicted[j])))
                                let d = Int8(truncatingIfNeeded: Int(ranks[n]) &- Int(nearest[clamped + 32768]))
                                out.append(UInt8(bitPattern: (d << 1) ^ (d >> 7)), to: context.currentClass)
                                context.add(UInt32(d.magnitude))
                            }
                        }
                    } else {
                        for (j, n) in range.enumerated() {
                            let r = Int16(truncatingIfNeeded: Int64(base[pad + n]) &- predicted[j])
                            let zigzag = UInt16(bitPattern: (r << 1) ^ (r >> 15))
                            let k = context.currentClass
                            out.append(UInt8(truncatingIfNeeded: zigzag), to: 2 * k)
                            out.append(UInt8(truncatingIfNeeded: zigzag >> 8), to: 2 * k + 1)
                            context.add(UInt32(r.magnitude))
                        }
                    }
                }
            }
        }
    }

    /// Appends one stream: stored, or deflated with whichever strategy gives the least bytes.
    /// zlib's strategies differ in speed more than in size on residuals, so a byte histogram
    /// picks the candidates: Huffman coding alone unless one value fills nine tenths of the
    /// stream, run-length matching where one value is common enough for runs (silence), and
    /// Lempel–Ziv matching (a tenth of their speed) only on small streams.
    private func appendStream(_ bytes: UnsafeRawBufferPointer, to out: inout [UInt8]) throws(ZlibError) {
        out.appendVarint(bytes.count)
        var best: [UInt8]?
        let small = bytes.count <= 2048
        let share = small ? 0.5 : Self.mostCommonShare(bytes)
        for (strategy, deflater) in deflaters {
            switch strategy {
            case .huffmanOnly: if share > 0.9 { continue }
            case .runLength: if share < 0.3 { continue }
            case .filtered, .standard: if !small { continue }
            }
            candidate.removeAll(keepingCapacity: true)
            deflater.reset()
            try deflater.compress(bytes, flush: .finish, into: &candidate)
            if best == nil || candidate.count < best!.count { best = candidate }
        }
        if let best, best.count < bytes.count {
            out.append(AudioChunkFormat.deflateMethod)
            out.appendVarint(best.count)
            out.append(contentsOf: best)
        } else {
            out.append(AudioChunkFormat.storedMethod)
            out.appendVarint(bytes.count)
            out.append(contentsOf: bytes)
        }
    }

    /// The share of the most common byte value in `bytes`.
    private static func mostCommonShare(_ bytes: UnsafeRawBufferPointer) -> Double {
        guard !bytes.isEmpty else { return 0 }
        var histogram = [Int](repeating: 0, count: 256)
        histogram.withUnsafeMutableBufferPointer { h in
            for b in bytes { h[Int(b)] += 1 }
        }
        return Double(histogram.max()!) / Double(bytes.count)
    }
}

/// Byte streams filled one byte at a time in the encoder's hottest loop: one allocation, no
/// copy-on-write or exclusivity checks (the loop writes through a `Writer` of plain pointers).
final class PlaneBuffers {
    private var storage = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)
    private var counts = UnsafeMutablePointer<Int>.allocate(capacity: 1)
    private var capacity = 0
    private var allocated = 0
    private(set) var count = 0

    deinit {
        storage.deallocate()
        counts.deallocate()
    }

    /// Empties the buffers and makes room for `streams` streams of up to `capacity` bytes each.
    func reset(streams: Int, capacity: Int) {
        if streams * capacity > allocated || streams > count {
            storage.deallocate()
            counts.deallocate()
            allocated = max(streams * capacity, allocated)
            storage = .allocate(capacity: max(1, allocated))
            counts = .allocate(capacity: max(1, streams))
        }
        self.capacity = capacity
        count = streams
        counts.initialize(repeating: 0, count: streams)
    }

    /// Writes into the buffers; valid until the next `reset`.
    var writer: Writer { Writer(storage: storage, counts: counts, capacity: capacity) }

    func stream(_ i: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: storage + i * capacity, count: counts[i])
    }

    struct Writer {
        let storage: UnsafeMutablePointer<UInt8>
        let counts: UnsafeMutablePointer<Int>
        let capacity: Int

        @inline(__always)
        func append(_ byte: UInt8, to stream: Int) {
            storage[stream * capacity + counts[stream]] = byte
            counts[stream] += 1
        }
    }
}

/// Where the whole sample frames of a chunk lie, and what they are.
struct SampleRegion {
    var kind: AudioChunkKind
    var channels: Int
    /// Offset in the chunk of the first whole frame.
    var start: Int
    /// Whole sample frames (one sample of every channel) in the chunk.
    var frames: Int
    var end: Int { start + frames * channels * kind.width }

    /// The region of `chunk` (at byte `offset` of the file), or nil when it holds too few samples.
    /// 16-bit samples that all lie on a G.711 grid are coded as that law's ranks.
    init?(chunk: UnsafeRawBufferPointer, at offset: Int64, samples: AudioSamples) {
        guard samples.channels > 0, samples.channels <= AudioChunkFormat.maximumChannels else { return nil }
        var kind: AudioChunkKind = switch samples.encoding {
        case .pcm16: .pcm16
        case .aLaw: .aLaw8
        case .muLaw: .muLaw8
        }
        let block = Int64(samples.channels * kind.width)
        let dataEnd = samples.dataBytes.map { samples.dataOffset + $0 } ?? Int64.max
        let chunkEnd = offset + Int64(chunk.count)
        var first = samples.dataOffset
        if offset > first { first += (offset - first + block - 1) / block * block }
        let last = min(chunkEnd, dataEnd)
        guard first < last, (last - first) / block >= Int64(AudioChunkFormat.minimumFrames) else { return nil }
        channels = samples.channels
        start = Int(first - offset)
        frames = Int((last - first) / block)
        if kind == .pcm16 { kind = Self.grid(of: chunk, from: start, count: frames * channels) }
        self.kind = kind
    }

    /// `.pcm16OnALawGrid` or `.pcm16OnMuLawGrid` when every sample decodes from a code of that
    /// law, else `.pcm16`.
    private static func grid(of chunk: UnsafeRawBufferPointer, from start: Int, count: Int) -> AudioChunkKind {
        let aLaw = G711Law.aLawTables.codeOnGrid, muLaw = G711Law.muLawTables.codeOnGrid
        var onA = true, onMu = true
        var at = start
        for _ in 0..<count {
            let index = Int(Int16(bitPattern: UInt16(chunk[at]) | UInt16(chunk[at + 1]) << 8)) + 32768
            onA = onA && aLaw[index] != 0
            onMu = onMu && muLaw[index] != 0
            if !onA && !onMu { return .pcm16 }
            at += 2
        }
        return onA ? .pcm16OnALawGrid : (onMu ? .pcm16OnMuLawGrid : .pcm16)
    }
}
