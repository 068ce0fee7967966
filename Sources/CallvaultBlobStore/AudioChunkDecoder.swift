import CallvaultZlib

/// Decodes chunks written by `AudioChunkEncoder`. A damaged payload makes `decode` return false,
/// never trap: every count and offset it reads is checked before use. (The bytes it returns are
/// still checked against the chunk's digest by the reader.)
final class AudioChunkDecoder {
    private let inflater: Inflater
    private var streams: [UInt8] = []
    private var history: [Int16] = []

    init() throws(ZlibError) {
        inflater = try Inflater(format: .raw)
    }

    /// Decodes `payload` into exactly `out.count` bytes.
    func decode(_ payload: UnsafeRawBufferPointer, into out: UnsafeMutableRawBufferPointer) -> Bool {
        var cursor = PayloadCursor(payload)
        switch cursor.byte() {
        case AudioChunkFormat.plainMode:
            guard let rest = cursor.take(payload.count - 1) else { return false }
            return out.isEmpty ? rest.isEmpty : inflater.inflate(rest, into: out)  // an empty chunk is the mode byte alone
        case AudioChunkFormat.modelledMode:
            return decodeModelled(&cursor, into: out)
        default:
            return false
        }
    }

    private struct Header {
        var kind: AudioChunkKind
        var channels, classes, classBase, classShift, frameLength, start, frames: Int
    }

    private func readHeader(_ cursor: inout PayloadCursor, length: Int) -> Header? {
        guard let k = cursor.byte(), let kind = AudioChunkKind(rawValue: k),
              let channels = cursor.byte().map(Int.init), (1...AudioChunkFormat.maximumChannels).contains(channels),
              let classes = cursor.byte().map(Int.init), (1...AudioChunkFormat.maximumClasses).contains(classes),
              let classBase = cursor.byte().map(Int.init), classBase < 32,
              let classShift = cursor.byte().map(Int.init), classShift < 32,
              let frameLength = cursor.varint(), (16...(1 << 20)).contains(frameLength),
              let start = cursor.varint(), start <= length,
              let frames = cursor.varint(), frames <= (length - start) / (channels * kind.width) else { return nil }
        return Header(kind: kind, channels: channels, classes: classes, classBase: classBase, classShift: classShift,
                      frameLength: frameLength, start: start, frames: frames)
    }

    private func decodeModelled(_ cursor: inout PayloadCursor, into out: UnsafeMutableRawBufferPointer) -> Bool {
        guard let h = readHeader(&cursor, length: out.count) else { return false }
        let end = h.start + h.frames * h.channels * h.kind.width
        // Inflate every stream into one buffer; `bounds[i]` is stream i's place in it.
        let streamCount = 1 + h.classes * h.kind.planes
        var bounds: [Range<Int>] = []
        bounds.reserveCapacity(streamCount)
        streams.removeAll(keepingCapacity: true)
        for _ in 0..<streamCount {
            guard let raw = cursor.varint(), raw <= 4 * out.count + (1 << 16), let method = cursor.byte(),
                  let storedLength = cursor.varint(), let stored = cursor.take(storedLength) else { return false }
            let from = streams.count
            if method == AudioChunkFormat.storedMethod {
                guard storedLength == raw else { return false }
                streams.append(contentsOf: stored)
            } else if method == AudioChunkFormat.deflateMethod {
                streams.append(contentsOf: repeatElement(0, count: raw))
                let ok = raw == 0 ? stored.isEmpty : streams.withUnsafeMutableBytes {
                    inflater.inflate(stored, into: UnsafeMutableRawBufferPointer(rebasing: $0[from..<(from + raw)]))
                }
                guard ok else { return false }
            } else {
                return false
            }
            bounds.append(from..<(from + raw))
        }
        guard cursor.offset == cursor.bytes.count else { return false }
        return streams.withUnsafeBytes { all in
            reconstruct(h, end: end, streams: all, bounds: bounds, into: out)
        }
    }

