import FuzzSupport
import CallvaultIngest

/// libFuzzer's entry (issue 22): one input, read both as a FreeSWITCH cdr_csv file and as a
/// file of its `sql` template (`INSERT INTO … VALUES (…);` lines), with the leg linker of a file.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzInput.detect(bytes)
    let parser = FreeSWITCHCSVParser(normalizer: FuzzInput.normalizer, clock: FuzzInput.clock())
    var legs = FreeSWITCHLegLinker(capacity: 4)
    FuzzInput.csvRecords(bytes) { record in
        _ = FreeSWITCHCSVParser.looksLikeRecord(record.fields)
        _ = try? parser.parse(record.fields, legs: &legs)
    }
    var sqlLegs = FreeSWITCHLegLinker(capacity: 4)
    FuzzInput.lines(bytes) { line, _ in
        let text = TextDecoding.decode(line)
        _ = FreeSWITCHCSVParser.looksLikeSQLLine(text)
        _ = try? parser.parse(sqlLine: text, legs: &sqlLegs)
    }
    return 0
}

@main enum Main {
    static func main() { FuzzMain.run { data, size in data.map { fuzz($0, size) } ?? 0 } }
}
