// A file open for reading or writing in chunks (large wheels and bundles never sit in memory
// whole), closed when released.

import Glibc

public final class OpenFile {
    public let descriptor: Int32

    private init?(path: String, flags: Int32) {
        descriptor = open(path, flags | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { return nil }
    }

    /// An existing regular file, for reading. A FIFO, device or socket is refused (nil) without
    /// waiting: opening a FIFO for reading blocks until a writer comes, which may be never.
    public convenience init?(readingAtPath path: String) {
        self.init(path: path, flags: O_RDONLY | O_NONBLOCK)
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        _ = fcntl(descriptor, F_SETFL, O_RDONLY)
    }

    /// Whether `path` is a regular file (following links).
    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// A new or emptied file, for writing.
    public convenience init?(creatingAtPath path: String) { self.init(path: path, flags: O_WRONLY | O_CREAT | O_TRUNC) }

    deinit { close(descriptor) }

    /// Up to `count` bytes; empty at the end of the file, nil when reading fails.
    public func read(upTo count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { return nil }
            buffer.removeSubrange(n...)
            return buffer
        }
    }

    /// All of `bytes`, or false when writing fails.
    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        FileDescriptorIO.writeAll(bytes, to: descriptor)
    }
}
