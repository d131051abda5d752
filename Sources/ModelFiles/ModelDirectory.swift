// Reading files of a model directory without ever leaving it: paths from the model's own
// files (`env`, `-r`, `artifact_path`) are untrusted. A path may not be absolute, may not climb
// out with `..`, and may not be a symbolic link whose target lies outside the model.

import FoundationEssentials
import Glibc
import Specs

public struct ModelDirectory: Sendable {
    /// The path as the user gave it (used in messages).
    public let displayPath: String
    /// The directory with symbolic links resolved.
    public let realRoot: String

    public init(path: String) throws(ModelFilesError) {
        displayPath = path
        var isDirectory = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelFilesError("missing-model-directory", Message.missingModelDirectory(path))
        }
        guard isDirectory else {
            throw ModelFilesError("not-a-directory", Message.notADirectory(path))
        }
        // A directory that cannot be listed would look like one without an MLmodel file.
        guard let handle = opendir(path) else {
            throw ModelFilesError(
                "unreadable-model-directory",
                "cannot read the model directory '\(path)' (\(String(cString: strerror(errno))))")
        }
        closedir(handle)
        realRoot = ModelDirectory.realPath(path) ?? path
    }

    public enum Lookup: Equatable, Sendable {
        case file(absolutePath: String)
        case missing
        case directory
        case escapes
        case symlinkEscapes(target: String)
    }

    /// Where a model-relative path leads, checked against the model root.
    public func lookup(_ relativePath: String) -> Lookup {
        if relativePath.hasPrefix("/") || relativePath.hasPrefix("~")
            || relativePath.containsLiteral("\\") && relativePath.containsLiteral(":")
        {
            return .escapes
        }
        // Lexical check first: `a/../../x` escapes even if nothing exists.
        var depth = 0
        for component in relativePath.split(separator: "/", omittingEmptySubsequences: true) {
            if component == ".." {
                depth -= 1
                if depth < 0 { return .escapes }
            } else if component != "." {
                depth += 1
            }
        }
        let joined = realRoot + "/" + relativePath
        var isDirectory = false
        // Resolve links: the target must stay inside the root.
        if let real = ModelDirectory.realPath(joined) {
            if !(real == realRoot || real.hasPrefix(realRoot + "/")) {
                return .symlinkEscapes(target: real)
            }
            guard FileManager.default.fileExists(atPath: real, isDirectory: &isDirectory) else { return .missing }
            return isDirectory ? .directory : .file(absolutePath: real)
        }
        // realpath fails for a dangling link: report where it points if it is a link.
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: joined) {
            let absolute = target.hasPrefix("/") ? target : PathText.deletingLastComponent(joined) + "/" + target
            let normalized = StandardizedPath.of(absolute)
            if !(normalized == realRoot || normalized.hasPrefix(realRoot + "/")) {
                return .symlinkEscapes(target: target)
            }
        }
        return .missing
    }

    /// Reads a model file, or says precisely why it cannot.
    public func read(
        _ relativePath: String, referencedAt: SourceLocation? = nil,
        missingMessage: String? = nil
    ) -> Result<[UInt8], ModelFilesError> {
        switch lookup(relativePath) {
        case .file(let path):
            var info = stat()
            if stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG {
                // Reading a FIFO would wait for a writer; a device could be endless.
                let kind =
                    (info.st_mode & S_IFMT) == S_IFIFO
                    ? "a named pipe (FIFO)" : (info.st_mode & S_IFMT) == S_IFSOCK ? "a socket" : "a device"
                return .failure(
                    ModelFilesError(
                        "not-a-file", "'\(relativePath)' is \(kind), not a regular file",
                        at: referencedAt ?? SourceLocation(file: relativePath)))
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                return .failure(
                    ModelFilesError(
                        "unreadable-file", "cannot read '\(relativePath)' (permission denied?)",
                        at: referencedAt ?? SourceLocation(file: relativePath)))
            }
            return .success([UInt8](data))
        case .missing:
            return .failure(
                ModelFilesError(
                    "missing-file", missingMessage ?? "'\(relativePath)' does not exist in the model directory",
                    at: referencedAt ?? SourceLocation(file: relativePath)))
        case .directory:
            return .failure(
                ModelFilesError(
                    "not-a-file", "'\(relativePath)' is a directory, expected a file",
                    at: referencedAt ?? SourceLocation(file: relativePath)))
        case .escapes:
            return .failure(
                ModelFilesError(
                    "path-escapes-model", Message.escapes(relativePath),
                    at: referencedAt ?? SourceLocation(file: relativePath)))
        case .symlinkEscapes(let target):
            return .failure(
                ModelFilesError(
                    "symlink-escapes-model", Message.symlinkEscapes(relativePath, target: target),
                    at: referencedAt ?? SourceLocation(file: relativePath)))
        }
    }

    public func exists(_ relativePath: String) -> Bool {
        if case .file = lookup(relativePath) { return true }
        return false
    }

    /// Every symbolic link in the model tree whose target lies outside the model.
    public func linksLeavingModel() -> [(path: String, target: String)] {
        var found: [(String, String)] = []
        for relative in Self.symbolicLinks(under: realRoot) {
            if case .symlinkEscapes(let target) = lookup(relative) { found.append((relative, target)) }
        }
        return found.sorted { $0.0 < $1.0 }
    }

    /// Every symbolic link below `root` (not following links), relative to it. A readdir walk
    /// that asks the directory entries' types: a model can hold thousands of artifact files, and
    /// asking FileManager for each one's attributes made this the slowest part of reading a model.
    static func symbolicLinks(under root: String) -> [String] {
        var links: [String] = []
        var pending = [""]
        while let relative = pending.popLast() {
            guard let directory = opendir(relative.isEmpty ? root : root + "/" + relative) else { continue }
            defer { closedir(directory) }
            while let entry = readdir(directory) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                if name == "." || name == ".." { continue }
                let path = relative.isEmpty ? name : relative + "/" + name
                var type = Int32(entry.pointee.d_type)
                if type == Int32(DT_UNKNOWN) {
                    var info = stat()
                    guard lstat(root + "/" + path, &info) == 0 else { continue }
                    switch info.st_mode & S_IFMT {
                    case S_IFLNK: type = Int32(DT_LNK)
                    case S_IFDIR: type = Int32(DT_DIR)
                    default: type = Int32(DT_REG)
                    }
                }
                if type == Int32(DT_LNK) { links.append(path) } else if type == Int32(DT_DIR) { pending.append(path) }
            }
        }
        return links
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// Normalises `a/./b/../c` to `a/c` (lexically) for display and include tracking.
    static func normalize(_ relativePath: String) -> String {
        var parts: [Substring] = []
        for component in relativePath.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == "..", !parts.isEmpty, parts.last != ".." {
                parts.removeLast()
                continue
            }
            parts.append(component)
        }
        return parts.joined(separator: "/")
    }
}

