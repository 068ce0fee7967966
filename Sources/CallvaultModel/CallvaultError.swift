/// What went wrong, in the terms the CLI maps to exit codes and the server to HTTP statuses.
public enum ErrorKind: String, Sendable, Codable {
    /// The input (a file, a line, an argument) is not acceptable.
    case badInput = "bad-input"
    /// The action is not allowed in the archive's current state.
    case refused
    /// The named thing does not exist.
    case notFound = "not-found"
    /// Stored data failed an integrity check.
    case corrupt
    /// A fault of the machine or of callvault itself.
    case `internal`
}

/// The error protocol every callvault module conforms to.
///
/// Messages name the file, line and field and say what to do next; they never echo
/// a whole input line, because input lines hold phone numbers.
public protocol CallvaultError: Error, CustomStringConvertible, Sendable {
    /// The class of failure.
    var kind: ErrorKind { get }
    /// A message for a person: what went wrong and what to do.
    var message: String { get }
}

extension CallvaultError {
    public var description: String { message }
}

/// A general error carrying its kind and message, for use where a dedicated enum would add nothing.
public struct ArchiveFailure: CallvaultError {
    public let kind: ErrorKind
    public let message: String
    /// Creates an error of `kind` with a message for a person.
    public init(_ kind: ErrorKind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
