public import Foundation

/// What a fuzz target built without `-sanitize=fuzzer` (what `swift build` makes) does: it
/// runs every file named on the command line (folders: every file in them) through the target
/// once, so a crash file libFuzzer saved can be replayed in a debugger or a plain build.
public enum FuzzReplay {
    /// Replays the inputs named by `arguments` through `target`; exits 2 on a usage error.
    public static func main(_ target: (UnsafePointer<UInt8>?, Int) -> CInt, arguments: [String] = CommandLine.arguments) {
        let paths = arguments.dropFirst().filter { !$0.hasPrefix("-") }
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("usage: \(arguments.first ?? "fuzz-target") FILE_OR_FOLDER...\n(built without -sanitize=fuzzer: replays the inputs; scripts/fuzz builds the fuzzer)\n".utf8))
            exit(2)
        }
        var count = 0
        for path in paths {
            for file in files(at: URL(fileURLWithPath: path)) {
                guard let data = try? Data(contentsOf: file) else { continue }
                let bytes = [UInt8](data)
                _ = bytes.withUnsafeBufferPointer { buffer in
                    // A pointer for an empty input too, as libFuzzer passes.
                    withUnsafeTemporaryAllocation(of: UInt8.self, capacity: max(1, buffer.count)) { scratch in
                        _ = scratch.initialize(fromContentsOf: buffer)
                        return target(UnsafePointer(scratch.baseAddress!), buffer.count)
                    }
                }
                count += 1
            }
        }
        print("replayed \(count) inputs without a crash")
    }

    static func files(at url: URL) -> [URL] {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else { return [] }
        guard isFolder.boolValue else { return [url] }
        let all = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.isRegularFileKey])?
            .compactMap { $0 as? URL } ?? []
        return all.filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
            .sorted { $0.path < $1.path }
    }
}
