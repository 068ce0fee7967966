public import CallvaultModel

/// Failures of the SQLite index.
public enum IndexError: CallvaultError {
    case newerArchive(path: String, unknownMigrations: [String])
    case cannotOpen(path: String, reason: String)
    case database(String)
    /// A deletion reached items that an active legal hold covers (Invariant 4).
    case heldItems([Int64])

    public var kind: ErrorKind {
        switch self {
        case .newerArchive, .heldItems: .refused
        case .cannotOpen, .database: .internal
        }
    }

    public var message: String {
        switch self {
        case .newerArchive(let path, let unknown):
            "\(path) was written by a newer callvault (schema steps \(unknown.joined(separator: ", ")) are unknown to this one); nothing was changed. Upgrade callvault to open it"
        case .cannotOpen(let path, let reason):
            "cannot open the index \(path): \(reason)"
        case .database(let text):
            "index error: \(text)"
        case .heldItems(let ids):
            "\(ids.count) of the items to delete are covered by a legal hold (row ids \(ids.prefix(5).map(String.init).joined(separator: ", "))\(ids.count > 5 ? ", …" : "")); nothing was deleted. Release the hold first (`callvault hold release`)"
        }
    }
}
