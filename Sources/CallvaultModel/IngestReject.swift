/// A rejected file or line: where it was and why, without echoing its content.
public struct IngestReject: Sendable, Equatable, Codable {
    /// The file's path as given to ingest.
    public var file: String
    /// 1-based line number, or nil when the whole file was rejected.
    public var line: Int?
    public var reason: String

    public init(file: String, line: Int?, reason: String) {
        self.file = file
        self.line = line
        self.reason = reason
    }
}
