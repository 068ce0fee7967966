public import Foundation
public import CallvaultModel

/// One parsed record of a CDR or SMS source.
public enum ParsedRecord: Sendable {
    case call(Call)
    case sms(SMSRecord)
    case status(SMSStatusUpdate)
}

/// Where a record reader puts what it read: each record with its line, each refused line with
/// its reason (`reject`), and a note of each record that was not UTF-8 (read as ISO-8859-1).
public protocol RecordSink: AnyObject {
    /// Takes one record; throws to stop the reading (the consumer gave up).
    func accept(_ record: ParsedRecord, line: Int?) throws
    func reject(line: Int?, _ reason: String)
    func noteLatin1()
}

/// Reads a whole file and feeds its records and rejects to a sink (runs on the parser thread).
public typealias RecordReader = @Sendable (URL, any RecordSink) throws -> Void

/// The readers of the record formats: the file's lines, CSV records or whole documents, each
/// through its parser, with a clear reason for every line refused (damaged bytes, over-long
/// lines, what the parser says) and the good lines beside it kept.
public struct RecordReaders: Sendable {
    let normalizer: PhoneNumberNormalizer

    public init(normalizer: PhoneNumberNormalizer) {
        self.normalizer = normalizer
    }

    /// The reader for a record format.
    public func reader(for format: InputFormat, clock: LocalTimeConverter) -> RecordReader {
        let normalizer = self.normalizer
        switch format {
        case .asteriskCSV:
            let parser = AsteriskCDRParser(normalizer: normalizer, clock: clock)
            return { file, sink in try Self.readCSV(file, sink) { .call(try parser.parse($0)) } }
        case .freeswitchCSV:
            let parser = FreeSWITCHCSVParser(normalizer: normalizer, clock: clock)
            return { file, sink in
                var legs = FreeSWITCHLegLinker()
                try Self.readCSV(file, sink) { .call(try parser.parse($0, legs: &legs)) }
            }
        case .freeswitchSQL:
            let parser = FreeSWITCHCSVParser(normalizer: normalizer, clock: clock)
            return { file, sink in
                var legs = FreeSWITCHLegLinker()
                try Self.readLines(file, sink) { bytes in
                    let line = TextDecoding.decode(bytes)
                    if line.trimmedASCIIWhitespace.isEmpty { return nil }
                    return .call(try parser.parse(sqlLine: line, legs: &legs))
                }
            }
        case .freeswitchJSON:
            let parser = FreeSWITCHJSONParser(normalizer: normalizer, clock: clock)
            return { file, sink in try Self.readDocument(file, sink) { .call(try parser.parse(data: $0)) } }
        case .freeswitchXML:
            let parser = FreeSWITCHXMLParser(normalizer: normalizer, clock: clock)
            return { file, sink in try Self.readDocument(file, sink) { .call(try parser.parse(data: $0)) } }
        case .kannelLog:
            let parser = KannelLogParser(normalizer: normalizer, clock: clock)
            return { file, sink in
                var keys = OccurrenceKeys()
                var concatenated = ConcatenatedMessages()
                func keep(_ messages: [(record: SMSRecord, line: Int?)]) throws {
                    for (var sms, line) in messages {
                        sms.sourceKey = keys.next(sms.sourceKey)
                        try sink.accept(.sms(sms), line: line)
                    }
                }
                try Self.readLines(file, sink, controlBytesAllowed: true) { bytes, line in
                    switch try parser.parse(lineBytes: bytes) {
                    case .message(let sms):
                        try keep(concatenated.add(sms, line: line))
                        return nil
                    case .statusUpdate(var update):
                        update.sourceKey = keys.next(update.sourceKey)
                        return .status(update)
                    case .ignored: return nil
                    }
                }
                try keep(concatenated.finish())
            }
        case .smsCSV:
            return { file, sink in
                var parser = SMSCSVParser(normalizer: normalizer, clock: clock)
                var sawHeader = false
                try Self.readCSV(file, sink) { fields in
                    if !sawHeader {
                        sawHeader = true
                        try parser.readHeader(fields)
                        return nil
                    }
                    return .sms(try parser.parse(fields))
                }
            }
        case .recording:
            return { file, sink in sink.reject(line: nil, "a recording is not a record file") }
        }
    }

