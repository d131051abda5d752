// A content-addressed store of package files (`~/.cache/mlenv` by default):
//   <root>/artifacts/<algorithm>/<first two hex digits>/<digest>/<filename>
// A file is fetched once from its source (a local path, file:// or http(s):// URL), its digest
// verified before it is stored; a mismatch is an error and leaves nothing behind. Writes go to a
// temporary file in the cache and are renamed into place, so an interrupted fetch leaves no
// partial artifact.

import Basics
import FoundationEssentials
import Glibc
import Specs

public struct ArtifactDigest: Hashable, Sendable, CustomStringConvertible {
    public let algorithm: DigestAlgorithm
    public let hex: String
    public init(_ algorithm: DigestAlgorithm, _ hex: String) {
        self.algorithm = algorithm
        self.hex = hex.lowercased()
    }
    public var description: String { "\(algorithm.rawValue):\(hex)" }
}

public struct ArtifactError: Error, Hashable, Sendable, CustomStringConvertible {
    public let filename: String
    public let message: String
    public var description: String { "\(filename): \(message)" }
}

public final class ArtifactCache: Sendable {
    public let root: String

    public static var defaultRoot: String {
        if let xdg = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/mlenv" }
        return FileManager.default.homeDirectoryForCurrentUser.path + "/.cache/mlenv"
    }

    public init(root: String = ArtifactCache.defaultRoot) {
        self.root = root
    }

    func directory(for digest: ArtifactDigest) -> String {
        "\(root)/artifacts/\(digest.algorithm.rawValue)/\(digest.hex.prefix(2))/\(digest.hex)"
    }

    /// The cached file, when present (its digest was checked when it was stored).
    public func cachedPath(filename: String, digest: ArtifactDigest) -> String? {
        let path = directory(for: digest) + "/" + filename
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The cached file when present and its content still has the digest it is stored under;
    /// a damaged entry (a flipped byte, a truncated file) is removed, so it is fetched again.
    /// What goes into a bundle comes through here: a bundle never carries a file whose hash
    /// differs from its lock line.
    public func verifiedPath(filename: String, digest: ArtifactDigest) -> String? {
        guard let path = cachedPath(filename: filename, digest: digest) else { return nil }
        if let actual = try? ArtifactCache.digest(of: path, algorithm: digest.algorithm, filename: filename),
            actual == digest.hex
        {
            return path
        }
        try? FileManager.default.removeItem(atPath: path)
        return nil
    }

    /// The file in the cache, fetching it from `source` first when needed.
    public func fetch(filename: String, source: String, digest: ArtifactDigest, client: HTTPClient)
        async throws(ArtifactError) -> String
    {
        if let cached = verifiedPath(filename: filename, digest: digest) { return cached }
        guard !filename.containsLiteral("/"), filename != "..", !filename.isEmpty else {
            throw ArtifactError(filename: filename, message: "refusing a file name with a path in it")
        }
        let directory = directory(for: digest)
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ArtifactError(filename: filename, message: "cannot create \(directory)")
        }
        let temporary = directory + "/.\(filename).part-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { unlink(temporary) }
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            try await download(source, to: temporary, filename: filename, client: client)
        } else {
            var path = source.hasPrefix("file://") ? String(source.dropFirst("file://".count)) : source
            path = PercentEncoding.decoded(path) ?? path
            guard FileManager.default.fileExists(atPath: path) else {
                throw ArtifactError(filename: filename, message: "not found at \(path)")
            }
            do { try FileManager.default.copyItem(atPath: path, toPath: temporary) } catch {
                throw ArtifactError(filename: filename, message: "cannot copy from \(path)")
            }
        }
        let actual = try ArtifactCache.digest(of: temporary, algorithm: digest.algorithm, filename: filename)
        guard actual == digest.hex else {
            throw ArtifactError(
                filename: filename,
                message: "\(digest.algorithm.rawValue) is \(actual), expected \(digest.hex); the file was not stored")
        }
        let final = directory + "/" + filename
        guard rename(temporary, final) == 0 else {
            throw ArtifactError(filename: filename, message: "cannot move the verified file into the cache")
        }
        return final
    }

    private func download(_ url: String, to path: String, filename: String, client: HTTPClient)
        async throws(ArtifactError)
    {
        let response: HTTPResponse
        do { response = try await client.get(url) } catch {
            throw ArtifactError(filename: filename, message: error.description)
        }
        guard response.status == 200 else {
            throw ArtifactError(filename: filename, message: "HTTP \(response.status) from \(url)")
        }
        guard FileManager.default.createFile(atPath: path, contents: Data(response.body)) else {
            throw ArtifactError(filename: filename, message: "cannot write \(path)")
        }
    }

    /// Streams a file through the digest (large wheels never sit in memory whole).
    public static func digest(of path: String, algorithm: DigestAlgorithm, filename: String) throws(ArtifactError)
        -> String
    {
        guard let file = OpenFile(readingAtPath: path) else {
            throw ArtifactError(filename: filename, message: "cannot read \(path)")
        }
        let digester = Digester(algorithm)
        while true {
            guard let chunk = file.read(upTo: 1 << 20) else {
                throw ArtifactError(filename: filename, message: "cannot read \(path)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { digester.update($0) }
        }
        return digester.finalize()
    }
}
