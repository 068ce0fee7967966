public import Foundation
import CallvaultModel
import CallvaultZlib
import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// A ZIP could not be written; `message` says why.
public struct ZIPWriteError: Error, Sendable, Equatable {
    public let message: String
}

/// How an entry's bytes are stored in the ZIP.
public enum ZIPMethod: UInt16, Sendable {
    case stored = 0
    case deflated = 8
}

/// What one written entry holds: the manifest lists its size and SHA-256.
public struct ZIPEntrySummary: Sendable, Equatable {
    public var name: String
    public var bytes: Int64
    public var compressedBytes: Int64
    public var crc32: UInt32
    public var sha256: String
}

/// A streaming ZIP writer: entries are written one after another, each followed by a data
/// descriptor, so no entry's size is needed beforehand and memory does not grow with the
/// data (only the central directory, ~100 bytes per entry, is kept). ZIP64 records are
/// written where a size or offset passes 4 GiB or there are more than 65,535 entries.
///
/// ZIPFoundation was tried first: on Linux it ships a system module named `CZlib`, which
/// clashes with callvault's own `CZlib` module ("redefinition of module 'CZlib'"), and its
/// `addEntry` needs the uncompressed size up front and rewrites the central directory on
/// every entry.
public final class StreamingZIPWriter {
    private let fd: Int32
    private let modified: (time: UInt16, date: UInt16)
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    public private(set) var offset: Int64 = 0
    private var central: [UInt8] = []
    private var entryCount = 0
    private var current: OpenEntry?
    private var archiveHasher = SHA256()
    private var finished = false

    private struct OpenEntry {
        var name: [UInt8]
        var method: ZIPMethod
        var headerOffset: Int64
        var crc = CRC32()
        var bytes: Int64 = 0
        var compressedBytes: Int64 = 0
        var hasher = SHA256()
        var deflater: Deflater?
    }

    /// Writes to `fd` (positioned at 0), stamping every entry with `modified` (as UTC).
    public init(fileDescriptor fd: Int32, modified: Date) {
        self.fd = fd
        self.modified = Self.dosTime(modified)
        buffer.reserveCapacity(bufferLimit + 65_536)
    }

    /// Writes a whole entry whose content `body` produces through `write`.
    @discardableResult
    public func addEntry(_ name: String, method: ZIPMethod, _ body: () throws -> Void) throws -> ZIPEntrySummary {
        try beginEntry(name, method: method)
        try body()
        return try endEntry()
    }

    /// Starts an entry; its content follows through `write`, then `endEntry`.
    public func beginEntry(_ name: String, method: ZIPMethod) throws(ZIPWriteError) {
        precondition(current == nil && !finished, "an entry is open or the archive is finished")
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count < 0xFFFF else { throw ZIPWriteError(message: "ZIP entry name of \(nameBytes.count) bytes") }
        var entry = OpenEntry(name: nameBytes, method: method, headerOffset: offset)
        if method == .deflated { entry.deflater = try Self.zlib { () throws(ZlibError) in try Deflater(level: 6, format: .raw) } }
        var header: [UInt8] = []
        header.appendLE(UInt32(0x0403_4B50))
        header.appendLE(UInt16(20))                 // version needed: 2.0 (ZIP64 readers use the central directory)
        header.appendLE(Self.flags)
        header.appendLE(method.rawValue)
        header.appendLE(modified.time)
        header.appendLE(modified.date)
        header.appendLE(UInt32(0))                  // CRC-32, sizes: in the data descriptor
        header.appendLE(UInt32(0))
        header.appendLE(UInt32(0))
        header.appendLE(UInt16(nameBytes.count))
        header.appendLE(UInt16(0))
        header += nameBytes
        try emit(header)
        current = entry
    }

