import FuzzSupport
import CallvaultIngest

/// libFuzzer's entry (issue 22): one input, read as a Kannel access log, line by line as
/// bytes (the file path) and as text (a line decoded as ISO-8859-1 counts characters).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzInput.detect(bytes)
    _ = KannelLogParser.looksLikeLog(bytes)
    let parser = KannelLogParser(normalizer: FuzzInput.normalizer, clock: FuzzInput.clock())
    FuzzInput.lines(bytes) { line, _ in
        _ = try? parser.parse(lineBytes: line)
        let text = TextDecoding.decode(line)
        _ = KannelLogParser.looksLikeLine(text)
        _ = try? parser.parse(line: text)
    }
    return 0
}

@main enum Main {
    static func main() { FuzzMain.run { data, size in data.map { fuzz($0, size) } ?? 0 } }
}
