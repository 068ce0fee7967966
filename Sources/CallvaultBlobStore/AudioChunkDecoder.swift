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
        var next = bounds.map(\.lowerBound)
        let pad = LinearPredictor.historyPadding
        history = [Int16](repeating: 0, count: pad + h.frames)
        let tables = h.kind.law?.tables
        for channel in 0..<h.channels {
            var running: UInt32 = 0
            for frameStart in stride(from: 0, to: h.frames, by: h.frameLength) {
                guard let predictor = Self.readPredictor(&parameters) else { return false }
                let frameEnd = min(h.frames, frameStart + h.frameLength)
                let ok = history.withUnsafeMutableBufferPointer { hist in
                    let base = hist.baseAddress!
                    var at = h.start + (frameStart * h.channels + channel) * h.kind.width
                    let step = h.channels * h.kind.width
                    for n in frameStart..<frameEnd {
                        let k = AudioChunkFormat.contextClass(running, base: h.classBase, classes: h.classes)
                        let predicted = predictor.predict(base, at: pad + n)
                        if let tables {
                            let s = 1 + k
                            guard next[s] < bounds[s].upperBound else { return false }
                            let zigzag = streams[next[s]]
                            next[s] += 1
                            let d = Int8(bitPattern: zigzag >> 1) ^ (0 &- Int8(bitPattern: zigzag & 1))
                            let clamped = Int(max(-32768, min(32767, predicted)))
                            let rank = Int(UInt8(truncatingIfNeeded: Int(tables.nearestRank[clamped + 32768]) &+ Int(d)))
                            let value = tables.linearOfRank[rank]
                            base[pad + n] = Int16(value)
                            if h.kind.width == 1 {
                                out[at] = tables.codeOfRank[rank]
                            } else {
                                out[at] = UInt8(truncatingIfNeeded: value)
                                out[at + 1] = UInt8(truncatingIfNeeded: value >> 8)
                            }
                            running = AudioChunkFormat.nextRunning(running, magnitude: UInt32(d.magnitude), shift: h.classShift)
                        } else {
                            let lo = 1 + 2 * k, hi = lo + 1
                            guard next[lo] < bounds[lo].upperBound, next[hi] < bounds[hi].upperBound else { return false }
                            let zigzag = UInt16(streams[next[lo]]) | UInt16(streams[next[hi]]) << 8
                            next[lo] += 1
                            next[hi] += 1
                            let r = Int16(bitPattern: zigzag >> 1) ^ (0 &- Int16(bitPattern: zigzag & 1))
                            let value = Int16(truncatingIfNeeded: predicted &+ Int64(r))
                            base[pad + n] = value
                            out[at] = UInt8(truncatingIfNeeded: value)
                            out[at + 1] = UInt8(truncatingIfNeeded: value >> 8)
                            running = AudioChunkFormat.nextRunning(running, magnitude: UInt32(r.magnitude), shift: h.classShift)
                        }
                        at += step
                    }
                    return true
                }
                guard ok else { return false }
            }
        }
        // Every residual was used: a stream with bytes left over is not this chunk's.
        for s in 1..<bounds.count where next[s] != bounds[s].upperBound { return false }
        return parameters.offset == parameters.bytes.count
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
