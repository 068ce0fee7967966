import Foundation
import Testing
import CallvaultIngest
import CallvaultModel
import CallvaultTesting

/// Builders for FreeSWITCH CDRs in the three formats, shared by the FreeSWITCH parser tests.
enum FSFixture {
    static let zone = TimeZone(identifier: "Europe/Helsinki")!
    static let normalizer = PhoneNumberNormalizer(countryCode: "358")
    static var csvParser: FreeSWITCHCSVParser { FreeSWITCHCSVParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: zone)) }
    static var jsonParser: FreeSWITCHJSONParser { FreeSWITCHJSONParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: zone)) }
    static var xmlParser: FreeSWITCHXMLParser { FreeSWITCHXMLParser(normalizer: normalizer, clock: LocalTimeConverter(timeZone: zone)) }

    static let aLeg = "3f2b8c1e-9d4a-4e6b-8f21-7c5d0a9e1b34"
    static let bLeg = "b7e0d9c2-1a3f-4b5e-9c8d-2e4f6a8b0c1d"

    /// An instant written in ISO 8601 UTC, e.g. `2026-10-23T06:12:03Z`.
    static func utc(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let date = formatter.date(from: text) else { fatalError("bad test date \(text)") }
        return date
    }

    /// One line of the `example` template (15 columns), every field quoted as FreeSWITCH writes it.
    static func csvLine(name: String = "Öhman Pekka", number: String = "+358401112223", destination: String = "+358923456789",
                        context: String = "public", start: String = "2026-10-23 08:12:03", answer: String = "2026-10-23 08:12:09",
                        end: String = "2026-10-23 08:15:40", duration: String = "217", billsec: String = "211",
                        cause: String = "NORMAL_CLEARING", uuid: String = aLeg, bleg: String = bLeg,
                        accountcode: String = "", codec: String = "PCMA") -> String {
        [name, number, destination, context, start, answer, end, duration, billsec, cause, uuid, bleg, accountcode, codec, codec]
            .map { "\"\($0)\"" }.joined(separator: ",")
    }

    /// The fields of the first record in `bytes`, as the ingest's CSV reader reads them.
    static func fields(_ bytes: [UInt8]) -> [String] {
        var fields: [String] = []
        try! CSVRecordReader().read(bytes: bytes) { event in
            if case .record(let record) = event, fields.isEmpty { fields = record.fields }
        }
        return fields
    }

    static func fields(_ line: String) -> [String] { fields(Array(line.utf8)) }

    /// Variables of an answered inbound a-leg from the trunk (plain values), 2026-10-23 08:12:03 local.
    static func variables(uuid: String = aLeg) -> [String: String] {
        [
            "direction": "inbound", "uuid": uuid, "channel_name": "sofia/external/+358401112223@sip.operator.example",
            "sip_call_id": "5c2f9e8a-41d7@10.20.0.2", "read_codec": "PCMA", "write_codec": "PCMA",
            "hangup_cause": "NORMAL_CLEARING", "hangup_cause_q850": "16",
            "start_stamp": "2026-10-23 08:12:03", "answer_stamp": "2026-10-23 08:12:09", "end_stamp": "2026-10-23 08:15:40",
            "start_epoch": "1792732323", "start_uepoch": "1792732323402117",
            "answer_epoch": "1792732329", "answer_uepoch": "1792732329614000",
            "end_epoch": "1792732540", "end_uepoch": "1792732540018221",
            "duration": "217", "billsec": "211", "last_app": "bridge", "last_arg": "user/1004@pbx.example",
            "bridge_channel": "sofia/internal/1004@10.20.0.14:5060", "dialed_user": "1004",
            "record_file_name": "/var/lib/freeswitch/recordings/2026-10-23/\(uuid).wav",
        ]
    }

    /// The current caller profile of that leg.
    static func profile(uuid: String = aLeg) -> [String: String] {
        [
            "username": "+358401112223", "dialplan": "XML", "caller_id_name": "Öhman Pekka", "ani": "+358401112223",
            "caller_id_number": "+358401112223", "network_addr": "10.20.0.2", "rdnis": "",
            "destination_number": "+358923456789", "uuid": uuid, "source": "mod_sofia", "context": "public",
            "chan_name": "sofia/external/+358401112223@sip.operator.example",
        ]
    }

    static let times: [String: String] = [
        "created_time": "1792732323402117", "profile_created_time": "1792732323402117", "answered_time": "1792732329614000",
        "hangup_time": "1792732540018221", "transfer_time": "0",
    ]

    /// A json_cdr document; `encode` url-encodes the variables as `encode-values=true` does.
    static func json(variables: [String: String]? = variables(), profile: [String: String]? = profile(),
                     times: [String: String]? = times, originator: [String: String]? = nil, encode: Bool = false) -> Data {
        var root: [String: Any] = ["core-uuid": "6f1c2d4e-8a3b-4c5d-9e7f-0a1b2c3d4e5f", "switchname": "pbx-fs1",
                                   "channel_data": ["state": "CS_REPORTING", "direction": "inbound"]]
        if let variables {
            root["variables"] = encode ? variables.mapValues(urlEncoded) : variables
        }
        if let profile {
            var caller: [String: Any] = profile
            if let originator { caller["originator"] = ["originator_caller_profiles": [originator]] }
            var entry: [String: Any] = ["dialplan": "XML", "profile_index": "1", "caller_profile": caller]
            if let times { entry["times"] = times }
            root["callflow"] = [entry]
        }
        return try! JSONSerialization.data(withJSONObject: root, options: [.sortedKeys])
    }

    /// An xml_cdr document, variables url-encoded as mod_xml_cdr writes them.
    static func xml(variables: [String: String] = variables(), profile: [String: String]? = profile(),
                    times: [String: String]? = times, originator: [String: String]? = nil) -> Data {
        var out = "<?xml version=\"1.0\"?>\n<cdr core-uuid=\"6f1c2d4e-8a3b-4c5d-9e7f-0a1b2c3d4e5f\" switchname=\"pbx-fs1\">\n"
        out += "  <channel_data>\n    <state>CS_REPORTING</state>\n    <direction>inbound</direction>\n  </channel_data>\n"
        out += "  <variables>\n"
        for (name, value) in variables.sorted(by: { $0.key < $1.key }) {
            out += "    <\(name)>\(urlEncoded(value))</\(name)>\n"
        }
        out += "  </variables>\n  <app_log>\n    <application app_name=\"bridge\" app_data=\"user/1004@pbx.example\" app_stamp=\"1792732323422117\"></application>\n  </app_log>\n"
        if let profile {
            out += "  <callflow dialplan=\"XML\" unique-id=\"\(profile["uuid"] ?? "")\" profile_index=\"1\">\n    <caller_profile>\n"
            for (name, value) in profile.sorted(by: { $0.key < $1.key }) {
                out += "      <\(name)>\(xmlEscaped(value))</\(name)>\n"
            }
            if let originator {
                out += "      <originator>\n        <originator_caller_profile>\n"
                for (name, value) in originator.sorted(by: { $0.key < $1.key }) {
                    out += "          <\(name)>\(xmlEscaped(value))</\(name)>\n"
                }
                out += "        </originator_caller_profile>\n      </originator>\n"
            }
            out += "    </caller_profile>\n"
            if let times {
                out += "    <times>\n"
                for (name, value) in times.sorted(by: { $0.key < $1.key }) { out += "      <\(name)>\(value)</\(name)>\n" }
                out += "    </times>\n"
            }
            out += "  </callflow>\n"
        }
        out += "</cdr>\n"
        return Data(out.utf8)
    }

    /// FreeSWITCH's `switch_url_encode`: everything but letters, digits and `-._` as `%HH` of its UTF-8 bytes.
    static func urlEncoded(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"):
                out.append(byte)
            default:
                out += [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func xmlEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}

/// The files under samples/freeswitch parse as described in its README.
@Suite struct FreeSWITCHSamplesTests {
    let folder = TestArchive.samples.appendingPathComponent("freeswitch")

    private func files(_ sub: String, ext: String) throws -> [URL] {
        try FileManager.default.contentsOfDirectory(at: folder.appendingPathComponent(sub), includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasSuffix(ext) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
    }

    @Test func everyMasterCSVRecordParses() throws {
        var calls: [Call] = []
        try CSVRecordReader().read(folder.appendingPathComponent("cdr-csv/Master.csv")) { event in
            guard case .record(let record) = event else { Issue.record("oversized record"); return }
            #expect(FreeSWITCHCSVParser.looksLikeRecord(record.fields))
            #expect(!AsteriskCDRParser.looksLikeRecord(record.fields))
            calls.append(try FSFixture.csvParser.parse(record.fields))
        }
        #expect(calls.count == 15)
        #expect(Set(calls.map(\.sourceKey)).count == 15)
        let dispositions = Dictionary(grouping: calls, by: \.disposition).mapValues(\.count)
        #expect(dispositions == ["answered": 9, "no-answer": 3, "busy": 1, "failed": 1, "congestion": 1])
        #expect(Set(calls.map(\.direction)) == [.inbound, .outbound, .internal])
        let numbers = Set(calls.flatMap { [$0.from.e164, $0.to.e164] }.compactMap { $0 })
        for customer in ["+358401112223", "+358405550101", "+358401234567", "+358449876543", "+358503332211"] {
            #expect(numbers.contains(customer), "\(customer)")
        }
        // The call across the autumn change ends, in local time, before it starts.
        let dst = try #require(calls.first { $0.uniqueID == "b3563827-c5de-40bb-87b1-274c057db6aa" })
        #expect(dst.start == FSFixture.utc("2026-10-25T00:58:30Z"))
        #expect(dst.end == FSFixture.utc("2026-10-25T01:01:10Z"))
    }

    @Test func everySQLTemplateLineParses() throws {
        let text = try String(contentsOf: folder.appendingPathComponent("cdr-sql/Master.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        for line in lines {
            #expect(FreeSWITCHCSVParser.looksLikeSQLLine(line))
            _ = try FSFixture.csvParser.parse(sqlLine: line)
        }
        let kahvila = try FSFixture.csvParser.parse(sqlLine: lines[0])
        #expect(kahvila.callerName == "Kahvila \"Kulma\" Oy")
        #expect(kahvila.from.e164 == "+35896123456")
    }

    @Test func everyJSONDocumentParsesAndTheTwoLegsShareTheLinkedID() throws {
        let urls = try files("json_cdr", ext: ".cdr.json")
        #expect(urls.count == 4)
        var calls: [Call] = []
        for url in urls {
            let data = try Data(contentsOf: url)
            #expect(FreeSWITCHJSONParser.looksLikeDocument(Array(data.prefix(64 * 1024))))
            let call = try FSFixture.jsonParser.parse(data: data)
            #expect(url.lastPathComponent == "\(call.uniqueID ?? "").cdr.json")
            calls.append(call)
        }
        let aLeg = try #require(calls.first { $0.uniqueID == "966fa72c-1436-438b-a093-2c1d82f32f57" })
        let bLeg = try #require(calls.first { $0.uniqueID == "a48b19fb-2d1d-4e13-b2d6-458ad837b521" })
        #expect(aLeg.linkedID == aLeg.uniqueID)
        #expect(bLeg.linkedID == aLeg.uniqueID)
        #expect(aLeg.direction == .inbound && bLeg.direction == .inbound)
        #expect(aLeg.agent == "1004" && bLeg.agent == "1004")
        #expect(aLeg.from.e164 == "+358405550101")
        #expect(aLeg.billableSeconds == 10)
        let recording = try #require(aLeg.details["record_file_name"])
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("recordings/\(recording)").path))
        #expect(FreeSWITCHCall.uuid(inRecordingFileName: recording) == aLeg.uniqueID)
        let busy = try #require(calls.first { $0.disposition == "busy" })
        #expect(busy.direction == .outbound)
        #expect(busy.agent == "1003")
        #expect(busy.to.e164 == "+358449876543")
    }

    @Test func everyXMLDocumentParses() throws {
        let urls = try files("xml_cdr", ext: ".cdr.xml")
        #expect(urls.count == 2)
        var calls: [Call] = []
        for url in urls {
            let data = try Data(contentsOf: url)
            #expect(FreeSWITCHXMLParser.looksLikeDocument(Array(data.prefix(64 * 1024))))
            #expect(!FreeSWITCHJSONParser.looksLikeDocument(Array(data.prefix(64 * 1024))))
            calls.append(try FSFixture.xmlParser.parse(data: data))
        }
        let inbound = try #require(calls.first { $0.direction == .inbound })
        #expect(inbound.callerName == "Nyström Göran")
        #expect(inbound.from.e164 == "+358503332211")
        #expect(inbound.agent == "1005")
        let outbound = try #require(calls.first { $0.direction == .outbound })
        #expect(outbound.to.e164 == "+46701234567")
        #expect(outbound.disposition == "no-answer")
        #expect(outbound.agent == "1001")
    }

    @Test func theRecordingIsACopiedWAVNamedByTheCallsUUID() throws {
        let urls = try files("recordings", ext: ".wav")
        #expect(urls.count == 1)
        let url = try #require(urls.first)
        let values = try url.resourceValues(forKeys: [.isSymbolicLinkKey, .fileSizeKey])
        #expect(values.isSymbolicLink == false)
        let head = [UInt8](try Data(contentsOf: url).prefix(64 * 1024))
        let audio = try WAVHeaderParser.parse(head: head, fileSize: Int64(values.fileSize ?? 0))
        #expect(abs(audio.durationSeconds - 10) < 0.1)
        #expect(FreeSWITCHCall.uuid(inRecordingFileName: url.lastPathComponent) == "966fa72c-1436-438b-a093-2c1d82f32f57")
    }

    @Test(arguments: [
        ("966fa72c-1436-438b-a093-2c1d82f32f57.wav", "966fa72c-1436-438b-a093-2c1d82f32f57"),
        ("a_966FA72C-1436-438B-A093-2C1D82F32F57.wav", "966fa72c-1436-438b-a093-2c1d82f32f57"),
        ("2026-10-24-966fa72c-1436-438b-a093-2c1d82f32f57_1004.mp3", "966fa72c-1436-438b-a093-2c1d82f32f57"),
    ])
    func theUUIDInARecordingsFileNameIsFound(fileName: String, uuid: String) {
        #expect(FreeSWITCHCall.uuid(inRecordingFileName: fileName) == uuid)
    }

    @Test(arguments: ["in-0923456789-0401234567-20261023-091422-1792736062.57.wav", "966fa72c-1436-438b-a093.wav",
                      "x966fa72c-1436-438b-a093-2c1d82f32f570.wav", ""])
    func aFileNameWithoutAUUIDHasNone(fileName: String) {
        #expect(FreeSWITCHCall.uuid(inRecordingFileName: fileName) == nil)
    }
}
