// What a bundle holds, checked against its MANIFEST.json before any of it runs: every file in
// the bundle is listed (an extra `inference/yaml.py` would be imported by the scoring core),
// every listed path is a plain relative path inside the bundle, and nothing in it is a link or
// a special file (a directory bundle must not lead outside itself, a FIFO would hang a read).

import Basics
import FoundationEssentials
import Glibc
import JSON

enum BundleInventory {
    /// Whether `path` is a normalized relative path: no leading `/`, no empty, `.` or `..`
    /// component, no backslash, no whitespace other than spaces, no control characters.
    static func isPlainRelativePath(_ path: String) -> Bool {
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\\") else { return false }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if component.isEmpty || component == "." || component == ".." { return false }
        }
        // Unicode's other whitespace too (NEL, NBSP, LS and PS: a paragraph separator in a path
        // would break the line of every message and lock line that names it), as FieldCheck does.
        return path.unicodeScalars.allSatisfy {
            $0 == " "
                || ($0.value >= 0x21 && $0.value != 0x7F && !(0x80..<0xA0).contains($0.value)
                    && !$0.properties.isWhitespace)
        }
    }

    /// Every entry below `root`, relative to it, without following links: regular files, and
    /// the problems (links, special files, unreadable directories) found on the way.
    static func walk(_ root: String) -> (files: Set<String>, problems: [String]) {
        var files = Set<String>()
        var problems: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            let directory = relative.isEmpty ? root : root + "/" + relative
            guard let handle = opendir(directory) else {
                problems.append("\(relative.isEmpty ? "." : relative): cannot be read")
                continue
            }
            defer { closedir(handle) }
            while let entry = readdir(handle) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                var info = stat()
                guard lstat(root + "/" + path, &info) == 0 else {
                    problems.append("\(path): cannot be read")
                    continue
                }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: pending.append(path)
                case S_IFREG: files.insert(path)
                case S_IFLNK: problems.append("\(path) is a symbolic link")
                default: problems.append("\(path) is not a regular file")
                }
            }
        }
        return (files, problems)
    }

    /// The problems that make the bundle untrustworthy, empty when its files are exactly the
    /// listed ones.
    static func check(root: String, manifest: JSONValue) -> [String] {
        guard let entries = manifest["files"]?.objectValue?.entries else {
            return ["MANIFEST.json has no \"files\" object"]
        }
        var problems: [String] = []
        var listed = Set<String>()
        for entry in entries {
            guard isPlainRelativePath(entry.key) else {
                problems.append("MANIFEST.json lists '\(entry.key)', which is not a plain path inside the bundle")
                continue
            }
            guard let digest = entry.value.stringValue, FieldCheck.isHexDigest(digest, count: 64) else {
                problems.append("MANIFEST.json gives '\(entry.key)' no sha256")
                continue
            }
            listed.insert(entry.key)
        }
        let (files, walkProblems) = walk(root)
        problems += walkProblems
        for file in files.subtracting(listed).subtracting(["MANIFEST.json"]).sorted() {
            problems.append("\(file) is not listed in MANIFEST.json")
        }
        return problems
    }
}
