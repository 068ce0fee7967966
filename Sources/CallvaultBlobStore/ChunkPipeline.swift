import Foundation
import Crypto
import CallvaultZlib

/// The write side of `put`: reads a file a batch of chunks at a time (two per core) and
/// codes the chunks of a batch in parallel, while the file's SHA-256 runs beside them.
final class ChunkPipeline {
    /// One coded chunk: its payload and the digest of its original bytes.
    struct Coded {
        var payload: [UInt8]
        var digest: [UInt8]
    }

    private let chunkSize: Int
    private let buffers: [UnsafeMutableRawBufferPointer]
    private let encoders: [AudioChunkEncoder]

    init(chunkSize: Int) throws(BlobStoreError) {
        self.chunkSize = chunkSize
        // Two chunks per core in a batch, so that one slow chunk does not idle the other core.
        let batch = 2 * max(1, min(2, ProcessInfo.processInfo.activeProcessorCount))
        encoders = try BlobStoreError.zlib { () throws(ZlibError) in try (0..<batch).map { (_) throws(ZlibError) in try AudioChunkEncoder() } }
        buffers = (0..<batch).map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 8) }
    }

    deinit { buffers.forEach { $0.deallocate() } }

    /// Reads the next chunks of `fd`: a batch, the last possibly short; none at the end.
    /// They stay valid until the next call.
    func readBatch(_ fd: Int32, name: String) throws(BlobStoreError) -> [UnsafeRawBufferPointer] {
        var batch: [UnsafeRawBufferPointer] = []
        for buffer in buffers {
            let count = try readFull(fd, into: buffer, name: name)
            if count == 0 { break }
            batch.append(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            if count < chunkSize { break }
        }
        return batch
    }

    /// Codes `batch` (chunk `firstNumber` onwards, starting at byte `firstOffset` of the file)
    /// and adds its bytes to `hasher`, in order.
    func encode(_ batch: [UnsafeRawBufferPointer], firstOffset: Int64, firstNumber: Int, samples: AudioSamples?,
                hasher: inout SHA256) throws(BlobStoreError) -> [Coded] {
        let job = BatchJob(batch, firstOffset: firstOffset, firstNumber: firstNumber, samples: samples,
                           encoders: encoders, hasher: hasher)
        DispatchQueue.concurrentPerform(iterations: batch.count + 1) { job.run($0) }
        hasher = job.hasher
        return try job.results.map { (result) throws(BlobStoreError) in
            switch result {
            case .success(let coded): return coded
            case .failure(let error): throw .internalFailure("compressing a chunk: \(error.message)")
            }
        }
    }
}

/// One batch shared by the threads of `concurrentPerform`: task i < n codes chunk i into slot i
/// with encoder i, task n hashes the chunks in order; no two tasks touch the same state.
private final class BatchJob: @unchecked Sendable {
    // @unchecked: see above; the caller reads `slots` and `hasher` only after every task ended.
    private let chunks: [UnsafeRawBufferPointer]
    private let offsets: [Int64]
    private let firstNumber: Int
    private let samples: AudioSamples?
    private let encoders: [AudioChunkEncoder]
    private let slots: UnsafeMutableBufferPointer<Result<ChunkPipeline.Coded, ZlibError>?>
    var hasher: SHA256

    init(_ chunks: [UnsafeRawBufferPointer], firstOffset: Int64, firstNumber: Int, samples: AudioSamples?,
         encoders: [AudioChunkEncoder], hasher: SHA256) {
        self.chunks = chunks
        var offset = firstOffset
        offsets = chunks.map { chunk in
            defer { offset += Int64(chunk.count) }
            return offset
        }
        self.firstNumber = firstNumber
        self.samples = samples
        self.encoders = encoders
        self.hasher = hasher
        slots = .allocate(capacity: chunks.count)
        slots.initialize(repeating: nil)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    /// Every task's result, once `concurrentPerform` returned.
    var results: [Result<ChunkPipeline.Coded, ZlibError>] { slots.map { $0! } }

    func run(_ task: Int) {
        guard task < chunks.count else {
            for chunk in chunks { hasher.update(bufferPointer: chunk) }
            return
        }
        slots[task] = Result { () throws(ZlibError) in
            ChunkPipeline.Coded(payload: try encoders[task].encode(chunks[task], at: offsets[task], samples: samples),
                                digest: BlobLayout.chunkDigest(chunks[task], number: firstNumber + task))
        }
    }
}
