import Foundation
import FuzzSupport
import CallvaultIngest

/// The `[sources.NAME]` mappings the target reads an input with; the first byte picks one.
let mappings: [SourceMapping] = {
    let zone = TimeZone(identifier: "Europe/Helsinki")!
    // samples/custom/sources.toml: a 3CX export with a day-first time pattern.
    let threeCX: [SourceMapping.Field: String] = [
        .uniqueID: "Call ID", .start: "Call Time", .answer: "Answer Time", .end: "End Time", .duration: "Duration",
        .from: "From", .callerName: "From Name", .to: "To", .direction: "Direction", .disposition: "Status", .agent: "Agent",
    ]
    let numbered: [SourceMapping.Field: String] = [.start: "1", .end: "2", .from: "3", .to: "4", .duration: "5", .answer: "6"]
    let keys: [SourceMapping.Field: String] = [.start: "start", .answer: "answer", .end: "end", .from: "from", .to: "to",
                                               .duration: "duration", .uniqueID: "id", .direction: "direction"]
    return [
        SourceMapping(name: "3cx", shape: .csv, columns: threeCX, timeFormat: .pattern("dd.MM.yyyy HH:mm:ss"), timeZone: zone),
        SourceMapping(name: "plain", shape: .csv, delimiter: UInt8(ascii: ";"), hasHeader: false, columns: numbered,
                      timeFormat: .iso8601, timeZone: zone),
        SourceMapping(name: "epoch", shape: .csv, hasHeader: false, columns: numbered, timeFormat: .epoch(milliseconds: false), timeZone: zone),
        SourceMapping(name: "jsonl", shape: .jsonLines, columns: keys, timeFormat: .epoch(milliseconds: true), timeZone: zone),
        SourceMapping(name: "jsonl-iso", shape: .jsonLines, columns: keys, timeFormat: .iso8601, timeZone: zone),
    ]
}()

/// libFuzzer's entry (issue 22): one input, read as a custom CDR source described in
/// `callvault.toml` (CSV with or without a header, or JSON lines) by one of `mappings`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let all = Array(UnsafeBufferPointer(start: data, count: size))
    guard let selector = all.first else { return 0 }
    let mapping = mappings[Int(selector) % mappings.count]
    let bytes = Array(all.dropFirst())
    _ = mapping.matches(head: bytes)
    switch mapping.shape {
    case .csv:
        var parser = MappedSourceParser(mapping: mapping, normalizer: FuzzInput.normalizer)
        var sawHeader = !mapping.hasHeader
        FuzzInput.csvRecords(bytes, delimiter: mapping.delimiter) { record in
            if !sawHeader {
                sawHeader = true
                try? parser.readHeader(record.fields)
            } else {
                _ = try? parser.parse(record.fields)
            }
        }
    case .jsonLines:
        let parser = MappedSourceParser(mapping: mapping, normalizer: FuzzInput.normalizer)
        FuzzInput.lines(bytes) { line, _ in _ = try? parser.parse(jsonLine: line) }
    }
    return 0
}

@main enum Main {
    static func main() { FuzzMain.run { data, size in data.map { fuzz($0, size) } ?? 0 } }
}
