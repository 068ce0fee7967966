public import Foundation
public import CallvaultConfiguration
import CallvaultModel
import CallvaultIndex
import CallvaultBlobStore
import CallvaultAudit
import CallvaultIngest
import CallvaultAccess
#if canImport(Glibc)
import Glibc
#endif

/// An open archive: the one façade through which every use case runs. Each use case that
/// reads or changes personal data writes its audit entry in the same transaction.
public final class Archive: Sendable {
    public let layout: ArchiveLayout
    public let configuration: ArchiveConfiguration
    let index: ArchiveIndex
    let blobs: any BlobStore
    let normalizer: PhoneNumberNormalizer
    let timeZone: TimeZone
    let numberHasher: NumberHasher
    let clock: @Sendable () -> Date
    /// Hashes and checks account passwords (bcrypt).
    let passwords: PasswordHasher
    /// How long an erasure's purge waits for readers of older snapshots (see `init`).
    let purgePatience: TimeInterval
    /// Writes the log's head to the anchor file outside the archive.
    let anchoring: AuditAnchoring
    /// The key folder (outside the archive).
    public let keyDirectory: URL
    /// The anchor file (outside the archive).
    public var anchorFile: URL { anchoring.file }
    /// Held shared while this archive is open; see `ArchiveUseLock`.
    let useLock: ArchiveUseLock?
    /// How many leftovers of killed writes (`tmp/` files, half-received uploads) opening this
    /// archive removed: only an open that finds no other user of the archive removes any.
    public var leftoversRemovedAtOpen: Int { useLock?.leftoversRemoved ?? 0 }

    /// Name of the number-hashing secret in the index of archives from before the key store.
    static let storedNumberSecretName = "audit-number-key"

    /// Creates the archive's folders, configuration and index if missing (idempotent), and opens it.
    public static func initialize(at root: URL, keys: AuditKeyOptions = AuditKeyOptions()) throws -> Archive {
        let layout = ArchiveLayout(root: root)
        for folder in layout.folders {
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw ArchiveFailure(.badInput, "cannot create \(folder.path): \(error.localizedDescription)")
            }
        }
        if !FileManager.default.fileExists(atPath: layout.configuration.path) {
            try Data(ArchiveConfiguration().rendered().utf8).write(to: layout.configuration, options: .atomic)
        }
        return try Archive(root: root, keys: keys)
    }

    /// Opens an existing archive, with its key store and anchor file (see `AuditKeyOptions`; by
    /// default `<archive>.keys/` and `<archive>.anchors` beside the archive folder). On the first
    /// open of an archive without a key store the keys are created (the number-hashing secret
    /// moved out of the index, same value) and keyed sealing starts at the next entry.
    /// - Parameters:
    ///   - keys: where the key store and the anchor file are, and how often to anchor.
    ///   - faultSeam: test seam called after each durable step of a blob write.
    ///   - passwordCost: bcrypt cost of new password hashes: 12 in production; tests pass 4 to run fast.
    ///   - purgePatience: how long an erasure keeps trying to truncate the write-ahead log while a
    ///     reader holds an older snapshot (a minute in production; tests pass less).
    public init(root: URL, keys: AuditKeyOptions = AuditKeyOptions(), now: @escaping @Sendable () -> Date = { Date() },
                faultSeam: (@Sendable (String) -> Void)? = nil, passwordCost: UInt8 = 12, purgePatience: TimeInterval = 60) throws {
        let layout = ArchiveLayout(root: root)
        guard FileManager.default.fileExists(atPath: layout.configuration.path),
              FileManager.default.fileExists(atPath: layout.index.path) || FileManager.default.fileExists(atPath: layout.blobs.path) else {
            throw ArchiveFailure(.notFound, "no archive at \(layout.root.path): run `callvault init` (or pass --archive DIR)")
        }
        let text: String
        do { text = try String(contentsOf: layout.configuration, encoding: .utf8) } catch {
            throw ArchiveFailure(.badInput, "cannot read \(layout.configuration.path): \(error.localizedDescription)")
        }
        let configuration = try ArchiveConfiguration.parse(text, file: layout.configuration.path)
        // Before anything writes: a killed write's temp files go while no one else uses the archive.
        self.useLock = ArchiveUseLock(layout: layout)
        self.layout = layout
        self.configuration = configuration
        self.timeZone = try configuration.timeZone()
        self.normalizer = PhoneNumberNormalizer(countryCode: configuration.countryCode,
                                                maxExtensionLength: configuration.extensionMaxDigits)
        let keyDirectory = keys.keyDirectory?.standardizedFileURL ?? layout.defaultKeyDirectory
        let anchorFile = keys.anchorFile?.standardizedFileURL ?? layout.defaultAnchorFile
        let secrets = try Archive.openKeyStore(KeyStore(directory: keyDirectory, credentials: keys.credentialsDirectory),
                                            anchorFile: anchorFile, layout: layout)
        let chainKey = AuditKey(secrets.chainKey)
        let anchoring = AuditAnchoring(key: chainKey, file: anchorFile, every: keys.anchorEvery,
                                       interval: keys.anchorInterval, clock: now)
        self.keyDirectory = keyDirectory
        self.anchoring = anchoring
        self.index = try ArchiveIndex(path: layout.index, auditKey: chainKey, auditCommitted: { anchoring.committed($0) })
        self.numberHasher = NumberHasher(secret: secrets.numberSecret)
        try Archive.adoptKeyStore(index: index, keys: secrets, anchoring: anchoring)
        let seam = faultSeam ?? Archive.environmentFaultSeam()
        self.blobs = LocalBlobStore(root: layout.blobs, temporaryFolder: layout.temporary) { step throws(BlobStoreError) in
            seam?(step.rawValue)
        }
        self.clock = now
        self.passwords = PasswordHasher(cost: passwordCost)
        self.purgePatience = purgePatience
        crashSeam = seam
        try applyPendingRetention()
    }

    /// The test seam of durable steps outside the blob store (`before-index-commit`).
    let crashSeam: (@Sendable (String) -> Void)?

    /// Crash tests set `CALLVAULT_CRASH_AT` to a step name (`temp-written`, `temp-synced`,
    /// `renamed`, `folder-synced`, `before-index-commit`, `after-records-commit`,
    /// `expire-batch-committed`) to kill the process right there.
    ///
    /// Only a debug build — what `swift test` runs — has this seam; a release build never exits
    /// on an environment variable (`scripts/check-release-seams` proves it on the binary).
    static func environmentFaultSeam() -> (@Sendable (String) -> Void)? {
        #if DEBUG
        guard let target = ProcessInfo.processInfo.environment["CALLVAULT_CRASH_AT"], !target.isEmpty else { return nil }
        return { step in if step == target { _exit(86) } }
        #else
        return nil
        #endif
    }

    /// Names of the schema steps applied to the index.
    public func schemaMigrations() throws -> [String] { try index.appliedMigrations() }

    /// Whether `purpose` is one of the configured purposes.
    func requirePurpose(_ purpose: String?, actor: Actor, action: String, items: [String]) throws -> String {
        guard let purpose, configuration.purposes.contains(purpose) else {
            let reason = purpose == nil ? "no purpose given" : "purpose '\(purpose!)' is not one of the configured purposes"
            try index.write { writer in
                try writer.appendAudit(AuditEvent(actor: actor.name, role: actor.role, action: action, items: items,
                                                  purpose: purpose, outcome: .denied, reason: reason, origin: actor.origin), at: clock())
            }
            throw ArchiveFailure(.refused, "\(reason); use --purpose with one of: \(configuration.purposes.joined(separator: ", "))")
        }
        return purpose
    }
}
