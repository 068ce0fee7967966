public import Foundation

/// Streams the lines of a file as raw bytes (without the line break), in fixed-size chunks,
/// so memory stays constant whatever the file size. A line longer than `maxLineBytes` is
/// reported by its number and skipped.
public struct LineReader {
    /// One line, or the number of a line too long to be real.
    public enum Event {
        case line(bytes: ArraySlice<UInt8>, number: Int)
        case oversized(number: Int)
    }

    public let maxLineBytes: Int
    let chunkSize: Int

    public init(maxLineBytes: Int = 1 << 20, chunkSize: Int = 1 << 20) {
        self.maxLineBytes = maxLineBytes
        self.chunkSize = chunkSize
    }

    /// Reads `url` and calls `body` for each line; a final line without a line break counts.
    public func read(_ url: URL, _ body: (Event) throws -> Void) throws {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        try read(chunks: { try handle.read(upToCount: chunkSize) }, body)
    }

    /// Reads lines from bytes already in memory, `chunkSize` bytes at a time as from a file
    /// (so a test or a fuzz target meets the same chunk boundaries a file read does).
    public func read(bytes: [UInt8], _ body: (Event) throws -> Void) throws {
        var offset = 0
        try read(chunks: {
            guard offset < bytes.count else { return nil }
            let end = min(bytes.count, offset + chunkSize)
            defer { offset = end }
            return Data(bytes[offset..<end])
        }, body)
    }

    func read(chunks next: () throws -> Data?, _ body: (Event) throws -> Void) throws {
        var pending: [UInt8] = []
        var number = 0
        var skipping = false
        while let data = try next(), !data.isEmpty {
            var start = data.startIndex
            while start < data.endIndex {
                let newline = data[start...].firstIndex(of: UInt8(ascii: "\n"))
                let end = newline ?? data.endIndex
                if !skipping { pending.append(contentsOf: data[start..<end]) }
                if pending.count > maxLineBytes && !skipping {
                    number += 1
                    try body(.oversized(number: number))
                    pending.removeAll(keepingCapacity: true)
                    skipping = true
                }
                guard let newline else { break }
                if skipping {
                    skipping = false
                } else {
                    number += 1
                    if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
                    try body(.line(bytes: pending[...], number: number))
                    pending.removeAll(keepingCapacity: true)
                }
                start = data.index(after: newline)
            }
        }
        if !pending.isEmpty && !skipping {
            number += 1
            if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
            try body(.line(bytes: pending[...], number: number))
        }
    }
}
