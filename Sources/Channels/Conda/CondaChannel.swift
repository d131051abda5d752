// A conda channel in standard layout: `<channel>/<subdir>/repodata.json` (or `.json.zst`,
// `.json.bz2`, `.json.gz`). A channel is named by a directory path or a `file://` URL; its
// name (for `channel::name` specs and strict priority) is the last path component.

import FoundationEssentials
import Glibc
import JSON
import Specs

public struct ChannelError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct CondaChannel: Hashable, Sendable, CustomStringConvertible {
    public let name: String
    /// Directory path (for local channels) or URL without a trailing slash.
    public let location: String

    public var isLocal: Bool { !location.containsLiteral("://") }

    /// Remote channels are read through a local mirror for now.
    func requireLocal() throws(ChannelError) {
        guard isLocal else {
            throw ChannelError("channel \(location): remote conda channels are read through `mlenv mirror` (make a local mirror first)")
        }
    }

    /// `path/to/conda-forge`, `file:///srv/mirror/conda-forge`, `https://host/conda-forge`.
    public init(_ text: String) {
        var location = text
        if location.hasPrefix("file://") {
            location = String(location.dropFirst("file://".count))
            location = PercentEncoding.decoded(location) ?? location
        }
        while location.count > 1 && location.hasSuffix("/") { location.removeLast() }
        self.location = location
        self.name = location.split(separator: "/").last.map(String.init) ?? location
    }

    public var description: String { name }

    /// Records of one subdir, from the binary cache under `cacheDirectory` when it matches the
    /// repodata file (by path, size and modification time), else parsed and then cached. A
    /// missing subdir is empty (conda-forge has no `noarch` in some mirrors); a present but
    /// unreadable or malformed repodata is an error.
    func subdirRecords(subdir: String, cacheDirectory: String?) throws(ChannelError) -> CondaSubdirRecords {
        try requireLocal()
        let path = repodataPath(subdir: subdir)
        let file = cacheDirectory.flatMap { directory in path.flatMap(CondaSubdirRecords.cacheKey).map { "\(directory)/\($0).bin" } }
        let parse = { () throws(ChannelError) -> CacheImage in
            let table = try self.table(subdir: subdir, path: path)
            let bytes = CacheImage.write(table)
            if let file { try? FileBytes.writeAtomically(bytes, to: file) }
            guard let image = CacheImage(ImageBytes(copying: bytes)) else { throw ChannelError("internal error: a channel cache image does not read back") }
            return image
        }
        if let file, let records = CondaSubdirRecords.make(image: ImageBytes(mapping: file).flatMap(CacheImage.init),
                                                           channel: name, channelLocation: location, reparse: parse) {
            return records
        }
        guard let records = CondaSubdirRecords.make(image: try parse(), channel: name, channelLocation: location, reparse: parse) else {
            throw ChannelError("internal error: a channel cache image has no sound name table")
        }
        return records
    }

    func repodataPath(subdir: String) -> String? {
        let base = "\(location)/\(subdir)/repodata.json"
        return ["", ".zst", ".bz2", ".gz", ".xz"].map { base + $0 }.first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Every record of one subdir, in the order of repodata.json.
    public func records(subdir: String) throws(ChannelError) -> [CondaRecord] {
        try requireLocal()
        return try table(subdir: subdir, path: repodataPath(subdir: subdir)).condaRecords(channel: name, channelLocation: location)
    }

    /// One subdir's repodata parsed into a table (empty when the subdir has none). A plain file
    /// is mapped and read in one pass, its pages handed back as the pass leaves them, so memory
    /// holds the table, not the document; a compressed one is decompressed into memory first.
    private func table(subdir: String, path: String?) throws(ChannelError) -> RepodataTable {
        guard let path else { return RepodataTable() }
        if !["gz", "bz2", "xz", "zst"].contains(where: { path.hasSuffix("." + $0) }), let mapped = ImageBytes(mapping: path) {
            let bytes = UnsafeBufferPointer(start: mapped.base.assumingMemoryBound(to: UInt8.self), count: mapped.count)
            var released = 0
            let step = 64 << 20
            return try withExtendedLifetime(mapped) { () throws(ChannelError) -> RepodataTable in
                try RepodataScanner.parse(bytes, subdir: subdir, path: path) { offset in
                    guard offset - released >= step else { return }
                    let end = offset & ~(Int(getpagesize()) - 1)
                    madvise(UnsafeMutableRawPointer(mutating: mapped.base + released), end - released, MADV_DONTNEED)
                    released = end
                }
            }
        }
        let bytes: [UInt8]
        do { bytes = try FileBytes.read(path) } catch { throw ChannelError(error.description) }
        return try bytes.withUnsafeBufferPointer { buffer throws(ChannelError) in
            try RepodataScanner.parse(buffer, subdir: subdir, path: path)
        }
    }
}

