import Foundation
import Testing
import CallvaultIngest
import CallvaultTesting

/// A record or an oversized line, in a form tests can compare.
private enum Read: Equatable, CustomStringConvertible {
    case record([String], line: Int, latin1: Bool)
    case oversized(line: Int)

    var description: String {
        switch self {
        case .record(let fields, let line, let latin1): "record(\(fields), line: \(line)\(latin1 ? ", latin1" : ""))"
        case .oversized(let line): "oversized(line: \(line))"
        }
    }
}

private func readAll(_ text: String, maxRecordBytes: Int = 1 << 20) throws -> [Read] {
    try readAll(bytes: Array(text.utf8), maxRecordBytes: maxRecordBytes)
}

private func readAll(bytes: [UInt8], maxRecordBytes: Int = 1 << 20) throws -> [Read] {
    var out: [Read] = []
    try CSVRecordReader(maxRecordBytes: maxRecordBytes).read(bytes: bytes) { out.append(Read($0)) }
    return out
}

private func readFile(_ url: URL, chunkSize: Int, maxRecordBytes: Int = 1 << 20) throws -> [Read] {
    var out: [Read] = []
    try CSVRecordReader(maxRecordBytes: maxRecordBytes, chunkSize: chunkSize).read(url) { out.append(Read($0)) }
    return out
}

extension Read {
    init(_ event: CSVRecordReader.Event) {
        switch event {
        case .record(let record): self = .record(record.fields, line: record.line, latin1: record.usedLatin1)
        case .oversized(let line): self = .oversized(line: line)
        }
    }
}

