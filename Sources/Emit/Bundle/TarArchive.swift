// The only file in Emit that calls libarchive: writing a deterministic .tar.gz and reading one
// without trusting it.
//
// Deterministic: entries sorted by path, every mtime the given epoch, uid/gid 0 with no
// user/group names, modes normalised (0644 files, 0755 directories and executables), pax
// "restricted" format (extended headers only for long names), and a gzip header without a
// timestamp or file name. Same entries → same bytes.
//
// Reading writes through libarchive's `archive_write_disk`, which refuses `..` components
// (SECURE_NODOTDOT) and any path through a symbolic link, in the archive or already on disk
// (SECURE_SYMLINKS; a link that is an entry's last component is replaced, not followed), and
// never writes over an existing file (NO_OVERWRITE); it sets no owner, time or special bits. Entries are handed to it under the destination's real path, which is
// absolute, so SECURE_NOABSOLUTEPATHS cannot apply: an absolute entry name is refused before.
// Bundles hold regular files and directories only: links of any kind (a hard link's target is
// not checked against the destination) and devices are refused too.

import Basics
import CArchive
import FoundationEssentials
import Glibc
import Specs

public struct ArchiveEntry: Sendable {
    public enum Content: Sendable {
        case bytes([UInt8])
        case file(String)
    }
    public let path: String
    public let content: Content
    public let executable: Bool

    public init(path: String, content: Content, executable: Bool = false) {
        self.path = path
        self.content = content
        self.executable = executable
    }
}

public struct ArchiveError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

public enum TarArchive {
    /// Writes `entries` (and their parent directories) as a gzip-compressed tar at `path`.
    public static func write(_ entries: [ArchiveEntry], to path: String, epoch: Int, root: String) throws(ArchiveError)
    {
        guard let archive = mlenv_archive_write_new() else {
            throw ArchiveError(
                message: mlenv_archive_load_error().map { String(cString: $0) } ?? "libarchive could not start")
        }
        defer { mlenv_archive_write_free(archive) }
        mlenv_archive_write_set_format_pax_restricted(archive)
        mlenv_archive_write_add_filter_gzip(archive)
        // No timestamp (and no name) in the gzip header.
        mlenv_archive_write_set_filter_option(archive, "gzip", "timestamp", nil)
        mlenv_archive_write_set_bytes_in_last_block(archive, 1)
        guard mlenv_archive_write_open_filename(archive, path) == ARCHIVE_OK else {
            throw ArchiveError(message: "cannot write \(path): \(String(cString: mlenv_archive_error_text(archive)))")
        }
        var directories = Set<String>()
        var all: [(String, ArchiveEntry?)] = []
        for entry in entries {
            let full = root.isEmpty ? entry.path : root + "/" + entry.path
            var parent = full
            while let slash = parent.lastIndex(of: "/") {
                parent = String(parent[..<slash])
                if directories.insert(parent).inserted { all.append((parent, nil)) }
            }
            if !root.isEmpty, directories.insert(root).inserted { all.append((root, nil)) }
            all.append((full, entry))
        }
        all.sort { $0.0 < $1.0 }
        for (name, entry) in all {
            guard let header = mlenv_archive_entry_new() else {
                throw ArchiveError(message: "libarchive could not allocate an entry")
            }
            defer { mlenv_archive_entry_free(header) }
            mlenv_archive_entry_set_pathname(header, entry == nil ? name + "/" : name)
            mlenv_archive_entry_set_mtime(header, time_t(epoch), 0)
            mlenv_archive_entry_set_uid(header, 0)
            mlenv_archive_entry_set_gid(header, 0)
            guard let entry else {
                mlenv_archive_entry_set_filetype(header, 0o040000)  // AE_IFDIR
                mlenv_archive_entry_set_perm(header, 0o755)
                mlenv_archive_entry_set_size(header, 0)
                guard mlenv_archive_write_header(archive, header) == ARCHIVE_OK else { throw failure(archive, name) }
                continue
            }
            mlenv_archive_entry_set_filetype(header, 0o100000)  // AE_IFREG
            mlenv_archive_entry_set_perm(header, entry.executable ? 0o755 : 0o644)
            switch entry.content {
            case .bytes(let bytes):
                mlenv_archive_entry_set_size(header, la_int64_t(bytes.count))
                guard mlenv_archive_write_header(archive, header) == ARCHIVE_OK else { throw failure(archive, name) }
                let written = bytes.withUnsafeBytes { mlenv_archive_write_data(archive, $0.baseAddress, $0.count) }
                guard written == bytes.count else { throw failure(archive, name) }
            case .file(let source):
                guard let file = OpenFile(readingAtPath: source),
                    let size = (try? FileManager.default.attributesOfItem(atPath: source))?[.size] as? UInt
                else {
                    throw ArchiveError(message: "cannot read \(source)")
                }
                mlenv_archive_entry_set_size(header, la_int64_t(size))
                guard mlenv_archive_write_header(archive, header) == ARCHIVE_OK else { throw failure(archive, name) }
                var total: Int64 = 0
                while true {
                    guard let chunk = file.read(upTo: 1 << 20) else {
                        throw ArchiveError(message: "cannot read \(source)")
                    }
                    if chunk.isEmpty { break }
                    let n = chunk.withUnsafeBytes { mlenv_archive_write_data(archive, $0.baseAddress, $0.count) }
                    guard n == chunk.count else { throw failure(archive, name) }
                    total += Int64(n)
                }
                guard total == Int64(size) else {
                    throw ArchiveError(message: "\(source) changed while it was archived")
                }
            }
        }
        guard mlenv_archive_write_close(archive) == ARCHIVE_OK else { throw failure(archive, path) }
    }

