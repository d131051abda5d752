// Reading a wheel's METADATA with libarchive (the only file in Channels that calls it).
// A wheel is a zip whose top level holds exactly one `{name}-{version}.dist-info/` directory.

import CArchive

enum WheelArchive {
    static func metadata(path: String) throws(ChannelError) -> CoreMetadata {
        guard let archive = mlenv_archive_read_new() else { throw ChannelError("\(path): \(mlenv_archive_load_error().map { String(cString: $0) } ?? "libarchive could not start")") }
        defer { mlenv_archive_read_free(archive) }
        mlenv_archive_read_support_format_zip(archive)
        guard mlenv_archive_read_open_filename(archive, path, 1 << 16) == ARCHIVE_OK else {
            throw ChannelError("\(path): not a readable zip archive (\(String(cString: mlenv_archive_error_text(archive))))")
        }
        var entry: OpaquePointer?
        while mlenv_archive_read_next_header(archive, &entry) == ARCHIVE_OK {
            guard let cName = mlenv_archive_entry_pathname(entry) else { continue }
            let name = String(cString: cName)
            let parts = name.split(separator: "/")
            guard parts.count == 2, parts[0].hasSuffix(".dist-info"), parts[1] == "METADATA" else {
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
                if bytes.count > 16 << 20 { throw ChannelError("\(path): \(name) is larger than 16 MiB") }
            }
            do {
                return try CoreMetadata(parsing: String(decoding: bytes, as: UTF8.self))
            } catch {
                throw ChannelError("\(path): \(name): \(error.message)")
            }
        }
        throw ChannelError("\(path): no .dist-info/METADATA inside the wheel")
    }
}
