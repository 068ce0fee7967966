public import CallvaultModel

/// Reads a RIFF/WAVE header: codec, rate, channels, bits and duration.
///
/// A header that lies (sizes beyond the file, zero rates, truncated chunks) yields an
/// `AudioInfo` with a `warning`, or an error when the file is not WAV at all; it never traps.
public enum WAVHeaderParser {
    /// Parses the header from the first bytes of a file of `fileSize` bytes.
    /// - Parameter head: at least the first 64 KiB of the file (or all of it, if smaller).
    public static func parse(head: [UInt8], fileSize: Int64) throws(IngestLineError) -> AudioInfo {
        try layout(head: head, fileSize: fileSize).audio
    }

    /// What the header says and where the samples are: the audio facts and the data chunk.
    public struct Layout: Sendable, Equatable {
        public var audio: AudioInfo
        /// The fmt chunk's format tag (1 PCM, 6 A-law, 7 µ-law, …).
        public var formatTag: Int
        /// Offset of the data chunk's first byte, nil without a data chunk in the header.
        public var dataOffset: Int64?
        /// Bytes of sample data the file holds (the declared size when it fits the file).
        public var dataBytes: Int64
    }

    /// Parses the header like `parse`, keeping where the samples lie.
    public static func layout(head: [UInt8], fileSize: Int64) throws(IngestLineError) -> Layout {
        guard head.count >= 12, head[0..<4].elementsEqual("RIFF".utf8), head[8..<12].elementsEqual("WAVE".utf8) else {
            throw IngestLineError("not a RIFF/WAVE file (no RIFF…WAVE header)")
        }
        func u32(_ at: Int) -> UInt32? {
            guard at >= 0, at + 4 <= head.count else { return nil }
            return UInt32(head[at]) | UInt32(head[at + 1]) << 8 | UInt32(head[at + 2]) << 16 | UInt32(head[at + 3]) << 24
        }
        func u16(_ at: Int) -> UInt16? {
            guard at >= 0, at + 2 <= head.count else { return nil }
            return UInt16(head[at]) | UInt16(head[at + 1]) << 8
        }
        var warnings: [String] = []
        if let riffSize = u32(4), Int64(riffSize) + 8 != fileSize {
            warnings.append("RIFF size \(Int64(riffSize) + 8) differs from file size \(fileSize)")
        }
        var offset = 12
        var format: (tag: UInt16, channels: Int, rate: Int, byteRate: Int, bits: Int)?
        var dataSize: Int64?
        var dataOffset: Int64?
        while offset + 8 <= head.count, dataSize == nil {
            guard let size = u32(offset + 4) else { break }
            let id = String(decoding: head[offset..<offset + 4], as: UTF8.self)
            if id == "fmt " {
                guard size >= 16, let tag = u16(offset + 8), let ch = u16(offset + 10), let rate = u32(offset + 12),
                      let byteRate = u32(offset + 16), let bits = u16(offset + 22) else {
                    throw IngestLineError("WAV fmt chunk is truncated")
                }
                format = (tag, Int(ch), Int(rate), Int(byteRate), Int(bits))
            } else if id == "data" {
                dataSize = Int64(size)
                dataOffset = Int64(offset + 8)
            }
            offset += 8 + Int(size) + Int(size & 1)
            if id != "data" && offset > head.count && Int64(offset) < fileSize {
                throw IngestLineError("WAV chunk '\(id.filter { $0.isLetter || $0 == " " })' is too large to hold a header")
            }
        }
        guard let format else { throw IngestLineError("WAV has no fmt chunk before its data") }
        guard format.channels > 0, format.rate > 0 else {
            throw IngestLineError("WAV fmt chunk says \(format.channels) channels at \(format.rate) Hz")
        }
        let codec: String
        switch format.tag {
        case 1: codec = format.bits == 8 ? "pcm_u8" : "pcm_s\(format.bits)le"
        case 3: codec = "pcm_f\(format.bits)le"
        case 6: codec = "alaw"
        case 7: codec = "mulaw"
        case 0x31: codec = "gsm"
        case 0x11: codec = "ima_adpcm"
        case 0xFFFE: codec = format.bits == 8 ? "pcm_u8" : "pcm_s\(format.bits)le"
        default: codec = "unknown(0x\(String(format.tag, radix: 16)))"
        }
        var available = dataOffset.map { fileSize - $0 } ?? 0
        if let dataSize, let dataOffset {
            if dataSize == 0xFFFF_FFFF || dataSize == 0 {
                // Streaming writers leave the size unset; use what the file holds.
                warnings.append("WAV data size is unset; duration taken from the file size")
            } else if dataOffset + dataSize > fileSize {
                warnings.append("WAV data size \(dataSize) runs past the end of the file (truncated recording)")
            } else {
                available = dataSize
            }
        } else {
            warnings.append("WAV has no data chunk in its header")
        }
        let byteRate = format.byteRate > 0 ? format.byteRate : format.rate * format.channels * max(1, format.bits / 8)
        let duration = byteRate > 0 ? Double(max(0, available)) / Double(byteRate) : 0
        let audio = AudioInfo(codec: codec, sampleRate: format.rate, channels: format.channels, bitsPerSample: format.bits,
                              durationSeconds: (duration * 1000).rounded() / 1000,
                              warning: warnings.isEmpty ? nil : warnings.joined(separator: "; "))
        return Layout(audio: audio, formatTag: Int(format.tag), dataOffset: dataOffset, dataBytes: max(0, available))
    }
}
