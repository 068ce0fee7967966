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

#if !CALLVAULT_FUZZING
@main enum Replay { static func main() { FuzzReplay.main(fuzz) } }
#endif