    private func reconstruct(_ h: Header, end: Int, streams: UnsafeRawBufferPointer, bounds: [Range<Int>],
                             into out: UnsafeMutableRawBufferPointer) -> Bool {
        // The side stream: bytes around the samples, then the predictors.
        let suffix = out.count - end
        let side = bounds[0]
        guard side.count >= h.start + suffix else { return false }
        out.copyMemory(from: UnsafeRawBufferPointer(rebasing: streams[side.lowerBound..<(side.lowerBound + h.start)]))
        UnsafeMutableRawBufferPointer(rebasing: out[end..<out.count])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: streams[(side.lowerBound + h.start)..<(side.lowerBound + h.start + suffix)]))
        var parameters = PayloadCursor(UnsafeRawBufferPointer(rebasing: streams[(side.lowerBound + h.start + suffix)..<side.upperBound]))
        // Each residual stream as a read position and an end, in plain memory: the loop below
        // is the decoder's hot path.
        let cursors = UnsafeMutablePointer<Int>.allocate(capacity: 2 * bounds.count)
        defer { cursors.deallocate() }
        let ends = cursors + bounds.count
        for (i, b) in bounds.enumerated() {
            cursors[i] = b.lowerBound
            ends[i] = b.upperBound
        }
        let pad = LinearPredictor.historyPadding
        history = [Int16](repeating: 0, count: pad + h.frames)
        let ok = history.withUnsafeMutableBufferPointer { hist in
            for channel in 0..<h.channels {
                var context = ResidualContext(classes: h.classes, base: h.classBase, shift: h.classShift)
                for frameStart in stride(from: 0, to: h.frames, by: h.frameLength) {
                    guard let predictor = Self.readPredictor(&parameters) else { return false }
                    let frame = Frame(range: frameStart..<min(h.frames, frameStart + h.frameLength),
                                      at: h.start + (frameStart * h.channels + channel) * h.kind.width,
                                      step: h.channels * h.kind.width)
                    let done: Bool
                    if let law = h.kind.law {
                        done = Self.decodeRanks(frame, predictor, law.tables, codes: h.kind.width == 1, h,
                                                history: hist.baseAddress! + pad, streams: streams.baseAddress!,
                                                cursors: cursors, ends: ends, context: &context, into: out.baseAddress!)
                    } else {
                        done = Self.decodePCM(frame, predictor, h, history: hist.baseAddress! + pad, streams: streams.baseAddress!,
                                              cursors: cursors, ends: ends, context: &context, into: out.baseAddress!)
                    }
                    guard done else { return false }
                }
            }
            return true
        }
        guard ok else { return false }
        // Every residual was used: a stream with bytes left over is not this chunk's.
        for s in 1..<bounds.count where cursors[s] != ends[s] { return false }
        return parameters.offset == parameters.bytes.count
    }

    /// The samples of one channel sharing a predictor: their numbers, and where the first one's
    /// bytes go and how far apart the following ones are.
    private struct Frame {
        var range: Range<Int>
        var at: Int
        var step: Int
    }

    /// Decodes a frame of 16-bit PCM: two byte planes per residual. False when a stream runs dry.
    private static func decodePCM(_ frame: Frame, _ predictor: LinearPredictor, _ h: Header, history: UnsafeMutablePointer<Int16>,
                                  streams: UnsafeRawPointer, cursors: UnsafeMutablePointer<Int>, ends: UnsafeMutablePointer<Int>,
                                  context: inout ResidualContext, into out: UnsafeMutableRawPointer) -> Bool {
        var at = frame.at
        var recent = predictor.recent(history, before: frame.range.lowerBound)
        for n in frame.range {
            let lo = 1 &+ 2 &* context.currentClass, hi = lo &+ 1
            let pLo = cursors[lo], pHi = cursors[hi]
            guard pLo < ends[lo], pHi < ends[hi] else { return false }
            cursors[lo] = pLo &+ 1
            cursors[hi] = pHi &+ 1
            let zigzag = UInt16(streams.load(fromByteOffset: pLo, as: UInt8.self)) | UInt16(streams.load(fromByteOffset: pHi, as: UInt8.self)) << 8
            let r = Int16(bitPattern: zigzag >> 1) ^ (0 &- Int16(bitPattern: zigzag & 1))
            let value = Int16(truncatingIfNeeded: predictor.predict(history, at: n, recent: recent) &+ Int64(r))
            history[n] = value
            recent = (Int32(value), recent.0, recent.1, recent.2)
            out.storeBytes(of: UInt16(bitPattern: value).littleEndian, toByteOffset: at, as: UInt16.self)
            context.add(UInt32(r.magnitude))
            at &+= frame.step
        }
        return true
    }

    /// Decodes a frame of G.711 ranks (written as 8-bit codes or 16-bit values). False when the
    /// stream runs dry.
    private static func decodeRanks(_ frame: Frame, _ predictor: LinearPredictor, _ tables: G711Tables, codes: Bool, _ h: Header,
                                    history: UnsafeMutablePointer<Int16>, streams: UnsafeRawPointer,
                                    cursors: UnsafeMutablePointer<Int>, ends: UnsafeMutablePointer<Int>,
                                    context: inout ResidualContext, into out: UnsafeMutableRawPointer) -> Bool {
        var at = frame.at
        for n in frame.range {
            let s = 1 &+ context.currentClass
            let p = cursors[s]
            guard p < ends[s] else { return false }
            cursors[s] = p &+ 1
            let zigzag = streams.load(fromByteOffset: p, as: UInt8.self)
            let d = Int8(bitPattern: zigzag >> 1) ^ (0 &- Int8(bitPattern: zigzag & 1))
            let clamped = Int(max(-32768, min(32767, predictor.predict(history, at: n))))
            let rank = Int(UInt8(truncatingIfNeeded: Int(tables.nearestRank[clamped &+ 32768]) &+ Int(d)))
            let value = Int16(truncatingIfNeeded: tables.linearOfRank[rank])
            history[n] = value
            if codes {
                out.storeBytes(of: tables.codeOfRank[rank], toByteOffset: at, as: UInt8.self)
            } else {
                out.storeBytes(of: UInt16(bitPattern: value).littleEndian, toByteOffset: at, as: UInt16.self)
            }
            context.add(UInt32(d.magnitude))
            at &+= frame.step
        }
        return true
    }

    private static func readPredictor(_ cursor: inout PayloadCursor) -> LinearPredictor? {
        guard let order = cursor.byte().map(Int.init), order <= LinearPredictor.maxOrder,
              let shift = cursor.byte().map(Int.init), shift <= 31 else { return nil }
        var coefficients: [Int32] = []
        coefficients.reserveCapacity(order)
        for _ in 0..<order {
            guard let lo = cursor.byte(), let hi = cursor.byte() else { return nil }
            coefficients.append(Int32(Int16(bitPattern: UInt16(lo) | UInt16(hi) << 8)))
        }
        return LinearPredictor(coefficients: coefficients, shift: shift)
    }
}
