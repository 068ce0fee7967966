/// What a `Range` header asks of a resource of a known size (RFC 9110 §14).
///
/// One range is served as `206`; a header with several ranges is ignored and the whole
/// resource is sent (`200`), as RFC 9110 §14.2 allows — players and browsers ask for one range
/// at a time, and a multipart answer would buy nothing. A range unit other than `bytes` is
/// ignored too. A malformed byte range or one that starts past the end is `416`. A last
/// position at or past the end, however many digits it has, means "to the end" (§14.1.2), and a
/// suffix longer than the resource means all of it.
enum ByteRangeRequest: Equatable {
    /// Send everything (no header, several ranges, or another unit).
    case whole
    /// Send these bytes, inclusive, within the resource.
    case partial(ClosedRange<Int64>)
    /// Answer 416 with `Content-Range: bytes */size`.
    case unsatisfiable

    /// Interprets `header` for a resource of `size` bytes.
    init(header: String?, size: Int64) {
        guard let header else { self = .whole; return }
        let trimmed = header.trimmingWhitespace()
        guard let equals = trimmed.firstIndex(of: "=") else { self = .unsatisfiable; return }
        guard trimmed[..<equals].trimmingWhitespace().lowercased() == "bytes" else { self = .whole; return }
        let specs = trimmed[trimmed.index(after: equals)...].split(separator: ",", omittingEmptySubsequences: false)
        guard specs.count == 1 else {
            // Several ranges: each must still be well-formed to be ignored; otherwise 416.
            self = specs.allSatisfy({ Self.parse($0.trimmingWhitespace()) != nil }) ? .whole : .unsatisfiable
            return
        }
        guard let spec = Self.parse(specs[0].trimmingWhitespace()) else { self = .unsatisfiable; return }
        switch spec {
        case .from(let first, let last):
            guard first < size else { self = .unsatisfiable; return }
            self = .partial(first...min(last ?? (size - 1), size - 1))
        case .suffix(let length):
            guard length > 0, size > 0 else { self = .unsatisfiable; return }
            self = .partial(max(0, size - length)...(size - 1))
        }
    }

    private enum Spec { case from(Int64, Int64?), suffix(Int64) }

    /// `a-b`, `a-` or `-n` with decimal digits only; nil when malformed (or `b < a`).
    private static func parse(_ text: String) -> Spec? {
        guard let dash = text.firstIndex(of: "-") else { return nil }
        let left = text[..<dash], right = text[text.index(after: dash)...]
        /// The value of `digits`, saturating at `Int64.max`: no resource is that large, so a
        /// longer number still compares as past the end (RFC 9110 sets no limit on the digits).
        func number(_ digits: Substring) -> Int64? {
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            var value: Int64 = 0
            for digit in digits.utf8 {
                let (times10, overflow1) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times10.addingReportingOverflow(Int64(digit - UInt8(ascii: "0")))
                if overflow1 || overflow2 { return .max }
                value = sum
            }
            return value
        }
        if left.isEmpty {
            return number(right).map { .suffix($0) }
        }
        guard let first = number(left) else { return nil }
        if right.isEmpty { return .from(first, nil) }
        guard let last = number(right), last >= first else { return nil }
        return .from(first, last)
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
