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
    /// Blobs `verify --repair` moved aside (orphans, damaged blobs), each with a `<id>.json` report:
    /// emptied only by `quarantine purge` or by expiry of what they held, never by repair.
    public var quarantine: URL { root.appendingPathComponent("quarantine") }
    /// The lock file every open archive holds shared; whoever gets it exclusive is the archive's
    /// only user and may clear `tmp/` of leftovers of killed writes.
    public var inUseLock: URL { temporary.appendingPathComponent(".in-use") }

    /// The default key folder: `<archive>.keys` beside the archive folder, not inside it (a copy
    /// or a rewrite of the archive's files must not carry the keys).
    public var defaultKeyDirectory: URL { beside(".keys") }
    /// The default anchor file: `<archive>.anchors` beside the archive folder.
    public var defaultAnchorFile: URL { beside(".anchors") }

    func beside(_ suffix: String) -> URL {
        root.deletingLastPathComponent().appendingPathComponent(root.lastPathComponent + suffix)
    }

    /// Whether `url` is the archive folder or inside it.
    func contains(_ url: URL) -> Bool {
        let path = url.standardizedFileURL.path
        return path == root.path || path.hasPrefix(root.path.hasSuffix("/") ? root.path : root.path + "/")
    }

    /// Every folder `init` creates.
    public var folders: [URL] { [root, blobs, incoming, processed, rejected, temporary, quarantine] }
}
