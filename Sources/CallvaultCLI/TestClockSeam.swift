import Foundation

/// The clock seam of the command-line tests (DESIGN.md invariant 9: time is the system's).
/// A debug build — what `swift test` runs — reads `CALLVAULT_TEST_NOW` (ISO 8601 with an
/// offset) as the time of every command; a release build has no such seam and always uses
/// the system clock, whatever the environment says.
enum TestClockSeam {
    static func clock() -> (@Sendable () -> Date)? {
        #if DEBUG
        guard let text = ProcessInfo.processInfo.environment["CALLVAULT_TEST_NOW"],
              let time = try? Date.ISO8601FormatStyle().parse(text) else { return nil }
        return { time }
        #else
        return nil
        #endif
    }
}
