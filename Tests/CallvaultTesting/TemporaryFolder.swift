public import Foundation

/// A fresh folder under the system's temporary folder, removed when the value is released.
public final class TemporaryFolder: @unchecked Sendable {
    public let url: URL

    public init(_ label: String = "callvault-test") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    /// A path inside the folder (not created).
    public func path(_ name: String) -> URL { url.appendingPathComponent(name) }

    /// Writes `text` (UTF-8) to `name`, creating folders, and returns its URL.
    @discardableResult
    public func write(_ name: String, _ text: String) -> URL {
        write(name, Data(text.utf8))
    }

    /// Writes bytes to `name`, creating folders, and returns its URL.
    @discardableResult
    public func write(_ name: String, _ data: Data) -> URL {
        let target = path(name)
        try! FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try! data.write(to: target)
        return target
    }
}
