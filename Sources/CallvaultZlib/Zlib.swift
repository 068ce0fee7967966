import CZlib

/// A zlib call that failed; `message` says which and with what status.
public struct ZlibError: Error, Sendable, Equatable {
    public let message: String
}

/// A reusable deflate stream (the `z_stream` lives on the heap: zlib checks it never moves).
/// The one zlib compressor of callvault: the blob store's chunks and the export ZIP's entries.
public final class Deflater {
    /// The stream's framing: zlib (header and Adler-32) or raw deflate (a ZIP entry, whose own
    /// CRC-32 guards the data).
    public enum Format: Sendable { case zlib, raw }
    /// How the input is matched: zlib's default, `Z_FILTERED` (short matches discounted),
    /// run-length only (`Z_RLE`), or Huffman coding alone (`Z_HUFFMAN_ONLY`).
    public enum Strategy: Sendable, CaseIterable {
        case standard, filtered, runLength, huffmanOnly

        var zlibValue: Int32 {
            switch self {
            case .standard: Z_DEFAULT_STRATEGY
            case .filtered: Z_FILTERED
            case .runLength: Z_RLE
            case .huffmanOnly: Z_HUFFMAN_ONLY
            }
        }
    }
    /// How far a call flushes: not at all (more input follows), to a block boundary, or to the
    /// end of the stream.
    public enum Flush: Sendable { case none, block, finish }

    private let stream: UnsafeMutablePointer<z_stream>

    public init(level: Int32 = 6, strategy: Strategy = .standard, format: Format = .zlib) throws(ZlibError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = cv_deflateInit2(stream, level, format == .zlib ? 15 : -15, strategy.zlibValue)
        guard status == Z_OK else {
            stream.deallocate()
            throw ZlibError(message: "zlib deflateInit2 failed (status \(status))")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Starts a new independent stream (the blob store: one per chunk).
    public func reset() { deflateReset(stream) }

    /// Compresses `input`, appending what deflate produces to `output`; with `.finish`, ends
    /// the stream. Every byte of `input` is consumed before it returns.
    public func compress(_ input: UnsafeRawBufferPointer, flush: Flush, into output: inout [UInt8]) throws(ZlibError) {
        let mode = switch flush { case .none: Z_NO_FLUSH; case .block: Z_BLOCK; case .finish: Z_FINISH }
        stream.pointee.next_in = input.isEmpty ? nil : UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.pointee.avail_in = uInt(input.count)
        // Room for all of `input` at once (deflateBound); a flush of data deflate held back may
        // need more, so the loop grows the output until deflate is done.
        var room = Int(deflateBound(stream, uLong(input.count))) + 64
        while true {
            let start = output.count
            output.append(contentsOf: repeatElement(0, count: room))
            var status: Int32 = Z_OK
            output.withUnsafeMutableBufferPointer { out in
                stream.pointee.next_out = out.baseAddress! + start
                stream.pointee.avail_out = uInt(room)
                status = deflate(stream, mode)
            }
            let left = Int(stream.pointee.avail_out)
            output.removeLast(left)
            guard status == Z_OK || status == Z_STREAM_END || status == Z_BUF_ERROR else {
                throw ZlibError(message: "zlib deflate failed (status \(status))")
            }
            let done = flush == .finish ? status == Z_STREAM_END : stream.pointee.avail_in == 0 && left > 0
            if done { return }
            if status == Z_BUF_ERROR && left > 0 { throw ZlibError(message: "zlib deflate made no progress") }
            room = max(room, 64 * 1024)
        }
    }
}

/// A reusable inflate stream, of zlib framing or raw deflate.
public final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>

    public init(format: Deflater.Format = .zlib) throws(ZlibError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        let status = cv_inflateInit2(stream, format == .zlib ? 15 : -15)
        guard status == Z_OK else {
            stream.deallocate()
            throw ZlibError(message: "zlib inflateInit2 failed (status \(status))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Inflates one complete stream from `input` into exactly `output.count` bytes.
    public func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        inflateReset(stream)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.bindMemory(to: Bytef.self).baseAddress
        stream.pointee.avail_out = uInt(output.count)
        let status = CZlib.inflate(stream, Z_FINISH)
        return status == Z_STREAM_END && stream.pointee.avail_out == 0
    }
}

/// A running CRC-32 (zlib's): start from `CRC32()`, `update` with each piece.
public struct CRC32: Sendable {
    public private(set) var value: UInt32 = 0

    public init() {}

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard !bytes.isEmpty else { return }
        value = UInt32(crc32(uLong(value), bytes.bindMemory(to: Bytef.self).baseAddress, uInt(bytes.count)))
    }

    /// The CRC-32 of `bytes` alone.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }
}
