import Foundation

/// The input formats callvault reads.
public enum InputFormat: String, Sendable, CaseIterable {
    /// Asterisk `cdr_csv` Master.csv.
    case asteriskCSV = "asterisk-csv"
    /// FreeSWITCH `mod_cdr_csv`, default template.
    case freeswitchCSV = "freeswitch-csv"
    /// FreeSWITCH `mod_cdr_csv`, `sql` template (`INSERT INTO cdr VALUES (…);` lines).
    case freeswitchSQL = "freeswitch-sql"
    /// FreeSWITCH `mod_json_cdr`, one call per file.
    case freeswitchJSON = "freeswitch-json"
    /// FreeSWITCH `mod_xml_cdr`, one call per file.
    case freeswitchXML = "freeswitch-xml"
    /// Kannel bearerbox access log (SMS identification data; message text is discarded).
    case kannelLog = "kannel-access-log"
    /// SMS records as CSV (`time,direction,from,to,message_id,status,parts`).
    case smsCSV = "sms-csv"
    /// A call recording (WAV): FreePBX/Asterisk monitor names, FreeSWITCH uuid names.
    case recording = "recording"

    /// Whether the raw file carries message text, so it must not be kept after ingest (R8).
    public var carriesMessageText: Bool { self == .kannelLog || self == .smsCSV }

    /// Formats of items that are SMS.
    public var isSMS: Bool { self == .kannelLog || self == .smsCSV }
}

/// Decides which parser a file needs, from its content (and its name only for audio).
public enum FormatDetector {
    /// What detection tries, in order, for the message of a file that matches none.
    static let tried = "tried WAV, FreeSWITCH JSON and XML CDR, Kannel access log, FreeSWITCH SQL-template CDR, Asterisk cdr_csv (16, 17, 18 or 21 fields), FreeSWITCH cdr_csv (13, 15, 17 or 20 fields), SMS CSV (header time,direction,from,to,…)"

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
        if isMostlyBinary(head) { throw IngestLineError("binary file of no known format (\(tried))") }
        if FreeSWITCHJSONParser.looksLikeDocument(head) { return .freeswitchJSON }
        if FreeSWITCHXMLParser.looksLikeDocument(head) { return .freeswitchXML }
        if KannelLogParser.looksLikeLog(head) { return .kannelLog }
        // Text formats are told by their first good lines: a damaged line (stray bytes, a cut
        // record) does not decide for the file; it is rejected by its number when read.
        let lines = head.split(separator: UInt8(ascii: "\n"), maxSplits: 20, omittingEmptySubsequences: true).prefix(20)
        if lines.lazy.map({ TextDecoding.decode($0) }).filter({ !$0.trimmedASCIIWhitespace.isEmpty }).prefix(5)
            .contains(where: FreeSWITCHCSVParser.looksLikeSQLLine) { return .freeswitchSQL }
        var records: [[String]] = []
        try? CSVRecordReader().read(bytes: Array(head.prefix(64 * 1024))) { event in
            if records.count < 20, case .record(let record) = event { records.append(record.fields) }
        }
        guard let fields = records.first else { throw IngestLineError("no record found in the file's first 64 KiB (\(tried))") }
        if SMSCSVParser.looksLikeHeader(fields) { return .smsCSV }
        let asterisk = records.filter(AsteriskCDRParser.looksLikeRecord).count
        let freeswitch = records.filter(FreeSWITCHCSVParser.looksLikeRecord).count
        if max(asterisk, freeswitch) > 0, 2 * max(asterisk, freeswitch) >= records.count {
            return asterisk >= freeswitch ? .asteriskCSV : .freeswitchCSV
        }
        if fields.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }).contains("customer_id") {
            throw IngestLineError("this is a customers file: load it with `callvault customers import`")
        }
        throw IngestLineError("not a known format: the first record has \(fields.count) fields and matches none of the formats (\(tried))")
    }

    /// Whether `head` is mostly not text: more than a tenth of its first 4 KiB are NUL or
    /// control bytes other than tab, line feed and carriage return. A text file with a few bad
    /// bytes is still read; its damaged lines are rejected by number.
    static func isMostlyBinary(_ head: [UInt8]) -> Bool {
        let sample = head.prefix(4096)
        let control = sample.lazy.filter { $0 < 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }.count
        return control * 10 > sample.count
    }
}