/// Text of a model file, decoded as UTF-8 with the position of the first bad byte otherwise.
enum TextDecoding {
    /// "with a byte-order mark" or "little-endian, no byte-order mark" when the bytes are
    /// UTF-16 text: a BOM, or NUL bytes in every other position of the first characters.
    static func utf16Kind(_ bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0xFF, 0xFE]) || bytes.starts(with: [0xFE, 0xFF]) { return "with a byte-order mark" }
        let head = bytes.prefix(64)
        guard head.count >= 4, head.count % 2 == 0 else { return nil }
        let even = stride(from: 0, to: head.count, by: 2).map { head[$0] }
        let odd = stride(from: 1, to: head.count, by: 2).map { head[$0] }
        if odd.allSatisfy({ $0 == 0 }) && even.allSatisfy({ $0 != 0 }) { return "little-endian, no byte-order mark" }
        if even.allSatisfy({ $0 == 0 }) && odd.allSatisfy({ $0 != 0 }) { return "big-endian, no byte-order mark" }
        return nil
    }

    static func decode(_ bytes: [UInt8], file: String) -> Result<String, ModelFilesError> {
        var body = bytes[...]
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
        if let text = String(validating: body, as: UTF8.self) { return .success(text) }
        // Find the first invalid sequence to say where.
        var line = 1
        var column = 1
        var iterator = body.makeIterator()
        var decoder = UTF8()
        var offset = 0
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                offset += scalar.utf8.count
                if scalar == "\n" {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
            case .emptyInput:
                break loop
            case .error:
                let index = body.startIndex + offset
                let byte = index < body.endIndex ? body[index] : 0
                return .failure(
                    ModelFilesError(
                        "not-utf8", Message.notUTF8("byte 0x\(String(byte, radix: 16, uppercase: true))"),
                        at: SourceLocation(file: file, line: line, column: column)))
            }
        }
        return .failure(
            ModelFilesError("not-utf8", Message.notUTF8("invalid byte sequence"), at: SourceLocation(file: file)))
    }
}
