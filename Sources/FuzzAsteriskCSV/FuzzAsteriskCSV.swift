import FuzzSupport
import CallvaultIngest

/// libFuzzer's entry (issue 22): one input, read as an Asterisk cdr_csv file (Master.csv).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzInput.detect(bytes)
    let parser = AsteriskCDRParser(normalizer: FuzzInput.normalizer, clock: FuzzInput.clock())
    FuzzInput.csvRecords(bytes) { record in
        _ = AsteriskCDRParser.looksLikeRecord(record.fields)
        _ = try? parser.parse(record.fields)
    }
    return 0
}

@main enum Main {
    static func main() { FuzzMain.run { data, size in data.map { fuzz($0, size) } ?? 0 } }
}
