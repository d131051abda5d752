// Listing a directory tree as FileManager's `enumerator(atPath:)` listed it (fts with
// FTS_PHYSICAL | FTS_XDEV): parents before their contents, hidden entries included, symbolic
// links listed but never followed, no descent into another file system or into a directory
// that cannot be read (which is itself left out). The order within a directory is the file
// system's: callers sort.

import Glibc

public enum FileTree {
    /// Paths relative to `root` of everything under it; empty when `root` cannot be read.
    public static func relativePaths(under root: String) -> [String] {
        var info = stat()
        guard lstat(root, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else { return [] }
        var result: [String] = []
        list(root, prefix: "", device: info.st_dev, into: &result)
        return result
    }

    private static func list(_ directory: String, prefix: String, device: dev_t, into result: inout [String]) {
        guard let stream = opendir(directory) else { return }
        var entries: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { entries.append(name) }
        }
        closedir(stream)
        for name in entries {
            let path = directory + "/" + name
            let relative = prefix + name
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                result.append(relative)
                continue
            }
            guard access(path, R_OK | X_OK) == 0 else { continue }
            result.append(relative)
            if info.st_dev == device { list(path, prefix: relative + "/", device: device, into: &result) }
        }
    }
}
