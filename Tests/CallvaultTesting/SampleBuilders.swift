public import Foundation

/// Builders of realistic test inputs.
public enum Samples {
    /// A 16-bit mono PCM WAV of `seconds` at `rate` Hz: a tone with noise, like speech on a line.
    public static func wav(seconds: Double, rate: Int = 8000, seed: UInt64 = 1) -> Data {
        let count = Int(Double(rate) * seconds)
        var data = Data(capacity: 44 + count * 2)
        func le32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { data.append(contentsOf: $0) } }
        data.append(contentsOf: Array("RIFF".utf8)); le32(UInt32(36 + count * 2)); data.append(contentsOf: Array("WAVE".utf8))
        data.append(contentsOf: Array("fmt ".utf8)); le32(16); le16(1); le16(1); le32(UInt32(rate)); le32(UInt32(rate * 2)); le16(2); le16(16)
        data.append(contentsOf: Array("data".utf8)); le32(UInt32(count * 2))
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        var samples = [Int16](repeating: 0, count: count)
        for i in 0..<count {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let noise = Double(Int64(bitPattern: state >> 1) % 600) - 300
            let voice = sin(Double(i) * 2 * .pi * 220 / Double(rate)) * 6000 * (0.5 + 0.5 * sin(Double(i) / 900))
            samples[i] = Int16(max(-32768, min(32767, voice + noise)))
        }
        samples.withUnsafeBytes { data.append(contentsOf: $0) }
        return data
    }

    /// One Asterisk cdr_csv line (21 columns, `newcdrcolumns=yes`), quoted as Asterisk writes it.
    public static func cdrLine(src: String = "0401234567", dst: String = "1001", context: String = "from-trunk",
                               clid: String = "\"Mäkinen Jukka\" <0401234567>", channel: String = "PJSIP/trunk-00000001",
                               dstChannel: String = "PJSIP/1001-00000002", start: String = "2026-03-14 09:30:00",
                               answer: String = "2026-03-14 09:30:05", end: String = "2026-03-14 09:32:05",
                               duration: Int = 125, billsec: Int = 120, disposition: String = "ANSWERED",
                               uniqueID: String = "1773473400.1", linkedID: String? = nil, sequence: Int = 1) -> String {
        func q(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let fields = [q(""), q(src), q(dst), q(context), q(clid), q(channel), q(dstChannel), q("Dial"), q("PJSIP/1001,30"),
                      q(start), answer.isEmpty ? "" : q(answer), q(end), String(duration), String(billsec), q(disposition),
                      q("DOCUMENTATION"), q(uniqueID), q(""), q(""), q(linkedID ?? uniqueID), String(sequence)]
        return fields.joined(separator: ",")
    }

    /// A customers CSV.
    public static func customersCSV(_ rows: [(id: String, name: String, phones: String)]) -> String {
        "customer_id,name,phones\n" + rows.map { "\($0.id),\"\($0.name)\",\"\($0.phones)\"" }.joined(separator: "\n") + "\n"
    }
}
