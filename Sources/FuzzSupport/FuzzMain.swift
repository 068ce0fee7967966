public import Foundation
import FuzzDriver

/// The `main` of every fuzz target: libFuzzer's driver in a fuzzing build (`-sanitize=fuzzer
/// -DCALLVAULT_FUZZING`, what `scripts/fuzz` builds), `FuzzReplay` in a plain one.
///
/// SwiftPM links an executable with its own entry point (`<Target>_main`, for testable
/// executables), so libFuzzer's `main` is never the one that runs; the target's `@main` hands
/// its entry function to libFuzzer instead.
public enum FuzzMain {
    /// A target's entry, as libFuzzer calls it: the input's bytes and their count.
    public typealias Target = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer (or the replay of files) with the process's arguments, then exits.
    public static func run(_ target: Target) -> Never {
        #if CALLVAULT_FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, target))
        #else
        FuzzReplay.main { data, size in target(data, size) }
        exit(0)
        #endif
    }
}
