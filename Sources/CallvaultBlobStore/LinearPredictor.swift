import Foundation

/// A quantised linear predictor for one frame of samples: the prediction of sample `n` is
/// `(Σ coefficients[i] · x[n - 1 - i]) >> shift` in integers, so encoder and decoder compute
/// exactly the same value on every machine. The encoder keeps Σ|coefficients| below 2¹⁶, so
/// with 16-bit samples every sum fits 32 bits, which the compiler turns into 16-bit
/// multiply-adds (`pmaddwd`), eight taps an instruction.
struct LinearPredictor: Equatable {
    /// Quantised coefficients, nearest sample first.
    let coefficients: [Int32]
    let shift: Int
    /// The coefficients of lags 1–4 (zero where the order is lower): `predict` reads those
    /// samples one by one, as the decoder has only just written them (a wide read of a value
    /// still on its way to memory would stall).
    private let near: (Int32, Int32, Int32, Int32)
    /// The coefficients of lags 5 and up, farthest first, zero-padded in front to a multiple
    /// of 16: read forwards, many at a time.
    private let far: [Int16]
    /// Whether every sum fits 32 bits (Σ|q|·2¹⁵ < 2³¹); otherwise sums are taken in 64 bits.
    let fitsIn32Bits: Bool

    var order: Int { coefficients.count }

    /// Highest order the codec tries.
    static let maxOrder = 32
    /// Zeros in front of a channel's samples, so that `predict` may read before the first.
    static let historyPadding = maxOrder + 16
    /// Bits of a quantised coefficient, sign included (they are stored as Int16).
    static let precision = 14
    /// Σ|coefficients| stays below this, so that sums of 16-bit samples fit 32 bits.
    static let coefficientBudget = 1 << 16

    static let none = LinearPredictor(coefficients: [], shift: 0)

    init(coefficients: [Int32], shift: Int) {
        self.coefficients = coefficients
        self.shift = shift
        fitsIn32Bits = coefficients.reduce(0) { $0 + Int($1.magnitude) } < Self.coefficientBudget
        let q = { (i: Int) in i < coefficients.count ? Int32(Int16(truncatingIfNeeded: coefficients[i])) : 0 }
        near = (q(0), q(1), q(2), q(3))
        let farCount = max(0, coefficients.count - 4)
        let padded = (farCount + 15) / 16 * 16
        var far = [Int16](repeating: 0, count: padded)
        for i in 0..<farCount { far[padded - 1 - i] = Int16(truncatingIfNeeded: coefficients[4 + i]) }
        self.far = far
    }

    static func == (a: LinearPredictor, b: LinearPredictor) -> Bool {
        a.coefficients == b.coefficients && a.shift == b.shift
    }

    /// The predictor for `samples` whose estimated coded size (residual bits from the
    /// Levinson–Durbin error of each order, plus the coefficients) is least.
    static func fit(_ samples: UnsafeBufferPointer<Int16>, maxOrder: Int = maxOrder) -> LinearPredictor {
        let n = samples.count
        let maxOrder = min(maxOrder, n / 4)
        guard maxOrder > 0 else { return .none }
        let window = TukeyWindow.shared(n)
        var windowed = [Double](repeating: 0, count: n + 8)
        var energy = 0.0
        for i in 0..<n {
            windowed[i] = Double(samples[i]) * window[i]
            energy += windowed[i] * windowed[i]
        }
        guard energy > 0 else { return .none }
        var r = [Double](repeating: 0, count: maxOrder + 1)
        windowed.withUnsafeBufferPointer { w in
            let base = UnsafeRawPointer(w.baseAddress!)
            for lag in 0...maxOrder {
                // Eight products at a time; the zeros after the samples fill the last vector.
                var sums = SIMD8<Double>()
                var i = lag
                while i < n {
                    let a = base.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
                    let b = base.loadUnaligned(fromByteOffset: 8 * (i - lag), as: SIMD8<Double>.self)
                    sums += a * b
                    i += 8
                }
                r[lag] = sums.sum()
            }
        }
        r[0] *= 1 + 1e-10  // keeps Levinson–Durbin stable on pure tones
        // Levinson–Durbin: the predictor of every order and its error.
        var a = [Double](repeating: 0, count: maxOrder + 1)
        var error = r[0]
        var best = (bits: 0.5 * Double(n) * log2(max(error, 1e-9)), coefficients: [Double]())
        for order in 1...maxOrder {
            var acc = r[order]
            for j in 1..<order { acc -= a[j] * r[order - j] }
            let k = acc / error
            var next = a
            next[order] = k
            for j in 1..<order { next[j] = a[j] - k * a[order - j] }
            a = next
            error *= 1 - k * k
            guard error > 0, error.isFinite else { break }
            let bits = 0.5 * Double(n) * log2(max(error, 1e-9)) + Double(order * (precision + 2))
            if bits < best.bits { best = (bits, Array(a[1...order])) }
        }
        return quantised(best.coefficients)
    }

