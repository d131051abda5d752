// A wheel's METADATA read over HTTP range requests, for indexes without PEP 658 metadata files
// (the technique pip's `fast-deps` and uv use): fetch the zip's tail, find the central
// directory entry of `<name>.dist-info/METADATA`, fetch just that entry's local header and data,
// and let libarchive's streaming zip reader inflate it. A 500 MB wheel costs a few KiB.

import CArchive
import Dispatch

enum RemoteWheelMetadata {
    static func fetch(_ url: String, client: HTTPClient) async throws(ChannelError) -> CoreMetadata {
        // The requests block: on a dispatch thread, never a Swift concurrency one.
        let result: Result<[UInt8], ChannelError> = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                do throws(ChannelError) {
                    continuation.resume(returning: .success(try fetchBytes(url, client: client)))
                } catch {
                    continuation.resume(returning: .failure(error))
                }
            }
        }
        let bytes = try result.get()
        do {
            return try CoreMetadata(parsing: String(decoding: bytes, as: UTF8.self))
        } catch {
            throw ChannelError("\(URLText.redacted(url)): METADATA: \(error.message)")
        }
    }

    /// The METADATA file's bytes.
    /// The METADATA file's bytes, fetched on this thread.
    static func fetchBytes(_ url: String, client: HTTPClient) throws(ChannelError) -> [UInt8] {
        let tail = try get(url, range: "bytes=-65536", client: client)
        guard let eocd = lastIndex(of: 0x0605_4b50, in: tail, minimumTail: 22) else {
            throw ChannelError("\(url): no zip end-of-central-directory record in the last 64 KiB")
        }
        // The file's total length is unknown; offsets in the tail are relative to its start.
        var directoryOffset = Int(readUInt32(tail, eocd + 16))
        var directorySize = Int(readUInt32(tail, eocd + 12))
        if directoryOffset == 0xFFFF_FFFF || directorySize == 0xFFFF_FFFF, eocd >= 20,
            readUInt32(tail, eocd - 20) == 0x0706_4b50
        {
            let zip64Offset = Int(readUInt64(tail, eocd - 20 + 8))
            let record = try get(url, range: "bytes=\(zip64Offset)-\(zip64Offset + 55)", client: client)
            guard record.count >= 56, readUInt32(record, 0) == 0x0606_4b50 else {
                throw ChannelError("\(url): bad zip64 record")
            }
            directorySize = Int(readUInt64(record, 40))
            directoryOffset = Int(readUInt64(record, 48))
        }
        // The central directory ends right before the EOCD, or, when a zip64 end record and
        // locator sit in between (some builders, flit among them, write them even when every
        // offset fits in 32 bits), right before the zip64 end record.
        var directoryEnd = eocd
        if eocd >= 20 + 56, readUInt32(tail, eocd - 20) == 0x0706_4b50, readUInt32(tail, eocd - 20 - 56) == 0x0606_4b50
        {
            directoryEnd = eocd - 20 - 56
        }
        let directory: [UInt8]
        if directoryEnd >= directorySize {
            directory = Array(tail[(directoryEnd - directorySize)..<directoryEnd])
        } else {
            directory = try get(
                url, range: "bytes=\(directoryOffset)-\(directoryOffset + directorySize - 1)", client: client)
        }
        guard let entry = findMetadataEntry(in: directory) else {
            throw ChannelError("\(url): no .dist-info/METADATA in the wheel's central directory")
        }
        // The dist-info files are usually the archive's last: METADATA often lies in the tail
        // already fetched (its start in the file is known once the directory's is).
        if directoryEnd >= directorySize {
            let tailStart = directoryOffset - (directoryEnd - directorySize)
            let t = entry.localHeaderOffset - tailStart
            if t >= 0, t + 30 <= tail.count, readUInt32(tail, t) == 0x0403_4b50 {
                let dataEnd =
                    t + 30 + Int(readUInt16(tail, t + 26)) + Int(readUInt16(tail, t + 28)) + entry.compressedSize
                if dataEnd <= tail.count {
                    return try inflate(Array(tail[t..<min(dataEnd + 24, tail.count)]), url: url)
                }
            }
        }
        // Local header (30 bytes + name + extra, whose length may differ from the central one),
        // the compressed data, and room for a data descriptor.
        let end = entry.localHeaderOffset + 30 + entry.nameLength + 65_535 + entry.compressedSize + 24
        var local = try get(
            url, range: "bytes=\(entry.localHeaderOffset)-\(min(end, directoryOffset) - 1)", client: client)
        guard local.count >= 30, readUInt32(local, 0) == 0x0403_4b50 else {
            throw ChannelError("\(url): bad zip local header")
        }
        let localNameLength = Int(readUInt16(local, 26))
        let localExtraLength = Int(readUInt16(local, 28))
        let dataEnd = 30 + localNameLength + localExtraLength + entry.compressedSize + 24
        if local.count > dataEnd { local = Array(local[0..<dataEnd]) }
        return try inflate(local, url: url)
    }

    struct Entry {
        let localHeaderOffset: Int
        let compressedSize: Int
        let nameLength: Int
    }

    static func findMetadataEntry(in directory: [UInt8]) -> Entry? {
        var i = 0
        while i + 46 <= directory.count, readUInt32(directory, i) == 0x0201_4b50 {
            var compressed = Int(readUInt32(directory, i + 20))
            let uncompressed = Int(readUInt32(directory, i + 24))
            let nameLength = Int(readUInt16(directory, i + 28))
            let extraLength = Int(readUInt16(directory, i + 30))
            let commentLength = Int(readUInt16(directory, i + 32))
            var offset = Int(readUInt32(directory, i + 42))
            guard i + 46 + nameLength + extraLength <= directory.count else { return nil }
            let name = String(decoding: directory[(i + 46)..<(i + 46 + nameLength)], as: UTF8.self)
            let parts = name.split(separator: "/")
            if parts.count == 2, parts[0].hasSuffix(".dist-info"), parts[1] == "METADATA" {
                // zip64 extra field: the 8-byte values of those fields that are 0xFFFFFFFF, in order.
                var e = i + 46 + nameLength
                let extraEnd = e + extraLength
                while e + 4 <= extraEnd {
                    let id = readUInt16(directory, e)
                    let size = Int(readUInt16(directory, e + 2))
                    if id == 0x0001 {
                        var p = e + 4
                        if uncompressed == 0xFFFF_FFFF { p += 8 }
                        if compressed == 0xFFFF_FFFF, p + 8 <= extraEnd {
                            compressed = Int(readUInt64(directory, p))
                            p += 8
                        }
                        if offset == 0xFFFF_FFFF, p + 8 <= extraEnd { offset = Int(readUInt64(directory, p)) }
                    }
                    e += 4 + size
                }
                return Entry(localHeaderOffset: offset, compressedSize: compressed, nameLength: nameLength)
            }
            i += 46 + nameLength + extraLength + commentLength
        }
        return nil
    }

    /// Inflates one zip entry (local header + data) with libarchive's streaming reader.
    static func inflate(_ bytes: [UInt8], url: String) throws(ChannelError) -> [UInt8] {
        // libarchive reads from the buffer until the archive is freed, so it needs its own copy.
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 1)
        defer { storage.deallocate() }
        storage.copyBytes(from: bytes)
        guard let archive = mlenv_archive_read_new() else {
            throw ChannelError(mlenv_archive_load_error().map { String(cString: $0) } ?? "libarchive could not start")
        }
        defer { mlenv_archive_read_free(archive) }
        mlenv_archive_read_support_format_zip_streamable(archive)
        let opened = mlenv_archive_read_open_memory(archive, storage.baseAddress, bytes.count)
        guard opened == ARCHIVE_OK else { throw ChannelError("\(url): cannot read the METADATA entry") }
        do {
            var entry: OpaquePointer?
            guard mlenv_archive_read_next_header(archive, &entry) == ARCHIVE_OK else {
                throw ChannelError("\(url): cannot read the METADATA entry header")
            }
            var out: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { mlenv_archive_read_data(archive, $0.baseAddress, $0.count) }
                if n < 0 { throw ChannelError("\(url): cannot inflate METADATA") }
                if n == 0 { break }
                out.append(contentsOf: buffer[0..<n])
                if out.count > 16 << 20 { throw ChannelError("\(url): METADATA is larger than 16 MiB") }
            }
            return out
        }
    }

    private static func get(_ url: String, range: String, client: HTTPClient) throws(ChannelError) -> [UInt8] {
        let response: HTTPResponse
        do throws(HTTPError) { response = try client.fetch(url, range: range) } catch {
            throw ChannelError("cannot fetch part of \(url): \(error.reason)")
        }
        guard response.status == 206 || response.status == 200 else {
            throw ChannelError("\(url): HTTP \(response.status) for a range request")
        }
        return response.body
    }

    static func lastIndex(of signature: UInt32, in bytes: [UInt8], minimumTail: Int) -> Int? {
        var i = bytes.count - minimumTail
        while i >= 0 {
            if readUInt32(bytes, i) == signature { return i }
            i -= 1
        }
        return nil
    }

    static func readUInt16(_ b: [UInt8], _ i: Int) -> UInt16 {
        guard i + 2 <= b.count, i >= 0 else { return 0 }
        return UInt16(b[i]) | UInt16(b[i + 1]) << 8
    }

    static func readUInt32(_ b: [UInt8], _ i: Int) -> UInt32 {
        guard i + 4 <= b.count, i >= 0 else { return 0 }
        return UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    static func readUInt64(_ b: [UInt8], _ i: Int) -> UInt64 {
        UInt64(readUInt32(b, i)) | UInt64(readUInt32(b, i + 4)) << 32
    }
}
