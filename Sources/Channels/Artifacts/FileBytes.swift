// Reading whole files, compressed or not. `.gz`, `.bz2`, `.xz` and `.zst` go through libsolv's
// `solv_xfopen`, which picks the decompressor from the extension.

import Basics
import CLibsolv
import CSolvExt
import FoundationEssentials
import Glibc
import Specs

public struct FileReadError: Error, Hashable, Sendable, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "cannot read \(path): \(reason)" }
}

public enum FileBytes {
    public static func read(_ path: String) throws(FileReadError) -> [UInt8] {
        let compressed = [".gz", ".bz2", ".xz", ".zst"].contains { path.hasSuffix($0) }
        if !compressed {
            guard let bytes = readPlain(path) else {
                let reason =
                    !FileManager.default.fileExists(atPath: path)
                    ? "no such file"
                    : !OpenFile.isRegularFile(path)
                        ? "not a regular file (a FIFO, device or directory)" : "permission denied"
                throw FileReadError(path: path, reason: reason)
            }
            return bytes
        }
        var result: [UInt8] = []
        try forEachDecompressedBlock(path, blockSize: 1 << 16, limit: Int.max) { block in
            result.append(contentsOf: block)
            return nil
        }
        return result
    }

    /// Decompresses `path` into a new file at `destination` a block at a time (memory holds a
    /// block, not the document), refusing more than `limit` bytes of output: a compressed file
    /// that expands without end must not fill the disk. Nothing is left at `destination` on
    /// failure.
    public static func decompress(_ path: String, to destination: String, limit: Int) throws(FileReadError) {
        guard OpenFile.isRegularFile(path) else {
            throw FileReadError(
                path: path,
                reason: FileManager.default.fileExists(atPath: path)
                    ? "not a regular file (a FIFO, device or directory)" : "no such file")
        }
        let fd = open(destination, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw FileReadError(path: destination, reason: "cannot create: \(String(cString: strerror(errno)))")
        }
        var failure: FileReadError?
        do {
            try forEachDecompressedBlock(path, blockSize: 1 << 20, limit: limit) { block in
                var written = 0
                while written < block.count {
                    let w = write(fd, block.baseAddress! + written, block.count - written)
                    if w < 0 && errno == EINTR { continue }
                    guard w > 0 else {
                        return FileReadError(
                            path: destination, reason: "cannot write: \(String(cString: strerror(errno)))")
                    }
                    written += w
                }
                return nil
            }
        } catch {
            failure = error
        }
        if close(fd) != 0 && failure == nil { failure = FileReadError(path: destination, reason: "cannot write") }
        if let failure {
            unlink(destination)
            throw failure
        }
    }

    /// A compressed file read through libsolv's readers (chosen by the extension) a block at a
    /// time, each block handed to `body` (which stops the read by returning an error); more
    /// than `limit` bytes of output is an error.
    private static func forEachDecompressedBlock(
        _ path: String, blockSize: Int, limit: Int,
        _ body: (UnsafeRawBufferPointer) -> FileReadError?
    ) throws(FileReadError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw FileReadError(path: path, reason: "no such file")
        }
        guard OpenFile.isRegularFile(path) else {
            throw FileReadError(path: path, reason: "not a regular file (a FIFO, device or directory)")
        }
        guard let file = mlenv_solv_xfopen(path, "r") else {
            throw FileReadError(
                path: path,
                reason: mlenv_solvext_error().map { String(cString: $0) } ?? "cannot open the compressed file")
        }
        defer { fclose(file) }
        var buffer = [UInt8](repeating: 0, count: blockSize)
        var total = 0
        while true {
            let n = buffer.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
            total += n
            if total > limit {
                throw FileReadError(path: path, reason: "expands to more than \(limit >> 20) MiB; refusing it")
            }
            if n > 0, let error = buffer.withUnsafeBytes({ body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }) {
                throw error
            }
            if n < buffer.count {
                if ferror(file) != 0 { throw FileReadError(path: path, reason: "the compressed data is corrupt") }
                return
            }
        }
    }

    /// A whole uncompressed file with one open, fstat and read (no Data in between), or nil
    /// when it cannot be read. Warm resolves read hundreds of small cache and metadata files.
    public static func readPlain(_ path: String) -> [UInt8]? {
        // O_NONBLOCK: a FIFO is refused by fstat below instead of blocking the open.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        // Not zeroed first: every byte is read into (or the whole is given up).
        var complete = false
        let bytes = [UInt8](unsafeUninitializedCapacity: Int(info.st_size)) { buffer, initialized in
            var filled = 0
            while filled < buffer.count {
                let n = Glibc.read(fd, buffer.baseAddress! + filled, buffer.count - filled)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { break }
                filled += n
            }
            complete = filled == buffer.count
            initialized = complete ? filled : 0
        }
        return complete ? bytes : nil
    }

    /// Writes atomically: a temporary file in the same directory, then rename, so a reader sees
    /// the old file or the whole new one. No fsync: what goes through here is a cache or a
    /// mirror page that is checked when read and rebuilt when wrong, and `FileManager.createFile`
    /// (which syncs each file) made a cold channel load spend a second in fsync.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(FileReadError) {
        let directory = PathText.deletingLastComponent(path)
        do {
            try FileManager.default.createDirectory(
                atPath: directory.isEmpty ? "." : directory, withIntermediateDirectories: true)
        } catch {
            throw FileReadError(path: directory, reason: "cannot create the directory")
        }
        // A killed writer's temporary stays until the next process writing here sweeps it.
        StaleTemporaries.sweepAtomicWrites(in: directory.isEmpty ? "." : directory)
        let temporary = path + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileReadError(path: temporary, reason: "cannot write") }
        var written = 0
        let complete = bytes.withUnsafeBytes { buffer -> Bool in
            while written < buffer.count {
                let n = write(fd, buffer.baseAddress! + written, buffer.count - written)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return false }
                written += n
            }
            return true
        }
        guard close(fd) == 0, complete else {
            unlink(temporary)
            throw FileReadError(path: temporary, reason: "cannot write")
        }
        guard rename(temporary, path) == 0 else {
            unlink(temporary)
            throw FileReadError(path: path, reason: "cannot rename the temporary file into place")
        }
    }
}
