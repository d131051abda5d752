// Reading whole files, compressed or not. `.gz`, `.bz2`, `.xz` and `.zst` go through libsolv's
// `solv_xfopen`, which picks the decompressor from the extension.

import CLibsolv
import Foundation

public struct FileReadError: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot read \(path): \(reason)" }
}

public enum FileBytes {
    public static func read(_ path: String) throws(FileReadError) -> [UInt8] {
        let compressed = [".gz", ".bz2", ".xz", ".zst"].contains { path.hasSuffix($0) }
        if !compressed {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FileReadError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied" : "no such file")
            }
            return [UInt8](data)
        }
        guard FileManager.default.fileExists(atPath: path) else { throw FileReadError(path: path, reason: "no such file") }
        guard let file = solv_xfopen(path, "r") else { throw FileReadError(path: path, reason: "cannot open the compressed file") }
        defer { fclose(file) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            if n > 0 { result.append(contentsOf: buffer[0..<n]) }
            if n < buffer.count {
                if ferror(file) != 0 { throw FileReadError(path: path, reason: "the compressed data is corrupt") }
                break
            }
        }
        return result
    }

    /// Writes atomically: a temporary file in the same directory, then rename.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileReadError) {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        } catch {
            throw FileReadError(path: directory, reason: "cannot create the directory")
        }
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw FileReadError(path: temporary, reason: "cannot write")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw FileReadError(path: path, reason: "cannot rename the temporary file into place")
        }
    }
}
