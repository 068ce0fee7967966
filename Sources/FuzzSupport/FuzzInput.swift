public import Foundation
public import CallvaultModel
public import CallvaultIngest

/// What every parser fuzz target shares (issue 22): the archive's default number and time
/// settings, the file readers the ingest feeds records through, and format detection.
///
/// A target hands the input bytes to its parser exactly as `Archive` would after reading a
/// file. Rejections (`IngestLineError`) are the expected outcome for most inputs; anything
/// else — a trap, an out-of-range index, an overflow, a hang — is a finding.
public enum FuzzInput {
    /// The default archive's numbers (Finland, 5-digit extensions).
    public static let normalizer = PhoneNumberNormalizer(countryCode: "358", maxExtensionLength: 5)

    /// A converter for the default source zone (one per input: it caches offsets).
    public static func clock() -> LocalTimeConverter {
        LocalTimeConverter(timeZone: TimeZone(identifier: "Europe/Helsinki")!)
    }

    /// The records of `bytes` as `Archive` reads a CSV file; each record goes to `body`.
    ///
    /// The bytes are read twice, in the reader's usual 1 MiB chunks and in chunks of a few
    /// bytes, and the two readings must agree: a record must not depend on where a file read
    /// happened to split the file.
    public static func csvRecords(_ bytes: [UInt8], delimiter: UInt8 = UInt8(ascii: ","), _ body: (CSVRecord) -> Void) {
        var whole: [Reading] = []
        try? CSVRecordReader(delimiter: delimiter, maxRecordBytes: 4096).read(bytes: bytes) { event in
            whole.append(Reading(event))
            if case .record(let record) = event { body(record) }
        }
        var chunked: [Reading] = []
        let chunk = 1 + Int(bytes.first ?? 0) % 13
        try? CSVRecordReader(delimiter: delimiter, maxRecordBytes: 4096, chunkSize: chunk).read(bytes: bytes) { event in
            chunked.append(Reading(event))
        }
        guard whole == chunked else {
            fatalError("CSVRecordReader: reading in \(chunk)-byte chunks gives other records than reading whole")
        }
    }

    /// The lines of `bytes` as `Archive` reads a line-based file; each line goes to `body`.
    /// Read twice, whole and in chunks of a few bytes, like `csvRecords`.
    public static func lines(_ bytes: [UInt8], _ body: (ArraySlice<UInt8>, Int) -> Void) {
        var whole: [Reading] = []
        try? LineReader(maxLineBytes: 4096).read(bytes: bytes) { event in
            whole.append(Reading(event))
            if case .line(let line, let number) = event { body(line, number) }
        }
        var chunked: [Reading] = []
        let chunk = 1 + Int(bytes.first ?? 0) % 13
        try? LineReader(maxLineBytes: 4096, chunkSize: chunk).read(bytes: bytes) { event in
            chunked.append(Reading(event))
        }
        guard whole == chunked else {
            fatalError("LineReader: reading in \(chunk)-byte chunks gives other lines than reading whole")
        }
    }

    /// Runs format detection on the head of `bytes` under a few file names, as ingest does first.
    public static func detect(_ bytes: [UInt8]) {
        let head = Array(bytes.prefix(64 * 1024))
        for name in ["Master.csv", "cdr.json", "cdr.xml", "access.log", "input"] {
            _ = try? FormatDetector.detect(fileName: name, head: head)
        }
    }

    /// One event of a reader, comparable.
    struct Reading: Equatable {
        var fields: [String]
        var line: Int
        var flag: Bool

        init(_ event: CSVRecordReader.Event) {
            switch event {
            case .record(let record): self.init(fields: record.fields, line: record.line, flag: record.usedLatin1)
            case .oversized(let line): self.init(fields: [], line: line, flag: true)
            }
        }

        init(_ event: LineReader.Event) {
            switch event {
            case .line(let bytes, let number): self.init(fields: [String(decoding: bytes, as: UTF8.self)], line: number, flag: false)
            case .oversized(let number): self.init(fields: [], line: number, flag: true)
            }
        }

        init(fields: [String], line: Int, flag: Bool) {
            self.fields = fields
            self.line = line
            self.flag = flag
        }
    }
}
