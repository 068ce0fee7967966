public import Foundation
import CallvaultModel
#if canImport(Glibc)
import Glibc
#endif

/// Where an archive's audit keys and anchors live, and how often the log's head is anchored.
/// The locations come from the command line or the environment, never from `callvault.toml`
/// inside the archive: whoever can write the archive's files could otherwise point callvault at
/// keys and anchors of their own making.
public struct AuditKeyOptions: Sendable {
    /// The key folder (default: `<archive>.keys` beside the archive folder, created 0700).
    public var keyDirectory: URL?
    /// systemd's `$CREDENTIALS_DIRECTORY`: a key file of the same name there is read instead of
    /// the key folder's (`LoadCredential=chain.key:…`, `LoadCredential=number.key:…`).
    public var credentialsDirectory: URL?
    /// The append-only anchor file (default: `<archive>.anchors` beside the archive folder).
    public var anchorFile: URL?
    /// Anchor once this many entries were committed since the last anchor (the service; a CLI
    /// command also anchors when it ends).
    public var anchorEvery: Int64
    /// Anchor on the next commit once the last anchor is older than this (seconds).
    public var anchorInterval: TimeInterval

    public init(keyDirectory: URL? = nil, credentialsDirectory: URL? = nil, anchorFile: URL? = nil,
                anchorEvery: Int64 = 1000, anchorInterval: TimeInterval = 3600) {
        self.keyDirectory = keyDirectory
        self.credentialsDirectory = credentialsDirectory
        self.anchorFile = anchorFile
        self.anchorEvery = anchorEvery
        self.anchorInterval = anchorInterval
    }
}

/// The key folder of an archive: the chain key (`chain.key`) and the number-hashing secret
/// (`number.key`), each 32 random bytes written as 64 hex digits, in files only their owner may
/// read (0600) in a folder only the owner may enter (0700). Outside `index.sqlite`, so a copy or
/// a rewrite of the archive's files does not carry them.
struct KeyStore {
    /// A key kept in the store.
    enum Key: String, CaseIterable {
        case chain = "chain.key"
        case number = "number.key"

        var purpose: String {
            switch self {
            case .chain: "the audit log's chain key"
            case .number: "the secret that hashes searched numbers in the audit log"
            }
        }
    }

    let directory: URL
    let credentials: URL?

    /// Where `key` is read from: systemd's credentials folder when it holds it, else the key folder.
    func location(of key: Key) -> URL {
        if let credentials {
            let credential = credentials.appendingPathComponent(key.rawValue)
            if FileManager.default.fileExists(atPath: credential.path) { return credential }
        }
        return directory.appendingPathComponent(key.rawValue)
    }

    /// Refuses key files that anyone but their owner may read or write (before anything is changed).
    /// systemd's credentials folder is left to systemd, which makes it readable by the unit only.
    func checkPermissions() throws {
        for key in Key.allCases {
            let file = directory.appendingPathComponent(key.rawValue)
            var status = stat()
            guard lstat(file.path, &status) == 0 else { continue }
            guard status.st_mode & 0o170000 == 0o100000 else {  // a regular file, not a link
                throw ArchiveFailure(.refused, "key file \(file.path) is not a regular file: replace it with the key file from your backup; nothing was changed")
            }
            let mode = status.st_mode & 0o777
            if mode & 0o077 != 0 {
                throw ArchiveFailure(.refused, "key file \(file.path) is open to group or others (mode \(String(mode, radix: 8))): run `chmod 600 \(file.path)` (and check who could have read it); nothing was changed")
            }
        }
    }

    /// The key's 32 bytes, or nil when there is no key file.
    func load(_ key: Key) throws -> Data? {
        let file = location(of: key)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ArchiveFailure(.refused, "cannot read key file \(file.path) (\(key.purpose)): check its owner and permissions; nothing was changed")
        }
        if data.count == 32 { return data }  // raw bytes, as a systemd credential may hold them
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Self.bytes(hex: text), bytes.count == 32 else {
            throw ArchiveFailure(.corrupt, "key file \(file.path) (\(key.purpose)) is not 64 hex digits: restore it from your backup; nothing was changed")
        }
        return bytes
    }

    /// Writes `bytes` as `key` durably: a 0600 temporary file, fsync, rename, fsync of the folder
    /// (created 0700 if missing). An existing key file is never replaced.
    func create(_ key: Key, _ bytes: Data) throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ArchiveFailure(.badInput, "cannot create the key folder \(directory.path): \(error.localizedDescription)")
        }
        let target = directory.appendingPathComponent(key.rawValue)
        let temporary = directory.appendingPathComponent(".\(key.rawValue).\(getpid()).tmp")
        try DurableFile.write(Data((bytes.hexString + "\n").utf8), to: temporary, mode: 0o600)
        // link(2) fails when the target exists: a key another process created meanwhile wins.
        let linked = link(temporary.path, target.path) == 0
        let linkError = errno
        unlink(temporary.path)
        guard linked || linkError == EEXIST else {
            throw ArchiveFailure(.internal, "cannot write key file \(target.path): \(String(cString: strerror(linkError)))")
        }
        try DurableFile.syncFolder(directory)
    }

    static func bytes(hex: String) -> Data? {
        let digits = Array(hex.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var out = Data(capacity: digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = Self.nibble(digits[index]), let low = Self.nibble(digits[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Small durable writes outside the blob store: the key files and the anchor file.
enum DurableFile {
    /// Creates (or truncates) `file` with `mode`, writes `data` and fsyncs it.
    static func write(_ data: Data, to file: URL, mode: mode_t) throws {
        let fd = open(file.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("cannot create", file) }
        defer { close(fd) }
        try writeAll(data, fd: fd, file: file)
        guard fsync(fd) == 0 else { throw failure("cannot sync", file) }
    }

    /// Appends `data` to `file` (created with `mode` if missing) with O_APPEND, then fsyncs it
    /// (and its folder when the file was new).
    static func append(_ data: Data, to file: URL, mode: mode_t) throws {
        let existed = FileManager.default.fileExists(atPath: file.path)
        let fd = open(file.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode)
        guard fd >= 0 else { throw failure("cannot open for appending", file) }
        defer { close(fd) }
        try writeAll(data, fd: fd, file: file)
        guard fsync(fd) == 0 else { throw failure("cannot sync", file) }
        if !existed { try syncFolder(file.deletingLastPathComponent()) }
    }

    static func syncFolder(_ folder: URL) throws {
        let fd = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open", folder) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("cannot sync", folder) }
    }

    private static func writeAll(_ data: Data, fd: Int32, file: URL) throws {
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { throw failure("cannot write", file) }
                offset += written
            }
        }
    }

    private static func failure(_ what: String, _ file: URL) -> ArchiveFailure {
        ArchiveFailure(.internal, "\(what) \(file.path): \(String(cString: strerror(errno)))")
    }
}
