/// The input formats callvault reads.
public enum InputFormat: String, Sendable, CaseIterable {
    /// Asterisk `cdr_csv` Master.csv.
    case asteriskCSV = "asterisk-csv"
    /// A FreePBX/Asterisk monitor recording (WAV).
    case recording = "freepbx-monitor"
}

/// Decides which parser a file needs, from its name and first bytes.
public enum FormatDetector {
    /// Detects the format of a file named `fileName` starting with `head`.
    /// - Throws: `IngestLineError` with the reason the file is not a known format.
    public static func detect(fileName: String, head: [UInt8]) throws(IngestLineError) -> InputFormat {
        let ext = fileName.split(separator: ".").last.map { $0.lowercased() } ?? ""
        if head.count >= 12, head[0..<4].elementsEqual("RIFF".utf8), head[8..<12].elementsEqual("WAVE".utf8) {
            return .recording
        }
        if RecordingNameParser.audioExtensions.contains(ext) {
            if ext == "wav" { throw IngestLineError("file ends in .wav but has no RIFF/WAVE header (not a WAV recording)") }
            throw IngestLineError("audio format .\(ext) is not supported yet; convert to WAV")
        }
        if head.isEmpty { throw IngestLineError("file is empty") }
        if head.prefix(4096).contains(0) { throw IngestLineError("binary file of no known format") }
        var first: [String]?
        try? CSVRecordReader().read(bytes: Array(head.prefix(64 * 1024))) { event in
            if first == nil, case .record(let record) = event { first = record.fields }
        }
        guard let fields = first else { throw IngestLineError("no record found in the file's first 64 KiB") }
        if AsteriskCDRParser.looksLikeRecord(fields) { return .asteriskCSV }
        if fields.map({ $0.lowercased() }).contains("customer_id") {
            throw IngestLineError("this is a customers file: load it with `callvault customers import`")
        }
        throw IngestLineError("not a known format: the first record has \(fields.count) fields and no start time where Asterisk cdr_csv has one (16, 17, 18 or 21 fields)")
    }
}
