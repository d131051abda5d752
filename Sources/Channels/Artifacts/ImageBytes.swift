// Bytes that stay put for a cache file's life, read in place: the conda record cache's images,
// the parsed pages and the parsed-metadata store's segments are mapped, not read, so a look-up
// touches the pages it needs instead of copying megabytes first.

import Glibc

/// Bytes that stay put for a cache image's life: a read-only mapping of a file, or a copy.
final class ImageBytes: @unchecked Sendable {
    let base: UnsafeRawPointer
    let count: Int
    private let mapped: Bool

    init(copying bytes: [UInt8]) {
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 8)
        bytes.withUnsafeBytes {
            if let source = $0.baseAddress { memory.copyMemory(from: source, byteCount: $0.count) }
        }
        base = UnsafeRawPointer(memory)
        count = bytes.count
        mapped = false
    }

    /// The whole file mapped read-only (an empty file: no bytes, which no cache reader accepts),
    /// or nil when it is not a regular file or cannot be opened or mapped. Cache files are
    /// replaced by rename, never rewritten in place, so a mapping stays valid.
    convenience init?(mapping path: String) {
        // O_NONBLOCK: a FIFO planted in a cache is refused by fstat below instead of blocking the open.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        guard info.st_size > 0 else {
            self.init(copying: [])
            return
        }
        guard let address = mmap(nil, Int(info.st_size), PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            return nil
        }
        self.init(mapped: UnsafeRawPointer(address), count: Int(info.st_size))
    }

    private init(mapped address: UnsafeRawPointer, count: Int) {
        base = address
        self.count = count
        mapped = true
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}
