import CZlib

/// A reusable zlib deflate stream (the `z_stream` lives on the heap: zlib checks it never moves).
final class Deflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init(level: Int32, strategy: Int32) throws(BlobStoreError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard cv_deflateInit2(stream, level, strategy) == Z_OK else {
            stream.deallocate()
            throw .internalFailure("zlib deflateInit2 failed")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Upper bound of the compressed size of `count` bytes in one call sequence.
    func bound(_ count: Int) -> Int { Int(deflateBound(stream, uLong(count))) + 64 }

    /// Starts a new independent zlib stream (one per chunk).
    func reset() { deflateReset(stream) }

    /// Compresses `input` into `output` starting at `output.count`, with `flush` (`Z_BLOCK`, `Z_FINISH`).
    func compress(_ input: UnsafeRawBufferPointer, flush: Int32, into output: inout [UInt8]) throws(BlobStoreError) {
        let start = output.count
        let capacity = bound(input.count)
        output.append(contentsOf: repeatElement(0, count: capacity))
        var produced = 0
        var status: Int32 = Z_OK
        output.withUnsafeMutableBufferPointer { out in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.pointee.avail_in = uInt(input.count)
            stream.pointee.next_out = out.baseAddress! + start
            stream.pointee.avail_out = uInt(capacity)
            status = deflate(stream, flush)
            produced = capacity - Int(stream.pointee.avail_out)
        }
        output.removeLast(capacity - produced)
        let expected = flush == Z_FINISH ? Z_STREAM_END : Z_OK
        guard status == expected || (status == Z_BUF_ERROR && input.isEmpty), stream.pointee.avail_in == 0 else {
            throw .internalFailure("zlib deflate failed (status \(status))")
        }
    }
}

/// A reusable zlib inflate stream.
final class Inflater {
    private let stream: UnsafeMutablePointer<z_stream>

    init() throws(BlobStoreError) {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        guard cv_inflateInit2(stream) == Z_OK else {
            stream.deallocate()
            throw .internalFailure("zlib inflateInit2 failed")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Inflates one complete zlib stream from `input` into exactly `output.count` bytes.
    func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Bool {
        inflateReset(stream)
        stream.pointee.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.pointee.avail_in = uInt(input.count)
        stream.pointee.next_out = output.bindMemory(to: Bytef.self).baseAddress
        stream.pointee.avail_out = uInt(output.count)
        let status = CZlib.inflate(stream, Z_FINISH)
        return status == Z_STREAM_END && stream.pointee.avail_out == 0
    }
}

/// CRC-32 of a buffer (zlib's).
func crc32Of(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    UInt32(crc32(0, bytes.bindMemory(to: Bytef.self).baseAddress, uInt(bytes.count)))
}
