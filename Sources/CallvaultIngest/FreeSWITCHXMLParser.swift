public import Foundation
public import CallvaultModel
#if canImport(FoundationXML)
import FoundationXML
#endif

/// Turns one FreeSWITCH `mod_xml_cdr` document (`xml_cdr/<uuid>.cdr.xml`, one per call leg)
/// into a `Call`.
///
/// Reads `<cdr core-uuid=… switchname=…>`, the url-encoded values under `<variables>` and the
/// `<callflow>` caller profiles and times, as `FreeSWITCHJSONParser` does for JSON: times from
/// the UTC epochs first, then the local `*_stamp` values; the linked id is the a-leg's uuid.
public struct FreeSWITCHXMLParser: Sendable {
    /// The format name recorded with each call and used in source keys.
    public static let format = "freeswitch-xml"

    let normalizer: PhoneNumberNormalizer
    let clock: LocalTimeConverter

    /// Creates a parser that normalises numbers with `normalizer` and reads local stamps with `clock`.
    public init(normalizer: PhoneNumberNormalizer, clock: LocalTimeConverter) {
        self.normalizer = normalizer
        self.clock = clock
    }

    /// True when `head` (a file's first bytes) starts an xml_cdr document: XML whose root is
    /// `<cdr` with FreeSWITCH's `core-uuid`, `<channel_data>` or `<variables>` near the top.
    public static func looksLikeDocument(_ head: [UInt8]) -> Bool {
        var i = 0
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        while i < head.count, head[i] == 32 || head[i] == 9 || head[i] == 10 || head[i] == 13 { i += 1 }
        guard i < head.count, head[i] == UInt8(ascii: "<") else { return false }
        let window = head[i..<min(head.count, i + 64 * 1024)]
        let hasRoot = FreeSWITCHJSONParser.contains(window, Array("<cdr ".utf8)) || FreeSWITCHJSONParser.contains(window, Array("<cdr>".utf8))
        return hasRoot && ["core-uuid=", "<channel_data>", "<variables>"].contains {
            FreeSWITCHJSONParser.contains(window, Array($0.utf8))
        }
    }

    /// Parses one document; throws `IngestLineError` with a reason that names the field.
    public func parse(data: Data) throws(IngestLineError) -> Call {
        let document = try Self.document(data)
        return try document.leg(format: Self.format, clock: clock).call(normalizer: normalizer)
    }

    static func document(_ data: Data) throws(IngestLineError) -> FreeSWITCHDocument {
        if data.isEmpty { throw IngestLineError("the file is empty") }
        // XMLParser on Linux traps on an element or attribute name that is not UTF-8 (found by
        // FuzzFreeSWITCHXML). A document that declares no other encoding must be UTF-8 anyway
        // (XML 1.0, 4.3.3), as mod_xml_cdr writes it; a declared one is converted by libxml2.
        if declaresUTF8(data), String(validating: data, as: UTF8.self) == nil {
            throw IngestLineError("not well-formed XML: the document is not UTF-8 text and declares no other encoding")
        }
        // XMLParser on Linux reads a processing instruction without data (`<?x?>`) through a null
        // pointer (found by FuzzFreeSWITCHXML); mod_xml_cdr writes none but the XML declaration.
        if hasProcessingInstruction(data) {
            throw IngestLineError("not a FreeSWITCH CDR: the document holds a processing instruction (<?…?>) besides its XML declaration")
        }
        let collector = Collector()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = collector
        let parsed = parser.parse()
        if collector.wrongRoot {
            throw IngestLineError("the XML document is not a FreeSWITCH CDR: its root element is not <cdr>")
        }
        guard parsed, collector.rootSeen else {
            // libxml2, under XMLParser, refuses a text node over 10 MB without XML_PARSE_HUGE.
            let limit = data.count > 10_000_000 ? ", or holds a value over the XML reader's 10 MB limit" : ""
            throw IngestLineError("not well-formed XML (line \(parser.lineNumber))\(limit); mod_xml_cdr writes one <cdr> document per call leg")
        }
        // XMLParser on Linux accepts a document that stops early; a hook may still be writing it.
        guard collector.rootClosed else {
            throw IngestLineError("not well-formed XML: the document ends before </cdr> (a truncated file?)")
        }
        guard collector.variablesSeen else {
            throw IngestLineError("the <cdr> has no <variables>: not a FreeSWITCH xml_cdr record")
        }
        var document = collector.document
        document.encoding = .urlEncoded
        return document
    }

