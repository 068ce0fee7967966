import Foundation
import CallvaultModel
import CZlib
import Crypto
#if canImport(Glibc)
import Glibc
#endif

/// How an entry's bytes are stored in the ZIP.
enum ZIPMethod: UInt16 {
    case stored = 0
    case deflated = 8
}

/// What one written entry holds: the manifest lists its size and SHA-256.
struct ZIPEntrySummary: Sendable, Equatable {
    var name: String
    var bytes: Int64
    var compressedBytes: Int64
    var crc32: UInt32
    var sha256: String
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
final class StreamingZIPWriter {
    private let fd: Int32
    private let modified: (time: UInt16, date: UInt16)
    private var buffer: [UInt8] = []
    private let bufferLimit = 1 << 20
    private(set) var offset: Int64 = 0
    private var central: [UInt8] = []
    private var entryCount = 0
    private var current: OpenEntry?
    private var archiveHasher = SHA256()
    private var finished = false

    private struct OpenEntry {
        var name: [UInt8]
        var method: ZIPMethod
        var headerOffset: Int64
        var crc: uLong = crc32(0, nil, 0)
        var bytes: Int64 = 0
        var compressedBytes: Int64 = 0
        var hasher = SHA256()
        var deflater: RawDeflater?
    }

    /// Writes to `fd` (positioned at 0), stamping every entry with `modified` (as UTC).
    init(fileDescriptor fd: Int32, modified: Date) {
        self.fd = fd
        self.modified = Self.dosTime(modified)
        buffer.reserveCapacity(bufferLimit + 65_536)
    }

    /// Writes a whole entry whose content `body` produces through `write`.
    @discardableResult
    func addEntry(_ name: String, method: ZIPMethod, _ body: () throws -> Void) throws -> ZIPEntrySummary {
        try beginEntry(name, method: method)
        try body()
        return try endEntry()
    }

    /// Starts an entry; its content follows through `write`, then `endEntry`.
    func beginEntry(_ name: String, method: ZIPMethod) throws {
        precondition(current == nil && !finished, "an entry is open or the archive is finished")
        let nameBytes = Array(name.utf8)
        guard !nameBytes.isEmpty, nameBytes.count < 0xFFFF else { throw ArchiveFailure(.internal, "ZIP entry name of \(nameBytes.count) bytes") }
        var entry = OpenEntry(name: nameBytes, method: method, headerOffset: offset)
        if method == .deflated { entry.deflater = try RawDeflater() }
        var header: [UInt8] = []
        header.le32(0x0403_4B50)
        header.le16(20)                 // version needed: 2.0 (ZIP64 readers use the central directory)
        header.le16(Self.flags)
        header.le16(method.rawValue)
        header.le16(modified.time)
        header.le16(modified.date)
        header.le32(0)                  // CRC-32, sizes: in the data descriptor
        header.le32(0)
        header.le32(0)
        header.le16(UInt16(nameBytes.count))
        header.le16(0)
        header += nameBytes
        try emit(header)
        current = entry
    }

