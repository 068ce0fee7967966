import Foundation
import FuzzSupport
import CallvaultIngest

/// libFuzzer's entry (issue 22): one input, read as a FreeSWITCH xml_cdr document.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    FuzzInput.detect(bytes)
    _ = FreeSWITCHXMLParser.looksLikeDocument(bytes)
    let parser = FreeSWITCHXMLParser(normalizer: FuzzInput.normalizer, clock: FuzzInput.clock())
    _ = try? parser.parse(data: Data(bytes))
    return 0
}

@main enum Main {
    static func main() { FuzzMain.run { data, size in data.map { fuzz($0, size) } ?? 0 } }
}