    /// Rounds `coefficients` to at most `precision` bits with a shift small enough that
    /// Σ|q| stays within `coefficientBudget`, carrying each rounding error into the next
    /// coefficient (as FLAC does).
    static func quantised(_ coefficients: [Double]) -> LinearPredictor {
        guard let largest = coefficients.map(abs).max(), largest > 0, largest.isFinite else { return .none }
        let total = coefficients.reduce(0) { $0 + abs($1) }
        let limit = Int32(1) << (precision - 1)
        var shift = min(precision - 2 - Int(floor(log2(largest))), Int(floor(log2(Double(coefficientBudget - 1) / (total + 1)))))
        shift = max(0, min(20, shift))
        var carried = 0.0
        var quantised: [Int32] = []
        for c in coefficients {
            let scaled = c * Double(1 << shift) + carried
            let q = max(-limit, min(limit - 1, Int32(scaled.rounded())))
            carried = scaled - Double(q)
            quantised.append(q)
        }
        return LinearPredictor(coefficients: quantised, shift: shift)
    }

    /// The prediction of `history[n]` from the `order` values before it. `history` is padded
    /// in front with `historyPadding` zeros, so every index read is valid.
    @inline(__always)
    func predict(_ history: UnsafePointer<Int16>, at n: Int) -> Int64 {
        if fitsIn32Bits {
            var sum = near.0 &* Int32(history[n - 1]) &+ near.1 &* Int32(history[n - 2])
                &+ near.2 &* Int32(history[n - 3]) &+ near.3 &* Int32(history[n - 4])
            far.withUnsafeBufferPointer { q in
                sum &+= dot16(q.baseAddress!, history + n - 4 - q.count, q.count)
            }
            return Int64(sum >> Int32(shift))
        }
        var sum: Int64 = 0
        for i in 0..<coefficients.count { sum &+= Int64(coefficients[i]) &* Int64(history[n - 1 - i]) }
        return sum >> Int64(shift)
    }

    /// The four samples before `history[n]`, newest first: what `predict(_:at:recent:)` keeps
    /// in registers from one sample to the next.
    @inline(__always)
    func recent(_ history: UnsafePointer<Int16>, before n: Int) -> (Int32, Int32, Int32, Int32) {
        (Int32(history[n - 1]), Int32(history[n - 2]), Int32(history[n - 3]), Int32(history[n - 4]))
    }

    /// `predict(history, at: n)`, with the four samples before `n` given (`recent`), so that the
    /// decoder's chain from one sample to the next runs through registers, not memory.
    @inline(__always)
    func predict(_ history: UnsafePointer<Int16>, at n: Int, recent: (Int32, Int32, Int32, Int32)) -> Int64 {
        guard fitsIn32Bits else { return predict(history, at: n) }
        var sum = far.withUnsafeBufferPointer { q in dot16(q.baseAddress!, history + n - 4 - q.count, q.count) }
        sum &+= near.0 &* recent.0 &+ near.1 &* recent.1 &+ near.2 &* recent.2 &+ near.3 &* recent.3
        return Int64(sum >> Int32(shift))
    }
}

/// Σ a[k]·b[k] in 32-bit sums: a loop of this shape, on its own, is what the compiler turns
/// into 16-bit multiply-adds (`pmaddwd`); inlined into a larger loop it is not.
@inline(never)
func dot16(_ a: UnsafePointer<Int16>, _ b: UnsafePointer<Int16>, _ count: Int) -> Int32 {
    var sum: Int32 = 0
    for k in 0..<count { sum &+= Int32(a[k]) &* Int32(b[k]) }
    return sum
}

/// Tukey(0.5) windows, the one FLAC uses for its LPC analysis, cached per length.
enum TukeyWindow {
    private static let cache = Cache()

    static func shared(_ n: Int) -> [Double] { cache.window(n) }

    static func make(_ n: Int) -> [Double] {
        var w = [Double](repeating: 1, count: n)
        let m = Int(0.25 * Double(n - 1))
        guard m > 0 else { return w }
        for t in 0...m {
            let v = 0.5 * (1 + cos(Double.pi * (Double(2 * t) / (0.5 * Double(n - 1)) - 1)))
            w[t] = v
            w[n - 1 - t] = v
        }
        return w
    }

    private final class Cache: @unchecked Sendable {
        // @unchecked: the dictionary is only touched under `lock`.
        private let lock = NSLock()
        private var windows: [Int: [Double]] = [:]

        func window(_ n: Int) -> [Double] {
            lock.lock()
            defer { lock.unlock() }
            if let w = windows[n] { return w }
            let w = TukeyWindow.make(n)
            if windows.count < 64 { windows[n] = w }
            return w
        }
    }
}
