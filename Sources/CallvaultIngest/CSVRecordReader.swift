public import Foundation

/// One record of a delimited file, with the line it started on.
public struct CSVRecord: Sendable {
    public var fields: [String]
    /// 1-based line number of the record's first line.
    public var line: Int
    /// True when some field was not valid UTF-8 and was decoded as ISO-8859-1.
    public var usedLatin1: Bool
}

/// Streams RFC 4180 records (quoted fields with commas, doubled quotes and newlines inside)
/// from a file in fixed-size chunks, so memory stays constant whatever the file size.
public struct CSVRecordReader {
    /// What the reader does with a record too long to be real (an unterminated quote).
    public enum Event {
        case record(CSVRecord)
        case oversized(line: Int)
    }

    public let delimiter: UInt8
    /// Longest record accepted; longer ones are reported and skipped to the next line.
    public let maxRecordBytes: Int
    let chunkSize: Int

    /// Creates a reader for `delimiter`-separated text.
    public init(delimiter: UInt8 = UInt8(ascii: ","), maxRecordBytes: Int = 1 << 20, chunkSize: Int = 1 << 20) {
        self.delimiter = delimiter
        self.maxRecordBytes = maxRecordBytes
        self.chunkSize = chunkSize
    }

    /// Reads `url` from the start and calls `body` for each record or oversized line.
    /// - Returns: the number of bytes read.
    @discardableResult
    public func read(_ url: URL, _ body: (Event) throws -> Void) throws -> Int64 {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var parser = Parser(delimiter: delimiter, maxRecordBytes: maxRecordBytes)
        var total: Int64 = 0
        while let data = try handle.read(upToCount: chunkSize), !data.isEmpty {
            total += Int64(data.count)
            try data.withUnsafeBytes { raw in
                try parser.feed(raw.bindMemory(to: UInt8.self), body)
            }
        }
        try parser.finish(body)
        return total
    }

    /// Parses records from bytes already in memory, `chunkSize` bytes at a time as from a file
    /// (so a test or a fuzz target meets the same chunk boundaries a file read does).
    public func read(bytes: [UInt8], _ body: (Event) throws -> Void) throws {
        var parser = Parser(delimiter: delimiter, maxRecordBytes: maxRecordBytes)
        try bytes.withUnsafeBufferPointer { all in
            var start = 0
            while start < all.count {
                let end = min(all.count, start + chunkSize)
                try parser.feed(UnsafeBufferPointer(rebasing: all[start..<end]), body)
                start = end
            }
        }
        try parser.finish(body)
    }

    struct Parser {
        let delimiter: UInt8
        let maxRecordBytes: Int
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false
        var quoteSeen = false      // a quote just closed (or was doubled) inside a quoted field
        var fieldStarted = false   // the record has content
        var line = 1
        var recordLine = 1
        var recordBytes = 0
        var latin1 = false
        var skippingToNewline = false
        var lastWasCR = false
        var atStart = true
        var bomMatched = 0

        init(delimiter: UInt8, maxRecordBytes: Int) {
            self.delimiter = delimiter
            self.maxRecordBytes = maxRecordBytes
            field.reserveCapacity(256)
        }

        mutating func endField() {
            fields.append(TextDecoding.decode(field, usedFallback: &latin1))
            field.removeAll(keepingCapacity: true)
            quoteSeen = false
        }

        mutating func endRecord(_ body: (Event) throws -> Void) throws {
            endField()
            let isBlank = fields.count == 1 && fields[0].isEmpty && !fieldStarted
            if !isBlank {
                try body(.record(CSVRecord(fields: fields, line: recordLine, usedLatin1: latin1)))
            }
            fields.removeAll(keepingCapacity: true)
            fieldStarted = false
            latin1 = false
            recordBytes = 0
            recordLine = line
        }

        mutating func feed(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (Event) throws -> Void) throws {
            let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            for byte in bytes {
                if atStart {
                    // A UTF-8 byte order mark (spreadsheets write one) is not part of the first field.
                    if byte == bom[bomMatched] {
                        bomMatched += 1
                        if bomMatched == 3 { atStart = false }
                        continue
                    }
                    atStart = false
                    if bomMatched > 0 {
                        let partial = bom[0..<bomMatched]
                        bomMatched = 0
                        for held in partial { try feedByte(held, quote: quote, newline: newline, cr: cr, body) }
                    }
                }
                try feedByte(byte, quote: quote, newline: newline, cr: cr, body)
            }
        }

        mutating func feedByte(_ byte: UInt8, quote: UInt8, newline: UInt8, cr: UInt8, _ body: (Event) throws -> Void) throws {
            if skippingToNewline {
                if byte == newline {
                    line += 1
                    skippingToNewline = false
                    recordLine = line
                }
                return
            }
            recordBytes += 1
            if recordBytes > maxRecordBytes {
                try body(.oversized(line: recordLine))
                fields.removeAll(keepingCapacity: true)
                field.removeAll(keepingCapacity: true)
                inQuotes = false
                quoteSeen = false
                fieldStarted = false
                latin1 = false
                recordBytes = 0
                skippingToNewline = byte != newline
                if byte == newline { line += 1; recordLine = line }
                return
            }
            if inQuotes {
                if byte == quote {
                    inQuotes = false
                    quoteSeen = true
                } else {
                    if byte == newline { line += 1 }
                    field.append(byte)
                }
                return
            }
            switch byte {
            case quote:
                // A quote opens a quoted field, or (right after a closing quote) is a doubled quote.
                if quoteSeen { field.append(quote) }
                inQuotes = true
                fieldStarted = true
            case delimiter:
                fieldStarted = true
                endField()
            case newline:
                line += 1
                if lastWasCR, field.last == cr { field.removeLast() }
                try endRecord(body)
            case cr:
                // Kept only if more than the line end follows (removed at the newline).
                field.append(byte)
            default:
                field.append(byte)
                fieldStarted = true
            }
            lastWasCR = byte == cr
        }

        mutating func finish(_ body: (Event) throws -> Void) throws {
            if skippingToNewline { return }
            if inQuotes {
                try body(.oversized(line: recordLine))
                return
            }
            if fieldStarted || !field.isEmpty || !fields.isEmpty {
                if field.last == UInt8(ascii: "\r") { field.removeLast() }
                try endRecord(body)
            }
        }
    }
}
