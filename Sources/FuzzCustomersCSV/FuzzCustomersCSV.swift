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

@main enum Main {
    static func main() { FuzzMain.run { data, size in data.map { fuzz($0, size) } ?? 0 } }
}
