// A whole model directory from the tracking server's artifact proxy (`mlenv package` of a model
// URI): the listing walked recursively, every file streamed to disk. The server is not trusted:
// - every listed name must be a base name (no `/`, `.`, `..`, backslash or control character)
//   and appear once per directory, so nothing lands outside the target directory;
// - the walk is bounded in depth, in entries (files and directories) and in total bytes: a file
//   may be no larger than what is left of the byte budget, whatever size the listing claims;
// - files are created in a directory this process just made, never replacing anything.

import Basics
import FoundationEssentials
import Glibc
import JSON

/// Bounds on a model directory fetched from a server.
public struct ArtifactTreeLimits: Hashable, Sendable {
    public var maxEntries: Int
    public var maxBytes: UInt64
    public var maxDepth: Int

    public init(maxEntries: Int = 10_000, maxBytes: UInt64 = 20 << 30, maxDepth: Int = 32) {
        self.maxEntries = maxEntries
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }
}

/// What a tree download wrote.
public struct ArtifactTreeSummary: Hashable, Sendable {
    public var files = 0
    public var directories = 0
    public var bytes: UInt64 = 0
}

extension MLflowRegistry {
    /// One level of the artifact proxy's listing, with the sizes the server claims.
    public func listWithSizes(_ path: String, for uri: MLflowModelURI) throws(ChannelError) -> [(
        name: String, isDirectory: Bool, size: UInt64?
    )] {
        let answer = try api("/api/2.0/mlflow-artifacts/artifacts", ["path": path], for: uri)
        guard case .array(let files)? = answer["files"] else { return [] }
        var entries: [(name: String, isDirectory: Bool, size: UInt64?)] = []
        var seen = Set<String>()
        for case .object(let file) in files {
            guard case .string(let listed)? = file["path"] else { continue }
            // The proxy lists base names; some stores give the path from the root instead.
            let name = listed.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? listed
            let expected = path.isEmpty ? name : path + "/" + name
            guard listed == name || listed == expected else {
                throw ChannelError("\(uri): the tracking server listed '\(listed.prefix(200))' under '\(path)'")
            }
            guard !name.isEmpty, name != ".", name != "..", !name.contains("\\"), name.utf8.count <= 255,
                !name.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw ChannelError(
                    "\(uri): the tracking server listed '\(name.prefix(200))' under '\(path)', not a plain file name")
            }
            guard seen.insert(name).inserted else {
                throw ChannelError("\(uri): the tracking server listed '\(name)' twice under '\(path)'")
            }
            var isDirectory = false
            if case .bool(true)? = file["is_dir"] { isDirectory = true }
            var size: UInt64?
            switch file["file_size"] {
            case .string(let text)?: size = UInt64(text)
            case .number(let number)?: size = number.int.flatMap { UInt64(exactly: $0) }
            default: size = nil
            }
            entries.append((name, isDirectory, size))
        }
        return entries
    }

    /// Downloads every file under the proxy path `base` into `directory` (which must exist and
    /// be empty). Throws, naming the bound, when the server offers more than `limits` allow;
    /// the caller removes `directory` then.
    public func downloadTree(
        _ base: String, into directory: String, limits: ArtifactTreeLimits, for uri: MLflowModelURI,
        progress: (String) -> Void = { _ in }
    ) throws(ChannelError) -> ArtifactTreeSummary {
        var summary = ArtifactTreeSummary()
        var pending: [(remote: String, local: String, depth: Int)] = [(base, "", 0)]
        while let next = pending.popLast() {
            let entries = try listWithSizes(next.remote, for: uri)
            for entry in entries.sorted(by: { $0.name < $1.name }) {
                guard summary.files + summary.directories < limits.maxEntries else {
                    throw ChannelError(
                        "\(uri): the model holds more than \(limits.maxEntries) files and folders (--model-max-files)")
                }
                let remote = next.remote.isEmpty ? entry.name : next.remote + "/" + entry.name
                let relative = next.local.isEmpty ? entry.name : next.local + "/" + entry.name
                let local = directory + "/" + relative
                if entry.isDirectory {
                    guard next.depth + 1 < limits.maxDepth else {
                        throw ChannelError("\(uri): \(relative) is nested more than \(limits.maxDepth) folders deep")
                    }
                    guard mkdir(local, 0o755) == 0 else {
                        throw ChannelError(
                            "\(uri): cannot create \(relative) in the download folder: \(String(cString: strerror(errno)))"
                        )
                    }
                    summary.directories += 1
                    pending.append((remote, relative, next.depth + 1))
                    continue
                }
                // Never 0: the transfer reads 0 as "no limit".
                let left = limits.maxBytes > summary.bytes ? limits.maxBytes - summary.bytes : 0
                guard left > 0 else {
                    throw ChannelError(
                        "\(uri): the model is larger than \(limits.maxBytes) bytes: nothing is left for \(relative) (--model-max-bytes)"
                    )
                }
                if let claimed = entry.size, claimed > left {
                    throw ChannelError(
                        "\(uri): the model is larger than \(limits.maxBytes) bytes: \(relative) (\(claimed) bytes) does not fit in the \(left) left (--model-max-bytes)"
                    )
                }
                progress("downloading \(relative)")
                let written = try downloadFile(remote, to: local, maxBytes: left, for: uri)
                summary.bytes += written
                summary.files += 1
            }
        }
        return summary
    }

    /// One file of the artifact proxy streamed to `path` (created, never replaced); its size.
    private func downloadFile(_ remote: String, to path: String, maxBytes: UInt64, for uri: MLflowModelURI)
        throws(ChannelError) -> UInt64
    {
        // Created here first (O_EXCL): a name the server repeats, or anything already there, fails.
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw ChannelError(
                "\(uri): cannot create \(remote) in the download folder: \(String(cString: strerror(errno)))")
        }
        close(fd)
        let encoded = remote.split(separator: "/").map { PercentEncoding.encoded(String($0)) }.joined(separator: "/")
        let url = trackingURI + "/api/2.0/mlflow-artifacts/artifacts/" + encoded
        let transfer: HTTPClient.Transfer
        do throws(HTTPError) {
            transfer = try client.transfer(
                url, accept: nil, range: nil, conditional: [], bodyPath: path, maxBytes: maxBytes)
        } catch {
            if error.reason.hasPrefix("the answer is larger") {
                throw ChannelError(
                    "\(uri): the model is larger than the byte budget left (\(maxBytes) bytes) at \(remote) (--model-max-bytes)"
                )
            }
            throw ChannelError(
                "\(uri): cannot download \(remote) from the tracking server at \(URLText.redacted(trackingURI)): \(error.reason)"
            )
        }
        guard transfer.response.status == 200 else {
            if transfer.response.status == 404 {
                throw ChannelError("\(uri): the tracking server listed \(remote) but does not serve it")
            }
            throw failure(transfer.response, for: uri)
        }
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ChannelError("\(uri): \(remote) was not written as a regular file")
        }
        return UInt64(info.st_size)
    }
}
