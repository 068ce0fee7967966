import Foundation
import FuzzSupport
import CallvaultConfiguration

/// libFuzzer's entry (issue 22): one input, read as `callvault.toml` (its retention classes
/// and rules, `[server]` and `[sources.NAME]` mappings included); what parses is then checked
/// for its time zone and rendered.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    guard let configuration = try? ArchiveConfiguration.parse(text) else { return 0 }
    _ = try? configuration.timeZone()
    _ = configuration.rendered()
    return 0
}

@main enum Main {
    static func main() { FuzzMain.run { data, size in data.map { fuzz($0, size) } ?? 0 } }
}
