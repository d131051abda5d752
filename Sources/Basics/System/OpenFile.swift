// A file open for reading or writing in chunks (large wheels and bundles never sit in memory
// whole), closed when released.

import Glibc
import SystemPackage

public final class OpenFile {
    public let descriptor: FileDescriptor

    private init?(path: String, mode: FileDescriptor.AccessMode, options: FileDescriptor.OpenOptions) {
        guard
            let opened = try? FileDescriptor.open(
                path, mode, options: options.union(.closeOnExec),
                permissions: [.ownerReadWrite, .groupReadWrite, .otherReadWrite])
        else { return nil }
        descriptor = opened
    }

    /// An existing regular file, for reading. A FIFO, device or socket is refused (nil) without
    /// waiting: opening a FIFO for reading blocks until a writer comes, which may be never.
    public convenience init?(readingAtPath path: String) {
        self.init(path: path, mode: .readOnly, options: .nonBlocking)
        var info = stat()
        guard fstat(descriptor.rawValue, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        _ = fcntl(descriptor.rawValue, F_SETFL, O_RDONLY)
    }

    /// Whether `path` is a regular file (following links).
    public static func isRegularFile(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG
    }

    /// A new or emptied file, for writing.
    public convenience init?(creatingAtPath path: String) {
        self.init(path: path, mode: .writeOnly, options: [.create, .truncate])
    }

    deinit { try? descriptor.close() }

    /// Up to `count` bytes; empty at the end of the file, nil when reading fails.
    public func read(upTo count: Int) -> [UInt8]? {
        try? [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            initialized = try descriptor.read(into: UnsafeMutableRawBufferPointer(buffer))
        }
    }

    /// All of `bytes`, or false when writing fails.
    public func write(_ bytes: UnsafeRawBufferPointer) -> Bool {
        FileDescriptorIO.writeAll(bytes, to: descriptor)
    }
}
