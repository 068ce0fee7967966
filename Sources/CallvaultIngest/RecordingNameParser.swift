import Foundation
public import CallvaultModel

/// Reads what FreePBX/Asterisk monitor file names say about a recording:
/// `<type>-<a>-<b>-YYYYMMDD-HHMMSS-<uniqueid>.wav` with type `in`, `out`, `exten`, `q`, `rg`,
/// `external`, `conf`, `ondemand`, `force`, ….
public struct RecordingNameParser {
    /// The format name used in recording source keys.
    public static let format = "freepbx-monitor"
    /// The format name of recordings named by a FreeSWITCH call uuid.
    public static let freeswitchFormat = "freeswitch-recording"
    /// File extensions taken as recordings.
    public static let audioExtensions: Set<String> = ["wav", "wav49", "gsm", "mp3", "ogg", "sln"]

    let normalizer: PhoneNumberNormalizer
    let clock: LocalTimeConverter

    /// Creates a parser reading numbers with `normalizer` and the name's local time with `clock`.
    public init(normalizer: PhoneNumberNormalizer, clock: LocalTimeConverter) {
        self.normalizer = normalizer
        self.clock = clock
    }

    /// The name without its extension (`x.wav` → `x`; `.wav` and `x.` keep theirs), found by
    /// bytes: Foundation's `deletingPathExtension` traps on some names (a slash and a combining
    /// mark, found by FuzzRecordingSidecar).
    static func stem(_ fileName: String) -> String {
        let bytes = fileName.utf8
        guard let dot = bytes.lastIndex(of: UInt8(ascii: ".")), dot != bytes.startIndex,
              bytes.index(after: dot) != bytes.endIndex,
              !bytes[bytes.index(after: dot)...].contains(UInt8(ascii: "/")) else { return fileName }
        return String(fileName[..<dot])
    }

    /// Parses a file name (without folders). Names that follow no known pattern still give
    /// metadata keyed by the file name, with no call link.
    public func parse(fileName: String) -> RecordingMetadata {
        let stem = Self.stem(fileName)
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        // Find `YYYYMMDD-HHMMSS-<uniqueid>` at the end.
        if parts.count >= 4,
           let unique = parts.last, Self.isUniqueID(unique),
           parts[parts.count - 3].count == 8, parts[parts.count - 2].count == 6,
           let wall = LocalTimeConverter.wallClockSeconds(Self.wallClockText(date: parts[parts.count - 3], time: parts[parts.count - 2]).utf8[...]) {
            let type = parts[0].lowercased()
            let middle = Array(parts[1..<(parts.count - 3)])
            let a = middle.first.flatMap { $0.isEmpty ? nil : $0 }
            let b = middle.count >= 2 ? middle[1...].joined(separator: "-") : nil
            var meta = RecordingMetadata(
                sourceKey: "\(Self.format):\(unique):\(fileName)", callUniqueID: unique, type: type,
                start: clock.instant(wallClock: wall), direction: nil, from: nil, to: nil, queue: nil, agent: nil)
            switch type {
            case "in":        // in-<did>-<caller>
                meta.direction = .inbound
                meta.to = a.map(normalizer.normalize)
                meta.from = b.map(normalizer.normalize)
            case "out":       // out-<dialled>-<extension>
                meta.direction = .outbound
                meta.to = a.map(normalizer.normalize)
                meta.from = b.map(normalizer.normalize)
                meta.agent = b.flatMap { normalizer.normalize($0).category == .extension ? $0 : nil }
            case "exten", "external": // exten-<extension>-<caller>
                let to = a.map(normalizer.normalize)
                let from = b.map(normalizer.normalize)
                meta.to = to
                meta.from = from
                meta.direction = (to?.category == .extension && from?.category == .extension) ? .internal
                    : (from?.category == .extension ? .outbound : .inbound)
                meta.agent = to?.category == .extension ? a : nil
            case "q", "rg":   // q-<queue>-<caller>
                meta.direction = .inbound
                meta.queue = a
                meta.from = b.map(normalizer.normalize)
            default:
                meta.from = b.map(normalizer.normalize)
                meta.to = a.map(normalizer.normalize)
            }
            return meta
        }
        if let uuid = FreeSWITCHCall.uuid(inRecordingFileName: fileName) {
            // FreeSWITCH names recordings by the call's uuid; a CDR naming the file links it too.
            return RecordingMetadata(sourceKey: "\(Self.freeswitchFormat):\(uuid):\(fileName)", callUniqueID: uuid, type: "freeswitch",
                                     start: nil, direction: nil, from: nil, to: nil, queue: nil, agent: nil)
        }
        return RecordingMetadata(sourceKey: "\(Self.format):-:\(fileName)", callUniqueID: nil, type: "unknown",
                                 start: nil, direction: nil, from: nil, to: nil, queue: nil, agent: nil)
    }

    static func isUniqueID(_ text: String) -> Bool {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        return (1...2).contains(pieces.count) && pieces.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }
    }

    static func wallClockText(date: String, time: String) -> String {
        let d = Array(date), t = Array(time)
        return "\(String(d[0..<4]))-\(String(d[4..<6]))-\(String(d[6..<8])) \(String(t[0..<2])):\(String(t[2..<4])):\(String(t[4..<6]))"
    }
}
