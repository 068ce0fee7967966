public import Foundation

/// Where things live in an archive folder (DESIGN.md, "On disk").
public struct ArchiveLayout: Sendable {
    public let root: URL

    public init(root: URL) { self.root = root.standardizedFileURL }

    public var configuration: URL { root.appendingPathComponent("callvault.toml") }
    public var index: URL { root.appendingPathComponent("index.sqlite") }
    public var blobs: URL { root.appendingPathComponent("blobs") }
    public var incoming: URL { root.appendingPathComponent("spool/incoming") }
    public var processed: URL { root.appendingPathComponent("spool/processed") }
    public var rejected: URL { root.appendingPathComponent("spool/rejected") }
    public var temporary: URL { root.appendingPathComponent("tmp") }

    /// Every folder `init` creates.
    public var folders: [URL] { [root, blobs, incoming, processed, rejected, temporary] }
}
