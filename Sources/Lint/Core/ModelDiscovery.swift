// Which directories are models: every directory with an MLmodel file at or under the paths
// given. A model's own subdirectories are its artifacts (data/, code/, a Databricks Unity
// Catalog `metadata/` copy of MLmodel and the env files, a nested model a pyfunc wraps) and are
// not searched: lint such a nested model by naming its path. Hidden directories (.git,
// .ipynb_checkpoints) are skipped and symbolic links are not followed, so a walk cannot loop or
// leave the tree it was given.

import FoundationEssentials
import Glibc

public enum ModelDiscovery {
    /// Model directories under `path`, in path order, spelled from `path` (`models/a/b`).
    public static func find(_ path: String) -> [String] { scan(path).models }

    /// The models under `path`, and the directories the walk could not read (with why): a
    /// model below one of those would go unchecked, which lint must say.
    public static func scan(_ path: String) -> (models: [String], unreadable: [(path: String, reason: String)]) {
        let root = trimmed(path)
        var found: [String] = []
        var unreadable: [(String, String)] = []
        walk(root, into: &found, unreadable: &unreadable, depth: 0)
        return (found, unreadable)
    }

    static func trimmed(_ path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        if p.hasPrefix("./") && p.count > 2 { p.removeFirst(2) }
        return p
    }

    private static func walk(_ directory: String, into found: inout [String], unreadable: inout [(String, String)], depth: Int) {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory + "/MLmodel") {
            found.append(directory)
            return
        }
        guard depth < 64 else { return }
        // One listing, through readdir: a directory that cannot be opened is said with errno.
        guard let handle = opendir(directory) else {
            unreadable.append((directory, String(cString: strerror(errno))))
            return
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(handle)
        for name in names.sorted() where !name.hasPrefix(".") && name != "__pycache__" && name != "node_modules" {
            let child = directory == "." ? name : directory + "/" + name
            var info = stat()
            guard lstat(child, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            walk(child, into: &found, unreadable: &unreadable, depth: depth + 1)
        }
    }
}
