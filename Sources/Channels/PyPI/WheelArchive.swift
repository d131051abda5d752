// Reading one member of a package archive with libarchive (the only file in Channels that
// calls it): a wheel's METADATA (a zip whose top level holds exactly one
// `{name}-{version}.dist-info/` directory), an sdist's PKG-INFO (a .tar.gz or .zip whose top
// level is one `{name}-{version}/` directory).

import CArchive

enum WheelArchive {
    static func metadata(path: String) throws(ChannelError) -> CoreMetadata {
        let matching = { (parts: [Substring]) in
            parts.count == 2 && parts[0].hasSuffix(".dist-info") && parts[1] == "METADATA"
        }
        guard let bytes = try ArchiveMember.read(path: path, limit: 16 << 20, zipOnly: true, matching: matching) else {
            throw ChannelError("\(path): no .dist-info/METADATA inside the wheel")
        }
        do {
            return try CoreMetadata(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ChannelError("\(path): METADATA: \(error.message)")
        }
    }
}

enum ArchiveMember {
    /// The bytes of the first member whose path (split at `/`) `matching` accepts, nil when
    /// none does. Members over `limit` bytes are an error; zip, tar and gzipped tar are read
    /// (zip only with `zipOnly`).
    static func read(path: String, limit: Int, zipOnly: Bool = false, matching: ([Substring]) -> Bool)
        throws(ChannelError) -> [UInt8]?
    {
        guard let archive = mlenv_archive_read_new() else {
            throw ChannelError(
                "\(path): \(mlenv_archive_load_error().map { String(cString: $0) } ?? "libarchive could not start")")
        }
        defer { mlenv_archive_read_free(archive) }
        mlenv_archive_read_support_format_zip(archive)
        if !zipOnly {
            mlenv_archive_read_support_format_tar(archive)
            mlenv_archive_read_support_format_gnutar(archive)
            mlenv_archive_read_support_filter_gzip(archive)
            mlenv_archive_read_support_filter_none(archive)
        }
        guard mlenv_archive_read_open_filename(archive, path, 1 << 16) == ARCHIVE_OK else {
            throw ChannelError(
                "\(path): not a readable \(zipOnly ? "zip " : "")archive (\(String(cString: mlenv_archive_error_text(archive))))"
            )
        }
        var entry: OpaquePointer?
        while mlenv_archive_read_next_header(archive, &entry) == ARCHIVE_OK {
            guard let cName = mlenv_archive_entry_pathname(entry) else { continue }
            let name = String(cString: cName)
            let parts = name.split(separator: "/")
            guard matching(parts) else {
                mlenv_archive_read_data_skip(archive)
                continue
            }
            var bytes: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { mlenv_archive_read_data(archive, $0.baseAddress, $0.count) }
                if n < 0 { throw ChannelError("\(path): cannot read \(name) from the archive") }
                if n == 0 { break }
                bytes.append(contentsOf: buffer[0..<n])
                if bytes.count > limit { throw ChannelError("\(path): \(name) is larger than \(limit >> 20) MiB") }
            }
            return bytes
        }
        return nil
    }
}