@Suite struct CSVRecordReaderTests {
    @Test func plainRecordsAreSplitAtCommasAndNewlines() throws {
        #expect(try readAll("a,b,c\nd,e,f\n") == [
            .record(["a", "b", "c"], line: 1, latin1: false),
            .record(["d", "e", "f"], line: 2, latin1: false),
        ])
    }

    @Test func quotedFieldsMayHoldCommas() throws {
        #expect(try readAll(#""Oy Esimerkki Ab, asiakaspalvelu",x"# + "\n") == [
            .record(["Oy Esimerkki Ab, asiakaspalvelu", "x"], line: 1, latin1: false),
        ])
    }

    @Test func doubledQuotesInsideQuotedFieldsAreOneQuote() throws {
        #expect(try readAll(#""say ""hi""","""","""a""""# + "\n") == [
            .record([#"say "hi""#, #"""#, #""a""#], line: 1, latin1: false),
        ])
    }

    @Test func newlinesInsideQuotesStayInTheFieldAndLaterLineNumbersStayRight() throws {
        let text = "first,1\n\"two\nlines\",2\n\"three\r\nmore\nlines\",3\nlast,4\n"
        #expect(try readAll(text) == [
            .record(["first", "1"], line: 1, latin1: false),
            .record(["two\nlines", "2"], line: 2, latin1: false),
            .record(["three\r\nmore\nlines", "3"], line: 4, latin1: false),
            .record(["last", "4"], line: 7, latin1: false),
        ])
    }

    @Test func crlfLineEndsAreNotPartOfTheLastField() throws {
        #expect(try readAll("a,b\r\n\"c\",\"d\"\r\ne,\r\n") == [
            .record(["a", "b"], line: 1, latin1: false),
            .record(["c", "d"], line: 2, latin1: false),
            .record(["e", ""], line: 3, latin1: false),
        ])
    }

    @Test func aCarriageReturnInsideAFieldIsKept() throws {
        #expect(try readAll("a\rb,c\n") == [.record(["a\rb", "c"], line: 1, latin1: false)])
    }

    @Test func emptyUnquotedFieldsAreEmptyStrings() throws {
        #expect(try readAll(#""a",,"b""# + "\n,\n") == [
            .record(["a", "", "b"], line: 1, latin1: false),
            .record(["", ""], line: 2, latin1: false),
        ])
    }

    @Test func anEmptyQuotedFieldIsARecord() throws {
        #expect(try readAll("\"\"\n") == [.record([""], line: 1, latin1: false)])
    }

    @Test func blankLinesAreSkippedButCounted() throws {
        #expect(try readAll("\n\na,b\n\n\nc,d\n\n") == [
            .record(["a", "b"], line: 3, latin1: false),
            .record(["c", "d"], line: 6, latin1: false),
        ])
    }

    @Test
    func blankCRLFLinesAreSkipped() throws {
        #expect(try readAll("a,b\r\n\r\nc,d\r\n") == [
            .record(["a", "b"], line: 1, latin1: false),
            .record(["c", "d"], line: 3, latin1: false),
        ])
    }

    @Test func aFinalRecordWithoutNewlineIsRead() throws {
        #expect(try readAll("a,b\nc,\"d\"") == [
            .record(["a", "b"], line: 1, latin1: false),
            .record(["c", "d"], line: 2, latin1: false),
        ])
        #expect(try readAll("a,b\r") == [.record(["a", "b"], line: 1, latin1: false)])
        #expect(try readAll("a,") == [.record(["a", ""], line: 1, latin1: false)])
    }

    @Test func emptyInputHasNoRecords() throws {
        #expect(try readAll("") == [])
        #expect(try readAll("\n\n\n") == [])
    }

    @Test func anUnterminatedQuoteAtTheEndIsReportedAsOversized() throws {
        #expect(try readAll("a,b\nc,\"never closed\nd,e\n") == [
            .record(["a", "b"], line: 1, latin1: false),
            .oversized(line: 2),
        ])
    }

    @Test func anUnterminatedQuoteLongerThanTheLimitIsReportedAndLaterLinesAreRead() throws {
        var text = "a,b\nc,\"never closed\n"
        text += String(repeating: "x", count: 200) + "\n"
        text += "good,1\ngood,2\n"
        #expect(try readAll(text, maxRecordBytes: 100) == [
            .record(["a", "b"], line: 1, latin1: false),
            .oversized(line: 2),
            .record(["good", "1"], line: 4, latin1: false),
            .record(["good", "2"], line: 5, latin1: false),
        ])
    }

    @Test func recordsLongerThanTheLimitAreSkippedWithTheirLine() throws {
        let long = String(repeating: "y", count: 500)
        let text = "a,1\n\(long),2\nb,3\n\"\(long)\",4\nc,5\n"
        #expect(try readAll(text, maxRecordBytes: 64) == [
            .record(["a", "1"], line: 1, latin1: false),
            .oversized(line: 2),
            .record(["b", "3"], line: 3, latin1: false),
            .oversized(line: 4),
            .record(["c", "5"], line: 5, latin1: false),
        ])
    }

    @Test func aRecordOfExactlyTheLimitIsAccepted() throws {
        // The limit counts the record's bytes including its newline.
        let text = "abcdefg\nx\n"
        #expect(try readAll(text, maxRecordBytes: 8) == [
            .record(["abcdefg"], line: 1, latin1: false),
            .record(["x"], line: 2, latin1: false),
        ])
    }

    @Test func latin1BytesDecodeAsLatin1AndAreFlagged() throws {
        let bytes: [UInt8] = Array("\"M".utf8) + [0xE4] + Array("kinen\",x\nM".utf8) + [0xC3, 0xA4] + Array("kinen,y\n".utf8)
        #expect(try readAll(bytes: bytes) == [
            .record(["Mäkinen", "x"], line: 1, latin1: true),
            .record(["Mäkinen", "y"], line: 2, latin1: false),
        ])
    }

    @Test func latin1DetectionIsPerRecord() throws {
        let bytes: [UInt8] = [0xF6, 0x2C, 0x61, 0x0A] + Array("b,c\n".utf8)
        #expect(try readAll(bytes: bytes) == [
            .record(["ö", "a"], line: 1, latin1: true),
            .record(["b", "c"], line: 2, latin1: false),
        ])
    }

    @Test func aSemicolonDelimiterIsHonoured() throws {
        var out: [Read] = []
        try CSVRecordReader(delimiter: UInt8(ascii: ";")).read(bytes: Array("a;\"b;c\",d\n".utf8)) { out.append(Read($0)) }
        #expect(out == [.record(["a", "b;c,d"], line: 1, latin1: false)])
    }

    @Test func chunkBoundariesDoNotChangeTheRecords() throws {
        let folder = TemporaryFolder()
        var text = Samples.cdrLine() + "\r\n"
        text += Samples.cdrLine(clid: "\"Oy Esimerkki Ab, \"\"asiakaspalvelu\"\"\" <0201234567>") + "\n"
        text += "\n\"multi\r\nline\nfield\",\"ä ö å € 😀\",,\"\"\r\n"
        text += "\(String(repeating: "z", count: 600)),long\n"
        text += "\"unterminated,\(String(repeating: "q", count: 600))\nafter,1\n"
        text += "tail,no-newline"
        var bytes = Array(text.utf8)
        bytes.insert(contentsOf: [0x22, 0xE4, 0x22, 0x2C, 0x0A], at: 0)  // a Latin-1 record first
        let url = folder.write("chunks.csv", Data(bytes))

        let reference = try readAll(bytes: bytes, maxRecordBytes: 512)
        #expect(reference.count == 8)
        #expect(reference.filter { if case .oversized = $0 { true } else { false } } == [.oversized(line: 8), .oversized(line: 9)])
        #expect(reference.last == .record(["tail", "no-newline"], line: 11, latin1: false))
        for chunkSize in [1, 2, 7, 4096, 1 << 20] {
            #expect(try readFile(url, chunkSize: chunkSize, maxRecordBytes: 512) == reference, "chunkSize \(chunkSize)")
        }
    }

    @Test func readingAFileReturnsItsByteCount() throws {
        let folder = TemporaryFolder()
        let url = folder.write("a.csv", "a,b\nc,d\n")
        let count = try CSVRecordReader(chunkSize: 3).read(url) { _ in }
        #expect(count == 8)
    }
}
