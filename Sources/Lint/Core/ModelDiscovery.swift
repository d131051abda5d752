// Which directories are models: every directory with an MLmodel file at or under the paths
// given. A model's own subdirectories are its artifacts (data/, code/, a Databricks Unity
// Catalog `metadata/` copy of MLmodel and the env files, a nested model a pyfunc wraps) and are
// not searched: lint such a nested model by naming its path. Hidden directories (.git,
// .ipynb_checkpoints) are skipped and symbolic links are not followed, so a walk cannot loop or
// leave the tree it was given.
//
// A file stands for the model it belongs to (so a pre-commit hook can pass the files a commit
// touched): the nearest directory at or above it with an MLmodel file. A file in no model is
// nothing to lint, not an error. `.mlenv.yaml` stands for every model below its directory,
// since it configures them all.

import FoundationEssentials
import Glibc

public enum ModelDiscovery {
    /// Model directories under `path`, in path order, spelled from `path` (`models/a/b`).
    public static func find(_ path: String) -> [String] { scan(path).models }

    /// The models under `path`, and the directories the walk could not read (with why): a
    /// model below one of those would go unchecked, which lint must say.
    public static func scan(_ path: String) -> (models: [String], unreadable: [(path: String, reason: String)]) {
        let root = trimmed(path)
        if isFile(root) {
            if lastComponent(root) == ".mlenv.yaml" { return scan(parent(root) ?? ".") }
            return (model(containing: root).map { [$0] } ?? [], [])
        }
        var found: [String] = []
        var unreadable: [(String, String)] = []
        walk(root, into: &found, unreadable: &unreadable, depth: 0)
        return (found, unreadable)
    }

    /// Whether `path` exists and is not a directory (a symbolic link is followed).
    public static func isFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFDIR
    }

    /// The model directory a file belongs to: the nearest directory at or above the file's own
    /// with an MLmodel file, spelled from `file` (`models/a/conda.yaml` → `models/a`,
    /// `conda.yaml` → `.`). The search goes up to `/` for an absolute path and to the current
    /// directory for a relative one (not above a `..`); nil when no directory there is a model.
    public static func model(containing file: String) -> String? {
        var directory = parent(trimmed(file))
        while let current = directory {
            let spelled = current.isEmpty ? "." : current
            if FileManager.default.fileExists(atPath: spelled + "/MLmodel") { return spelled }
            if spelled == "." || spelled == "/" || lastComponent(spelled) == ".." { return nil }
            directory = parent(spelled)
        }
        return nil
    }

    /// `path` without its last component: `a/b` → `a`, `b` → `.`, `/b` → `/`; nil for `.` and `/`.
    static func parent(_ path: String) -> String? {
        if path == "." || path == "/" { return nil }
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        guard let slash = p.lastIndex(of: "/") else { return "." }
        if slash == p.startIndex { return "/" }
        var head = p[..<slash]
        while head.count > 1 && head.hasSuffix("/") { head.removeLast() }
        return String(head)
    }

    static func lastComponent(_ path: String) -> Substring {
        path.split(separator: "/").last ?? Substring(path)
    }

    static func trimmed(_ path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        if p.hasPrefix("./") && p.count > 2 { p.removeFirst(2) }
        return p
    }

    private static func walk(
        _ directory: String, into found: inout [String], unreadable: inout [(String, String)], depth: Int
    ) {
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
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
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
