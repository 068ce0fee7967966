import Foundation
public import CallvaultAudit
import CallvaultIndex
import CallvaultModel

extension Archive {
    /// Loads the archive's keys, creating those a new or not yet keyed archive lacks, before the
    /// index is opened (or migrated): a refusal leaves everything as it was.
    /// - Throws: when a key file is open to group or others, or missing while the index says its
    ///   log is keyed (the key cannot be made again), or when the key folder or the anchor file
    ///   would be inside the archive.
    static func openKeyStore(_ store: KeyStore, anchorFile: URL, layout: ArchiveLayout) throws -> OpenedKeys {
        if layout.contains(store.directory) {
            throw ArchiveFailure(.badInput, "the key folder \(store.directory.path) is inside the archive: keep it outside (--key-dir or $CALLVAULT_KEY_DIR), so the archive's files do not carry their keys")
        }
        if layout.contains(anchorFile) {
            throw ArchiveFailure(.badInput, "the anchor file \(anchorFile.path) is inside the archive: keep it outside (--anchor-file or $CALLVAULT_ANCHOR_FILE)")
        }
        try store.checkPermissions()
        let state = try ArchiveIndex.keyState(at: layout.index, secretName: storedNumberSecretName)
        func missing(_ key: KeyStore.Key) -> ArchiveFailure {
            ArchiveFailure(.refused, "\(store.location(of: key).path) is missing (\(key.purpose)), but the archive's audit log is keyed (from entry \(state.keyedFrom ?? 1)): restore the key folder from its backup, or name it with --key-dir (or $CALLVAULT_KEY_DIR); nothing was changed")
        }
        // The number secret first: copied from the index (same value, so hashes logged before
        // still match) or made new. The index keeps its copy until `adoptKeyStore`.
        var numberSecret = try store.load(.number)
        if numberSecret == nil {
            if state.keyedFrom != nil && state.secret == nil { throw missing(.number) }
            let secret = state.secret ?? AuditKey.randomBytes()
            try store.create(.number, secret)
            numberSecret = try store.load(.number)
        }
        if let stored = state.secret, stored != numberSecret {
            throw ArchiveFailure(.refused, "the index holds a number-hashing secret that differs from \(store.location(of: .number).path): that key file belongs to another archive; name this archive's key folder with --key-dir; nothing was changed")
        }
        var chainKey = try store.load(.chain)
        if chainKey == nil {
            if state.keyedFrom != nil { throw missing(.chain) }
            try store.create(.chain, AuditKey.randomBytes())
            chainKey = try store.load(.chain)
        }
        return OpenedKeys(chainKey: chainKey!, numberSecret: numberSecret!, adopted: state.keyedFrom != nil && state.secret == nil)
    }

    /// The keys `openKeyStore` loaded, and whether the index had adopted the key store already.
    struct OpenedKeys {
        var chainKey: Data
        var numberSecret: Data
        var adopted: Bool
    }

    /// Completes the move to the key store in one transaction (idempotent after a crash): the
    /// switch point to keyed sealing is the next entry, anchored before it commits; the index's
    /// copy of the number secret, now durably in the key store, is deleted (`secure_delete`).
    static func adoptKeyStore(index: ArchiveIndex, keys: OpenedKeys, anchoring: AuditAnchoring) throws {
        let numberSecret = keys.numberSecret
        if keys.adopted {
            // The usual open: nothing to move, no write lock to take.
            let (keyedFrom, head) = try index.read { reader in (try reader.auditKeyedFrom() ?? 1, try reader.auditHead().count) }
            anchoring.start(keyedFrom: keyedFrom, anchoredUpTo: head)
            return
        }
        var movedSecret = false
        let (keyedFrom, head) = try index.write { writer -> (Int64, Int64) in
            if let stored = try writer.storedSecret(named: storedNumberSecretName) {
                guard stored == numberSecret else {
                    throw ArchiveFailure(.refused, "the index holds a number-hashing secret that differs from the key store's: name this archive's key folder with --key-dir")
                }
                try writer.deleteSecret(named: storedNumberSecretName)
                movedSecret = true
            }
            let chain = try writer.auditChainState()
            if let keyedFrom = chain.keyedFrom { return (keyedFrom, chain.next - 1) }
            // The anchor goes out first: should the commit fail, the next open anchors the same head again.
            try anchoring.anchor(sequence: chain.next - 1, hash: chain.headHash, keyedFrom: chain.next)
            try writer.setAuditKeyedFrom(chain.next)
            return (chain.next, chain.next - 1)
        }
        anchoring.start(keyedFrom: keyedFrom, anchoredUpTo: head)
        // The zeroed page into the main file and the log emptied: no copy of the secret stays in
        // the index's files. Best effort: a busy reader leaves it to the next checkpoint.
        if movedSecret { try? index.truncateWAL(waitingAtMost: 2) }
    }

    /// Anchors the log's head in the anchor file if entries were committed since the last anchor
    /// (a CLI command calls it when it ends; the service every hour and at shutdown).
    /// - Returns: the anchor written, or nil when nothing was waiting.
    @discardableResult
    public func anchorAuditHead() throws -> AuditAnchor? {
        try anchoring.anchorPending()
    }
}
