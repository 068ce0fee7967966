import Foundation
import FuzzSupport
import CallvaultIngest

/// libFuzzer's entry (issue 22): one input, `NAME\nJSON`: the first line read as a recording's
/// file name, the rest as its sidecar (`NAME.json`), which is then applied to the name's metadata.
/// An input without a line break is a sidecar alone.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let names = RecordingNameParser(normalizer: FuzzInput.normalizer, clock: FuzzInput.clock())
    let newline = bytes.firstIndex(of: UInt8(ascii: "\n"))
    let meta = names.parse(fileName: TextDecoding.decode(bytes[..<(newline ?? 0)]))
    let sidecar = newline.map { bytes[($0 + 1)...] } ?? bytes[...]
    if let sidecar = try? RecordingSidecarParser.parse(Data(sidecar)) {
        _ = RecordingSidecarParser.apply(sidecar, to: meta)
    }
    return 0
}

@main enum Main {
    static func main() { FuzzMain.run { data, size in data.map { fuzz($0, size) } ?? 0 } }
}
