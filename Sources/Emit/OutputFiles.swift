// Writing outputs safely: nothing half-written (each file goes to a temporary file in the same
// directory, then is renamed into place), and a user's file is never overwritten without
// `force` (an identical file is not a conflict). A name may hold a subdirectory (`score/score.py`):
// it is created, and the file's temporary lives beside it.

import Basics
import FoundationEssentials
import Glibc

public struct OutputError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

public enum OutputFiles {
    public static func write(_ files: [(String, String)], to directory: String, force: Bool) throws(OutputError) {
        let fm = FileManager.default
        var isDirectory = false
        if fm.fileExists(atPath: directory, isDirectory: &isDirectory), !isDirectory {
            throw OutputError(message: "\(directory) exists and is not a directory")
        }
        // Check every target first, so a conflict writes nothing.
        var conflicts: [String] = []
        for (name, content) in files {
            let path = directory + "/" + name
            // A file that exists but cannot be read is a conflict too: it may be anything.
            guard !force, fm.fileExists(atPath: path) else { continue }
            if fm.contents(atPath: path) != Data(content.utf8) { conflicts.append(path) }
        }
        guard conflicts.isEmpty else {
            throw OutputError(message: "refusing to overwrite \(conflicts.joined(separator: ", ")) (use --force)")
        }
        // The folder of each file: the directory itself, or a subdirectory a name holds.
        func split(_ name: String) -> (folder: String, base: String) {
            guard let slash = name.lastIndex(of: "/") else { return (directory, name) }
            return (directory + "/" + name[..<slash], String(name[name.index(after: slash)...]))
        }
        for folder in Set(files.map { split($0.0).folder }).sorted() {
            do { try fm.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw OutputError(message: "cannot create \(folder): \(FileErrorText.describe(error))")
            }
        }
        for (name, _) in files { StaleTemporaries.sweep(split(name).folder, prefix: ".\(split(name).base).tmp-") }
        var temporaries: [(String, String)] = []
        var guards: [Interruption.Token] = []
        defer {
            for token in guards { Interruption.release(token) }
            for (temporary, _) in temporaries { unlink(temporary) }
        }
        for (name, content) in files {
            let path = directory + "/" + name
            let (folder, base) = split(name)
            let temporary = folder + "/.\(base).tmp-\(getpid())"
            guard fm.createFile(atPath: temporary, contents: Data(content.utf8)) else {
                throw OutputError(message: "cannot write \(temporary)")
            }
            temporaries.append((temporary, path))
            guards.append(Interruption.guardPath(temporary))
        }
        for (temporary, path) in temporaries where rename(temporary, path) != 0 {
            throw OutputError(message: "cannot move \(temporary) to \(path)")
        }
    }
}