    /// Appends bytes to the open entry.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard var entry = current else { preconditionFailure("no open entry") }
        guard !bytes.isEmpty else { return }
        entry.crc = crc32(entry.crc, bytes.bindMemory(to: Bytef.self).baseAddress, uInt(bytes.count))
        entry.hasher.update(bufferPointer: bytes)
        entry.bytes += Int64(bytes.count)
        if let deflater = entry.deflater {
            let out = try deflater.deflate(bytes, finish: false)
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
    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Closes the open entry: its data descriptor, and its central directory record.
    func endEntry() throws -> ZIPEntrySummary {
        guard var entry = current else { preconditionFailure("no open entry") }
        if let deflater = entry.deflater {
            let out = try deflater.deflate(UnsafeRawBufferPointer(start: nil, count: 0), finish: true)
            entry.compressedBytes += Int64(out.count)
            try emit(out)
        }
        current = nil
        let zip64 = entry.bytes >= 0xFFFF_FFFF || entry.compressedBytes >= 0xFFFF_FFFF
        var descriptor: [UInt8] = []
        descriptor.le32(0x0807_4B50)
        descriptor.le32(UInt32(entry.crc))
        if zip64 {
            descriptor.le64(UInt64(entry.compressedBytes))
            descriptor.le64(UInt64(entry.bytes))
        } else {
            descriptor.le32(UInt32(entry.compressedBytes))
            descriptor.le32(UInt32(entry.bytes))
        }
        try emit(descriptor)

        let offsetTooBig = entry.headerOffset >= 0xFFFF_FFFF
        var extra: [UInt8] = []
        if zip64 || offsetTooBig {
            var fields: [UInt8] = []
            if zip64 {
                fields.le64(UInt64(entry.bytes))
                fields.le64(UInt64(entry.compressedBytes))
            }
            if offsetTooBig { fields.le64(UInt64(entry.headerOffset)) }
            extra.le16(0x0001)
            extra.le16(UInt16(fields.count))
            extra += fields
        }
        let needs64 = zip64 || offsetTooBig
        central.le32(0x0201_4B50)
        central.le16((3 << 8) | 45)     // made by: Unix, ZIP 4.5
        central.le16(needs64 ? 45 : 20)
        central.le16(Self.flags)
        central.le16(entry.method.rawValue)
        central.le16(modified.time)
        central.le16(modified.date)
        central.le32(UInt32(entry.crc))
        central.le32(zip64 ? 0xFFFF_FFFF : UInt32(entry.compressedBytes))
        central.le32(zip64 ? 0xFFFF_FFFF : UInt32(entry.bytes))
        central.le16(UInt16(entry.name.count))
        central.le16(UInt16(extra.count))
        central.le16(0)                 // comment
        central.le16(0)                 // disk
        central.le16(0)                 // internal attributes
        central.le32(UInt32(0o100644) << 16)
        central.le32(offsetTooBig ? 0xFFFF_FFFF : UInt32(entry.headerOffset))
        central += entry.name
        central += extra
        entryCount += 1
        let digest = entry.hasher.finalize().hexString
        return ZIPEntrySummary(name: String(decoding: entry.name, as: UTF8.self), bytes: entry.bytes,
                               compressedBytes: entry.compressedBytes, crc32: UInt32(entry.crc), sha256: digest)
    }

    /// Writes the central directory and the end records, and flushes.
    /// - Returns: the archive's size and SHA-256.
    func finish() throws -> (bytes: Int64, sha256: String) {
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
            end.le32(0x0606_4B50)
            end.le64(44)
            end.le16((3 << 8) | 45)
            end.le16(45)
            end.le32(0)
            end.le32(0)
            end.le64(UInt64(entryCount))
            end.le64(UInt64(entryCount))
            end.le64(UInt64(centralSize))
            end.le64(UInt64(centralOffset))
            end.le32(0x0706_4B50)
            end.le32(0)
            end.le64(UInt64(zip64EndOffset))
            end.le32(1)
        }
        end.le32(0x0605_4B50)
        end.le16(0)
        end.le16(0)
        end.le16(needs64 ? 0xFFFF : UInt16(entryCount))
        end.le16(needs64 ? 0xFFFF : UInt16(entryCount))
        end.le32(needs64 ? 0xFFFF_FFFF : UInt32(centralSize))
        end.le32(needs64 ? 0xFFFF_FFFF : UInt32(centralOffset))
        end.le16(0)
        try emit(end)
        try flush()
        let digest = archiveHasher.finalize().hexString
        return (offset, digest)
    }

    /// Data descriptor (bit 3) and UTF-8 names (bit 11).
    private static let flags: UInt16 = 0x0008 | 0x0800

    private func emit(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try emit($0) }
    }

    private func emit(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        if buffer.count + bytes.count > bufferLimit { try flush() }
        if bytes.count >= bufferLimit {
            try writeOut(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
        offset += Int64(bytes.count)
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        try buffer.withUnsafeBytes { try writeOut($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeOut(_ bytes: UnsafeRawBufferPointer) throws {
        archiveHasher.update(bufferPointer: bytes)
        var done = 0
        while done < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveFailure(.internal, "cannot write the export: \(String(cString: strerror(errno)))")
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

/// zlib raw deflate (no zlib header: the ZIP's own CRC-32 guards the data).
final class RawDeflater {
    private let stream: UnsafeMutablePointer<z_stream>
    private var output = [UInt8](repeating: 0, count: 256 * 1024)

    init() throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // deflateInit2 is a macro; its function form takes the library version and struct size.
        guard deflateInit2_(stream, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            stream.deallocate()
            throw ArchiveFailure(.internal, "zlib deflateInit2 failed")
        }
    }

    deinit {
        deflateEnd(stream)
        stream.deallocate()
    }

    /// Compresses `input`; with `finish`, ends the stream. Returns what deflate produced.
    func deflate(_ input: UnsafeRawBufferPointer, finish: Bool) throws -> [UInt8] {
        var produced: [UInt8] = []
        stream.pointee.next_in = input.isEmpty ? nil : UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
        stream.pointee.avail_in = uInt(input.count)
        while true {
            let (status, count) = output.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.pointee.next_out = out.baseAddress
                stream.pointee.avail_out = uInt(out.count)
                let status = CZlib.deflate(stream, finish ? Z_FINISH : Z_NO_FLUSH)
                return (status, out.count - Int(stream.pointee.avail_out))
            }
            produced.append(contentsOf: output[0..<count])
            if finish {
                if status == Z_STREAM_END { break }
                guard status == Z_OK || status == Z_BUF_ERROR else { throw ArchiveFailure(.internal, "zlib deflate failed (\(status))") }
            } else {
                guard status == Z_OK || status == Z_BUF_ERROR else { throw ArchiveFailure(.internal, "zlib deflate failed (\(status))") }
                if stream.pointee.avail_in == 0 && stream.pointee.avail_out != 0 { break }
            }
        }
        return produced
    }
}

fileprivate extension Array where Element == UInt8 {
    mutating func le16(_ value: UInt16) {
        append(UInt8(value & 0xFF)); append(UInt8(value >> 8))
    }

    mutating func le32(_ value: UInt32) {
        for shift in stride(from: 0, to: 32, by: 8) { append(UInt8((value >> UInt32(shift)) & 0xFF)) }
    }

    mutating func le64(_ value: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { append(UInt8((value >> UInt64(shift)) & 0xFF)) }
    }
}