    /// Appends bytes to the open entry.
    public func write(_ bytes: UnsafeRawBufferPointer) throws(ZIPWriteError) {
        guard var entry = current else { preconditionFailure("no open entry") }
        guard !bytes.isEmpty else { return }
        entry.crc.update(bytes)
        entry.hasher.update(bufferPointer: bytes)
        entry.bytes += Int64(bytes.count)
        if let deflater = entry.deflater {
            var out: [UInt8] = []
            try Self.zlib { () throws(ZlibError) in try deflater.compress(bytes, flush: .none, into: &out) }
            entry.compressedBytes += Int64(out.count)
            current = entry
            try emit(out)
        } else {
            entry.compressedBytes += Int64(bytes.count)
            current = entry
            try emit(bytes)
        }
    }

    /// Appends text as UTF-8.
    public func write(_ text: String) throws(ZIPWriteError) {
        var text = text
        try Self.own { try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) } }
    }

    /// Closes the open entry: its data descriptor, and its central directory record.
    public func endEntry() throws(ZIPWriteError) -> ZIPEntrySummary {
        guard var entry = current else { preconditionFailure("no open entry") }
        if let deflater = entry.deflater {
            var out: [UInt8] = []
            try Self.zlib { () throws(ZlibError) in try deflater.compress(UnsafeRawBufferPointer(start: nil, count: 0), flush: .finish, into: &out) }
            entry.compressedBytes += Int64(out.count)
            try emit(out)
        }
        current = nil
        let zip64 = entry.bytes >= 0xFFFF_FFFF || entry.compressedBytes >= 0xFFFF_FFFF
        var descriptor: [UInt8] = []
        descriptor.appendLE(UInt32(0x0807_4B50))
        descriptor.appendLE(entry.crc.value)
        if zip64 {
            descriptor.appendLE(UInt64(entry.compressedBytes))
            descriptor.appendLE(UInt64(entry.bytes))
        } else {
            descriptor.appendLE(UInt32(entry.compressedBytes))
            descriptor.appendLE(UInt32(entry.bytes))
        }
        try emit(descriptor)

        let offsetTooBig = entry.headerOffset >= 0xFFFF_FFFF
        var extra: [UInt8] = []
        if zip64 || offsetTooBig {
            var fields: [UInt8] = []
            if zip64 {
                fields.appendLE(UInt64(entry.bytes))
                fields.appendLE(UInt64(entry.compressedBytes))
            }
            if offsetTooBig { fields.appendLE(UInt64(entry.headerOffset)) }
            extra.appendLE(UInt16(0x0001))
            extra.appendLE(UInt16(fields.count))
            extra += fields
        }
        let needs64 = zip64 || offsetTooBig
        central.appendLE(UInt32(0x0201_4B50))
        central.appendLE(UInt16((3 << 8) | 45))     // made by: Unix, ZIP 4.5
        central.appendLE(UInt16(needs64 ? 45 : 20))
        central.appendLE(Self.flags)
        central.appendLE(entry.method.rawValue)
        central.appendLE(modified.time)
        central.appendLE(modified.date)
        central.appendLE(entry.crc.value)
        central.appendLE(UInt32(zip64 ? 0xFFFF_FFFF : UInt32(entry.compressedBytes)))
        central.appendLE(UInt32(zip64 ? 0xFFFF_FFFF : UInt32(entry.bytes)))
        central.appendLE(UInt16(entry.name.count))
        central.appendLE(UInt16(extra.count))
        central.appendLE(UInt16(0))                 // comment
        central.appendLE(UInt16(0))                 // disk
        central.appendLE(UInt16(0))                 // internal attributes
        central.appendLE(UInt32(UInt32(0o100644) << 16))
        central.appendLE(UInt32(offsetTooBig ? 0xFFFF_FFFF : UInt32(entry.headerOffset)))
        central += entry.name
        central += extra
        entryCount += 1
        let digest = entry.hasher.finalize().hexString
        return ZIPEntrySummary(name: String(decoding: entry.name, as: UTF8.self), bytes: entry.bytes,
                               compressedBytes: entry.compressedBytes, crc32: entry.crc.value, sha256: digest)
    }

    /// Writes the central directory and the end records, and flushes.
    /// - Returns: the archive's size and SHA-256.
    public func finish() throws(ZIPWriteError) -> (bytes: Int64, sha256: String) {
        precondition(current == nil && !finished, "an entry is open or the archive is finished")
        finished = true
        let centralOffset = offset
        let centralSize = Int64(central.count)
        try emit(central)
        central = []
        let needs64 = entryCount >= 0xFFFF || centralOffset >= 0xFFFF_FFFF || centralSize >= 0xFFFF_FFFF
        var end: [UInt8] = []
        if needs64 {
            let zip64EndOffset = offset
            end.appendLE(UInt32(0x0606_4B50))
            end.appendLE(UInt64(44))
            end.appendLE(UInt16((3 << 8) | 45))
            end.appendLE(UInt16(45))
            end.appendLE(UInt32(0))
            end.appendLE(UInt32(0))
            end.appendLE(UInt64(entryCount))
            end.appendLE(UInt64(entryCount))
            end.appendLE(UInt64(centralSize))
            end.appendLE(UInt64(centralOffset))
            end.appendLE(UInt32(0x0706_4B50))
            end.appendLE(UInt32(0))
            end.appendLE(UInt64(zip64EndOffset))
            end.appendLE(UInt32(1))
        }
        end.appendLE(UInt32(0x0605_4B50))
        end.appendLE(UInt16(0))
        end.appendLE(UInt16(0))
        end.appendLE(UInt16(needs64 ? 0xFFFF : UInt16(entryCount)))
        end.appendLE(UInt16(needs64 ? 0xFFFF : UInt16(entryCount)))
        end.appendLE(UInt32(needs64 ? 0xFFFF_FFFF : UInt32(centralSize)))
        end.appendLE(UInt32(needs64 ? 0xFFFF_FFFF : UInt32(centralOffset)))
        end.appendLE(UInt16(0))
        try emit(end)
        try flush()
        let digest = archiveHasher.finalize().hexString
        return (offset, digest)
    }

    /// Data descriptor (bit 3) and UTF-8 names (bit 11).
    private static let flags: UInt16 = 0x0008 | 0x0800

    private func emit(_ bytes: [UInt8]) throws(ZIPWriteError) {
        try Self.own { try bytes.withUnsafeBytes { try emit($0) } }
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws(ZIPWriteError) {
        guard !bytes.isEmpty else { return }
        if buffer.count + bytes.count > bufferLimit { try flush() }
        if bytes.count >= bufferLimit {
            try writeOut(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        offset += Int64(bytes.count)
    }

    private func flush() throws(ZIPWriteError) {
        guard !buffer.isEmpty else { return }
        try Self.own { try buffer.withUnsafeBytes { try writeOut($0) } }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) throws(ZIPWriteError) {
        archiveHasher.update(bufferPointer: bytes)
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ZIPWriteError(message: "cannot write the export: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    /// MS-DOS time and date of `date` in UTC (years before 1980 are clamped).
    static func dosTime(_ date: Date) -> (time: UInt16, date: UInt16) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let year = max(1980, min(2107, c.year ?? 1980))
        let time = UInt16((c.hour ?? 0) << 11 | (c.minute ?? 0) << 5 | (c.second ?? 0) / 2)
        let day = UInt16((year - 1980) << 9 | (c.month ?? 1) << 5 | (c.day ?? 1))
        return (time, day)
    }
}

extension StreamingZIPWriter {
    /// Runs `body` (buffer access around the writer's own steps), whose failures are the writer's.
    static func own(_ body: () throws -> Void) throws(ZIPWriteError) {
        do { try body() } catch let error as ZIPWriteError { throw error } catch { throw ZIPWriteError(message: "\(error)") }
    }

    /// Runs a zlib step; its failure is the writer's.
    static func zlib<T>(_ body: () throws(ZlibError) -> T) throws(ZIPWriteError) -> T {
        do { return try body() } catch { throw ZIPWriteError(message: error.message) }
    }
}
