import FuzzSupport
import CallvaultIngest

/// libFuzzer's entry (issue 22): one input, read as the head of a recording (the first 64 KiB,
/// as ingest reads), with the input's own size and with a file size that disagrees with it.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let head = Array(bytes.prefix(64 * 1024))
    _ = try? WAVHeaderParser.parse(head: head, fileSize: Int64(bytes.count))
    _ = try? WAVHeaderParser.parse(head: head, fileSize: Int64(bytes.count) * 1_000_003 + 7)
    _ = try? WAVHeaderParser.parse(head: head, fileSize: 0)
    _ = try? WAVHeaderParser.parse(head: head, fileSize: Int64.max)
    return 0
}

@main enum Main {
    static func main() { FuzzMain.run { data, size in data.map { fuzz($0, size) } ?? 0 } }
}
