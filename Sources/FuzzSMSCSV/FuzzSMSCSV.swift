import FuzzSupport
import CallvaultIngest

/// libFuzzer's entry (issue 22): one input, read as an SMS gateway CSV (header, then records),
/// with and without the archive's refusal of message text.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzInput.detect(bytes)
    let rejectsText = (bytes.last ?? 0) & 1 == 1
    var parser = SMSCSVParser(normalizer: FuzzInput.normalizer, clock: FuzzInput.clock(), rejectsRecordsWithText: rejectsText)
    var sawHeader = false
    FuzzInput.csvRecords(bytes) { record in
        _ = SMSCSVParser.looksLikeHeader(record.fields)
        if !sawHeader {
            sawHeader = true
            try? parser.readHeader(record.fields)
        } else {
            _ = try? parser.parse(record.fields)
        }
    }
    return 0
}

@main enum Main {
    static func main() { FuzzMain.run { data, size in data.map { fuzz($0, size) } ?? 0 } }
}