    /// Whether `<?` appears anywhere but in the XML declaration at the start (values in an
    /// xml_cdr are URL-encoded, so it appears in no text a CDR holds).
    static func hasProcessingInstruction(_ data: Data) -> Bool {
        let bytes = [UInt8](data)
        var start = 0
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        if bytes[start...].starts(with: Array("<?xml".utf8)), start + 5 < bytes.count,
           bytes[start + 5] == 0x20 || bytes[start + 5] == 0x09 || bytes[start + 5] == 0x0A || bytes[start + 5] == 0x0D {
            start += 5
        }
        var i = start
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "<") && bytes[i + 1] == UInt8(ascii: "?") { return true }
            i += 1
        }
        return false
    }

    /// Whether the document's XML declaration names UTF-8 or no encoding at all (UTF-8 then).
    static func declaresUTF8(_ data: Data) -> Bool {
        let head = data.prefix(256)
        guard head.starts(with: Array("<?xml".utf8)), let end = head.firstRange(of: Array("?>".utf8)) else { return true }
        let declaration = String(decoding: head[head.startIndex..<end.lowerBound], as: UTF8.self).lowercased()
        guard let name = declaration.range(of: "encoding") else { return true }
        let value = declaration[name.upperBound...].drop { $0 == " " || $0 == "=" || $0 == "\"" || $0 == "'" }
        return value.hasPrefix("utf-8") || value.hasPrefix("utf8")
    }

    /// Collects the elements a call needs while XMLParser streams the document.
    final class Collector: NSObject, XMLParserDelegate {
        var document = FreeSWITCHDocument()
        var path: [String] = []
        var text = ""
        var collecting = false
        var rootSeen = false
        var wrongRoot = false
        var variablesSeen = false
        var rootClosed = false
        /// Whether the current callflow's first originator profile has been read.
        var originatorProfiles = 0

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes: [String: String] = [:]) {
            path.append(elementName)
            text = ""
            switch path.count {
            case 1:
                guard elementName == "cdr" else {
                    wrongRoot = true
                    parser.abortParsing()
                    return
                }
                rootSeen = true
                document.switchname = attributes["switchname"]
            case 2:
                if elementName == "variables" { variablesSeen = true }
                if elementName == "callflow" {
                    var profile = FreeSWITCHDocument.Profile()
                    if let uuid = attributes["unique-id"], !uuid.isEmpty { profile.fields["uuid"] = uuid }
                    document.profiles.append(profile)
                    originatorProfiles = 0
                }
            case 5 where elementName == "originator_caller_profile" && path[1] == "callflow":
                originatorProfiles += 1
            default:
                break
            }
            collecting = isCollected(path)
        }

        /// The leaf elements whose text a call needs.
        func isCollected(_ path: [String]) -> Bool {
            switch path.count {
            case 3: return path[1] == "variables" && FreeSWITCHDocument.usedVariables.contains(path[2])
            case 4: return path[1] == "callflow" && (path[2] == "caller_profile" || path[2] == "times")
            case 6: return path[1] == "callflow" && path[4] == "originator_caller_profile" && originatorProfiles == 1
                && (path[5] == "uuid" || path[5] == "chan_name")
            default: return false
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if collecting { text += string }
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            if collecting { text += TextDecoding.decode([UInt8](CDATABlock)) }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            if collecting {
                switch path.count {
                case 3:
                    document.variables[elementName] = text
                case 4 where !document.profiles.isEmpty:
                    let last = document.profiles.count - 1
                    if path[2] == "times" {
                        document.profiles[last].times[elementName] = text
                    } else if elementName != "uuid" || document.profiles[last].fields["uuid"] == nil || !text.isEmpty {
                        document.profiles[last].fields[elementName] = text
                    }
                case 6 where !document.profiles.isEmpty:
                    let last = document.profiles.count - 1
                    let value = text.isEmpty ? nil : text
                    if elementName == "uuid" { document.profiles[last].originatorUUID = value }
                    else { document.profiles[last].originatorChannel = value }
                default:
                    break
                }
            }
            if path.count == 1 { rootClosed = true }
            if !path.isEmpty { path.removeLast() }
            text = ""
            collecting = false
        }
    }
}