    private static func failure(_ archive: OpaquePointer, _ name: String) -> ArchiveError {
        ArchiveError(
            message: "cannot write \(name) into the archive: \(String(cString: mlenv_archive_error_text(archive)))")
    }

    /// Extracts a tar(.gz) into `destination`, refusing any entry that could escape it.
    /// Extraction stops past `maximumExpansionBase` + `maximumExpansionRatio` × the archive's size.
    static let maximumExpansionBase = 64 << 20
    static let maximumExpansionRatio = 16
    /// Entries a bundle may hold (a model's files and one per package: thousands at most).
    static let maximumEntries = 50_000

    public static func extract(_ path: String, into destination: String) throws(ArchiveError) {
        guard let archive = mlenv_archive_read_new() else {
            throw ArchiveError(
                message: mlenv_archive_load_error().map { String(cString: $0) } ?? "libarchive could not start")
        }
        defer { mlenv_archive_read_free(archive) }
        mlenv_archive_read_support_format_tar(archive)
        mlenv_archive_read_support_format_gnutar(archive)
        mlenv_archive_read_support_filter_gzip(archive)
        mlenv_archive_read_support_filter_none(archive)
        guard mlenv_archive_read_open_filename(archive, path, 1 << 16) == ARCHIVE_OK else {
            throw ArchiveError(
                message: "\(path) is not a readable tar archive: \(String(cString: mlenv_archive_error_text(archive)))")
        }
        // The destination's real path: SECURE_SYMLINKS checks every component of the paths it
        // is given, so a destination reached through a link (a linked TMPDIR) would refuse all.
        guard mkdir(destination, 0o755) == 0 || errno == EEXIST, let resolved = realpath(destination, nil) else {
            throw ArchiveError(message: "cannot create \(destination): \(String(cString: strerror(errno)))")
        }
        let root = String(cString: resolved)
        free(resolved)
        guard let disk = mlenv_archive_write_disk_new() else {
            throw ArchiveError(message: "libarchive could not start")
        }
        defer { mlenv_archive_write_free(disk) }
        mlenv_archive_write_disk_set_options(
            disk, ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_NO_OVERWRITE)

        // A bundle's files are mostly wheels and conda packages, compressed already: it expands
        // to a few times its size. Anything past this is refused as a decompression bomb.
        var info = stat()
        let compressed = stat(path, &info) == 0 ? Int(info.st_size) : 0
        let cap = maximumExpansionBase + maximumExpansionRatio * compressed
        var written = 0
        var entries = 0
        var entry: OpaquePointer?
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        // NO_OVERWRITE keeps the first of two entries with one name, silently: said here instead.
        var seen: Set<String> = []
        while true {
            let status = mlenv_archive_read_next_header(archive, &entry)
            if status == ARCHIVE_EOF { break }
            guard status == ARCHIVE_OK || status == ARCHIVE_WARN else {
                throw ArchiveError(message: "\(path): \(String(cString: mlenv_archive_error_text(archive)))")
            }
            // Every entry counts its 512-byte header, and there are at most `maximumEntries`: a
            // million empty files compress to little and would each become a file here.
            written += 512
            entries += 1
            guard written <= cap, entries <= maximumEntries else {
                throw ArchiveError(
                    message: entries > maximumEntries
                        ? "\(path) holds more than \(maximumEntries) entries (a bundle holds a model and its packages): refusing it as a decompression bomb"
                        : "\(path) expands to more than \(cap >> 20) MB, over \(maximumExpansionRatio) times its size: refusing it as a decompression bomb"
                )
            }
            let name = mlenv_archive_entry_pathname(entry).map { String(cString: $0) } ?? ""
            let type = mlenv_archive_entry_filetype(entry)
            try checkKind(name, type: type, hardlink: mlenv_archive_entry_hardlink(entry) != nil, archivePath: path)
            guard seen.insert(name).inserted || type == 0o040000 else {
                throw ArchiveError(message: "\(path): refusing the entry '\(name)': the archive holds it twice")
            }
            mlenv_archive_entry_set_pathname(entry, root + "/" + name)
            mlenv_archive_entry_set_perm(
                entry, type == 0o040000 || mlenv_archive_entry_perm(entry) & 0o111 != 0 ? 0o755 : 0o644)
            guard mlenv_archive_write_header(disk, entry) == ARCHIVE_OK else {
                throw ArchiveError(
                    message: "\(path): refusing the entry '\(name)': \(String(cString: mlenv_archive_error_text(disk)))"
                )
            }
            while type == 0o100000 {
                let n = buffer.withUnsafeMutableBytes { mlenv_archive_read_data(archive, $0.baseAddress, $0.count) }
                if n < 0 { throw ArchiveError(message: "\(path): cannot read \(name)") }
                if n == 0 { break }
                written += n
                guard written <= cap else {
                    throw ArchiveError(
                        message:
                            "\(path) expands to more than \(cap >> 20) MB, over \(maximumExpansionRatio) times its size: refusing it as a decompression bomb"
                    )
                }
                guard buffer.withUnsafeBytes({ mlenv_archive_write_data(disk, $0.baseAddress, n) }) == n else {
                    throw ArchiveError(
                        message: "cannot write \(root)/\(name): \(String(cString: mlenv_archive_error_text(disk)))")
                }
            }
            guard mlenv_archive_write_finish_entry(disk) == ARCHIVE_OK else {
                throw ArchiveError(
                    message: "cannot write \(root)/\(name): \(String(cString: mlenv_archive_error_text(disk)))")
            }
        }
        guard mlenv_archive_write_close(disk) == ARCHIVE_OK else {
            throw ArchiveError(message: "cannot finish \(root): \(String(cString: mlenv_archive_error_text(disk)))")
        }
    }

    /// What a bundle may hold beyond what libarchive checks: a relative name (see the header),
    /// and regular files and directories only.
    static func checkKind(_ name: String, type: UInt32, hardlink: Bool, archivePath: String) throws(ArchiveError) {
        if name.isEmpty || name.hasPrefix("/") {
            throw ArchiveError(
                message:
                    "\(archivePath): refusing the entry '\(name)': an absolute path would be written outside the bundle"
            )
        }
        guard type == 0o100000 || type == 0o040000, !hardlink else {
            throw ArchiveError(
                message:
                    "\(archivePath): refusing the entry '\(name)': bundles hold only regular files and directories (no links or devices)"
            )
        }
    }
}
