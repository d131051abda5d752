// The embedded default data: `$MLENV_DATA_DIR`, else `channels/` in the current directory,
// else `channels/` in a parent of the executable (a checkout's `.build/debug/mlenv`).

import FoundationEssentials

public enum EmbeddedData {
    public static let missing =
        "embedded sources: no channels/ snapshot found (looked in $MLENV_DATA_DIR, ./channels and the folders above the executable); set MLENV_DATA_DIR to a checkout's channels/ or use --sources live"

    public static func directory(variables: [String: String]) -> String? {
        let fm = FileManager.default
        if let explicit = variables["MLENV_DATA_DIR"], fm.fileExists(atPath: explicit) {
            return explicit
        }
        if fm.fileExists(atPath: "channels/pypi") || fm.fileExists(atPath: "channels/conda-forge") {
            return fm.currentDirectoryPath + "/channels"
        }
        // The executable's own path: argv[0] is only `mlenv` when it was found on PATH.
        let executable = (try? fm.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("channels")
            if fm.fileExists(atPath: candidate.appendingPathComponent("pypi").path) { return candidate.path }
            url = url.deletingLastPathComponent()
        }
        return nil
    }
}