    /// The reader of a source described in `callvault.toml`.
    public func mappedReader(_ mapping: SourceMapping) -> RecordReader {
        let normalizer = self.normalizer
        switch mapping.shape {
        case .csv:
            return { file, sink in
                var parser = MappedSourceParser(mapping: mapping, normalizer: normalizer)
                var sawHeader = !mapping.hasHeader
                try Self.readCSV(file, sink, delimiter: mapping.delimiter) { fields in
                    if !sawHeader {
                        sawHeader = true
                        try parser.readHeader(fields)
                        return nil
                    }
                    return .call(try parser.parse(fields))
                }
            }
        case .jsonLines:
            let parser = MappedSourceParser(mapping: mapping, normalizer: normalizer)
            return { file, sink in
                try Self.readLines(file, sink) { bytes in
                    if bytes.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { return nil }
                    return .call(try parser.parse(jsonLine: bytes))
                }
            }
        }
    }

    /// Feeds CSV records through `parse`; a nil result is a record with nothing to keep.
    static func readCSV(_ file: URL, _ sink: any RecordSink, delimiter: UInt8 = UInt8(ascii: ","),
                        _ parse: ([String]) throws -> ParsedRecord?) throws {
        try CSVRecordReader(delimiter: delimiter).read(file) { event in
            switch event {
            case .oversized(let line):
                sink.reject(line: line, "record is longer than 1 MiB or has an unterminated quote; skipped to the next line")
            case .record(let record):
                if record.usedLatin1 { sink.noteLatin1() }
                if let (field, byte) = record.fields.enumerated().lazy.compactMap({ i, f in Self.strayControlByte(f.utf8).map { (i + 1, $0) } }).first {
                    sink.reject(line: record.line, "field \(field) has \(Self.describe(byte)) (binary damage?); the line is skipped")
                    return
                }
                let parsed: ParsedRecord?
                do { parsed = try parse(record.fields) } catch {
                    sink.reject(line: record.line, Self.reason(error))
                    return
                }
                if let parsed { try sink.accept(parsed, line: record.line) }
            }
        }
    }

    /// The first NUL or control byte other than tab, line feed and carriage return in `bytes`.
    static func strayControlByte<C: Collection<UInt8>>(_ bytes: C) -> UInt8? {
        bytes.first { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }
    }

    static func describe(_ byte: UInt8) -> String {
        byte == 0 ? "a NUL byte" : "a control byte 0x\(byte < 16 ? "0" : "")\(String(byte, radix: 16, uppercase: true))"
    }

    /// Feeds lines through `parse`. A line with a NUL or control byte is rejected by its number
    /// unless `controlBytesAllowed` (Kannel logs carry message text the parser skips by length).
    static func readLines(_ file: URL, _ sink: any RecordSink, controlBytesAllowed: Bool = false,
                          _ parse: (ArraySlice<UInt8>) throws -> ParsedRecord?) throws {
        try readLines(file, sink, controlBytesAllowed: controlBytesAllowed) { bytes, _ in try parse(bytes) }
    }

    /// `readLines`, with each line's number given to `parse` too.
    static func readLines(_ file: URL, _ sink: any RecordSink, controlBytesAllowed: Bool = false,
                          _ parse: (ArraySlice<UInt8>, Int) throws -> ParsedRecord?) throws {
        try LineReader().read(file) { event in
            switch event {
            case .oversized(let number):
                sink.reject(line: number, "line is longer than 1 MiB; skipped")
            case .line(let bytes, let number):
                if String(validating: bytes, as: UTF8.self) == nil { sink.noteLatin1() }
                if !controlBytesAllowed, let byte = strayControlByte(bytes) {
                    sink.reject(line: number, "the line has \(describe(byte)) (binary damage?); it is skipped")
                    return
                }
                let parsed: ParsedRecord?
                do { parsed = try parse(bytes, number) } catch {
                    sink.reject(line: number, Self.reason(error))
                    return
                }
                if let parsed { try sink.accept(parsed, line: number) }
            }
        }
    }

    /// Feeds a whole-file document (one call per file, at most 16 MiB) through `parse`.
    static func readDocument(_ file: URL, _ sink: any RecordSink, _ parse: (Data) throws -> ParsedRecord) throws {
        let size = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? NSNumber)?.intValue ?? 0
        guard size <= 16 << 20 else {
            sink.reject(line: nil, "a CDR document of \(size) bytes is larger than 16 MiB")
            return
        }
        let data = try Data(contentsOf: file)
        let parsed: ParsedRecord
        do { parsed = try parse(data) } catch {
            sink.reject(line: nil, Self.reason(error))
            return
        }
        try sink.accept(parsed, line: nil)
    }

    /// The reason of a parser's error (parsers throw `IngestLineError`).
    public static func reason(_ error: any Error) -> String {
        (error as? IngestLineError)?.reason ?? "cannot be read"
    }
}
