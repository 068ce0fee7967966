import FuzzSupport
import CallvaultIngest

/// libFuzzer's entry (issue 22): one input, read as a customers CSV (header, then records).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var parser = CustomersCSVParser(normalizer: FuzzInput.normalizer)
    var sawHeader = false
    FuzzInput.csvRecords(bytes) { record in
        if !sawHeader {
            sawHeader = true
            try? parser.readHeader(record.fields)
        } else {
            _ = try? parser.parse(record.fields)
        }
    }
    return 0
}

#if !CALLVAULT_FUZZING
@main enum Replay { static func main() { FuzzReplay.main(fuzz) } }
#endif
