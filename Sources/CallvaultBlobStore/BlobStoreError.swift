public import CallvaultModel
import CallvaultZlib

/// Failures of a blob store.
public enum BlobStoreError: CallvaultError, Equatable {
    case notFound(sha256: String)
    case corrupt(sha256: String, reason: String)
    case rangeNotSatisfiable(requested: String, size: Int64)
    case io(String)
    case internalFailure(String)
    /// A test's fault injection stopped the write at a named step.
    case injectedFault(BlobWriteStep)

    public var kind: ErrorKind {
        switch self {
        case .notFound: .notFound
        case .corrupt: .corrupt
        case .rangeNotSatisfiable: .badInput
        case .io, .internalFailure, .injectedFault: .internal
        }
    }

    public var message: String {
        switch self {
        case .notFound(let sha): "blob \(sha) is not in the store; run `callvault verify` to list missing blobs"
        case .corrupt(let sha, let reason): "blob \(sha) is corrupt (\(reason)); it is not served. Restore it from a backup"
        case .rangeNotSatisfiable(let requested, let size): "range \(requested) is outside the recording's \(size) bytes"
        case .io(let text): text
        case .internalFailure(let text): text
        case .injectedFault(let step): "fault injected at \(step.rawValue)"
        }
    }
}

/// The durable steps of writing a blob, in order; a fault seam may stop the write after any.
public enum BlobWriteStep: String, Sendable, CaseIterable {
    case tempWritten = "temp-written"
    case tempSynced = "temp-synced"
    case renamed
    case folderSynced = "folder-synced"
}

extension BlobStoreError {
    /// Runs a zlib step; its failure is the store's internal failure.
    static func zlib<T>(_ body: () throws(ZlibError) -> T) throws(BlobStoreError) -> T {
        do { return try body() } catch { throw .internalFailure(error.message) }
    }
}
