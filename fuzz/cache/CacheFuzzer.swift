// libFuzzer harness for the cache readers of the Channels module: the conda record cache
// (MLENVCR5, also the format of shard tables), the PyPI page cache (MLENVPP5), HTTP cache meta
// files, and the MessagePack decoder with the shard-to-repodata step after it. Built by
// fuzz/cache/build.sh, which compiles the package's Channels module (and what it imports) with
// SwiftPM under the fuzzer and AddressSanitizer and links this file against those objects;
// `@testable import` reaches the internal readers. The target is chosen with CACHE_FUZZ_TARGET.
//
// Every cache file carries checksums, so most mutations would only ever test the checksum.
// Each target therefore also reads the input *beneath* the checksum:
// - records: the input is a whole cache file. It is read as mlenv reads it (checksums checked);
//   then its body (the length the header gives, cut or zero-padded) is sealed again with fresh
//   block checksums and read, and read once more as a trusted image (no checksums at all). The
//   resealed and trusted reads must agree on whether the image is sound and on every record.
// - pages: the input is a page cache file without its checksum; it is sealed and read
//   (ProjectPageCache.read), then every file and release version decoded. The raw input is
//   also read as a sealed file.
// - http: the input is a meta file (HTTPCacheEntry(parsing:)); a parsed entry's body path stays
//   in its folder and it serializes to a meta file that parses back the same.
// - msgpack: MessagePack.decode; a decoded shard becomes repodata.json text
//   (ShardedSubdir.repodataJSON) that must be valid JSON, and is read by RepodataScanner.
// Never trap, under any input.

import Glibc
import JSON
import Specs
@testable import Channels

let fuzzTarget: String = {
    guard let raw = getenv("CACHE_FUZZ_TARGET") else { return "all" }
    return String(cString: raw)
}()

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError("invariant failed: " + message()) }
}

let scratch: String = {
    var template = Array("/tmp/cache-fuzz-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { fatalError("mkdtemp failed") }
    return String(cString: made)
}()

func writeFile(_ bytes: [UInt8], _ path: String) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard fd >= 0 else { fatalError("cannot write \(path)") }
    var offset = 0
    while offset < bytes.count {
        let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { fatalError("write failed") }
        offset += n
    }
    close(fd)
}

// MARK: Conda record cache

/// Every record of every name, as comparable text; nil when the image is refused.
func readRecords(_ image: CacheImage?) -> [String]? {
    guard let records = CondaSubdirRecords.make(image: image, channel: "fuzz", channelLocation: "file:///fuzz",
                                                reparse: { () throws(ChannelError) -> CacheImage in throw ChannelError("no source") }) else { return nil }
    var out: [String] = []
    for name in records.names.sorted() {
        for r in records.records(named: name) {
            out.append([r.name, r.filename, r.versionText, r.version.normalized, r.build, String(r.buildNumber), r.subdir,
                        r.depends.joined(separator: ","), r.constrains.joined(separator: ","), r.trackFeatures.joined(separator: ","),
                        r.noarch ?? "-", r.md5 ?? "-", r.sha256 ?? "-", r.license ?? "-", r.purls.joined(separator: ","),
                        r.timestamp.map { String($0) } ?? "-", r.size.map { String($0) } ?? "-", r.url, r.distName].joined(separator: "|"))
            _ = r.pypiNamesFromPurls
        }
    }
    return out
}

func fuzzRecords(_ bytes: [UInt8]) {
    // As mlenv reads a cache file.
    _ = readRecords(CacheImage(ImageBytes(copying: bytes)))

    // Beneath the checksums: the body the header describes, sealed again.
    guard bytes.count >= 32 else { return }
    func u32(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24 }
    let strings = u32(8), blob = u32(12), lists = u32(16), items = u32(20), names = u32(24), records = u32(28)
    let body = 32 + (strings + 1) * 4 + blob + (lists + 1) * 4 + items * 4 + names * 12 + records * CacheImage.recordSize
    guard body <= bytes.count + (1 << 20) else { return }
    var image = Array(bytes.prefix(body))
    if image.count < body { image += [UInt8](repeating: 0, count: body - image.count) }
    image += CacheBlocks.table(for: image)
    let resealed = readRecords(CacheImage(ImageBytes(copying: image)))
    let trusted = readRecords(CacheImage(ImageBytes(copying: image), trusted: true))
    check(resealed == trusted, "resealed and trusted reads disagree (\(resealed?.count ?? -1) vs \(trusted?.count ?? -1) records)")
}

// MARK: PyPI page cache

let pageFile = scratch + "/page.bin"

func readPage(_ file: String) {
    guard let files = ProjectPageCache.read(file, project: NormalizedName("fuzz-project")) else { return }
    for r in files.releases.indices { _ = files.version(ofRelease: r) }
    for i in 0..<files.count { _ = files.file(i).filename }
    let project = files.project
    _ = project.releases.count
}

func fuzzPages(_ bytes: [UInt8]) {
    writeFile(CacheChecksum.sealed(bytes), pageFile)
    readPage(pageFile)
    writeFile(bytes, pageFile)
    readPage(pageFile)
}

// MARK: HTTP cache meta files

func fuzzHTTP(_ bytes: [UInt8]) {
    let folder = scratch + "/http"
    guard let entry = HTTPCacheEntry(parsing: String(decoding: bytes, as: UTF8.self), folder: folder) else { return }
    if let body = entry.bodyPath {
        check(body.hasPrefix(folder + "/") && !body.dropFirst(folder.count + 1).contains("/"), "body path \(body) outside its folder")
    }
    _ = entry.isFresh(at: 0)
    _ = entry.isFresh(at: Int64.max)
    _ = entry.isFresh(at: Int64.min)
    let again = HTTPCacheEntry(parsing: entry.serialized, folder: folder)
    check(again?.serialized == entry.serialized, "a serialized entry does not parse back the same")
}

// MARK: MessagePack and shards

func fuzzMessagePack(_ bytes: [UInt8]) {
    guard let value = try? MessagePack.decode(bytes) else { return }
    _ = value == value
    let json = Array(ShardedSubdir.repodataJSON(value, subdir: "linux-64").utf8)
    json.withUnsafeBufferPointer { buffer in
        do {
            _ = try JSONParser.parse(buffer)
        } catch {
            fatalError("repodataJSON wrote invalid JSON: \(error)")
        }
        if let table = try? RepodataScanner.parse(buffer, subdir: "linux-64", path: "fuzz") {
            _ = table.condaRecords(channel: "fuzz", channelLocation: "file:///fuzz")
            let image = CacheImage.write(table)
            _ = readRecords(CacheImage(ImageBytes(copying: image)))
            // fuzz/cache/build.sh's seeds for the records target are these images.
            if let directory = getenv("CACHE_FUZZ_WRITE_IMAGES") {
                writeFile(image, String(cString: directory) + "/records-\(image.count)-\(CacheChecksum.of(image) % 100_000)")
            }
        }
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    switch fuzzTarget {
    case "records": fuzzRecords(bytes)
    case "pages": fuzzPages(bytes)
    case "http": fuzzHTTP(bytes)
    case "msgpack": fuzzMessagePack(bytes)
    default:
        fuzzRecords(bytes)
        fuzzPages(bytes)
        fuzzHTTP(bytes)
        fuzzMessagePack(bytes)
    }
    return 0
}
