// Every locked package file, by file name and hash, from the configured sources in order:
// the mirror the record came from (its own path), extra local directories, the artifact
// cache, and — unless offline — the network: conda files from their record URL, wheels through
// pip itself (`pip download --no-deps --only-binary=:all:` for the target, with the locked
// hashes, so pip picks exactly the locked file from whatever index it is configured with; mlenv
// writes no index host anywhere). Every file's hash is verified; what is missing or does not
// match is listed, all at once.

import Basics
import Channels
import FoundationEssentials
import Glibc
import Requests
import Solver
import Specs

public struct GatherOptions: Sendable {
    public var offline: Bool
    public var cache: ArtifactCache
    public var extraDirectories: [String]
    /// The command that runs pip (`python3 -m pip` by default, or `$MLENV_PIP`).
    public var pip: [String]
    public var progress: @Sendable (String) -> Void

    public init(
        offline: Bool = false, cache: ArtifactCache = ArtifactCache(), extraDirectories: [String] = [],
        pip: [String]? = nil, progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.offline = offline
        self.cache = cache
        self.extraDirectories = extraDirectories
        self.pip =
            pip
            ?? (ProcessInfo.processInfo.environment["MLENV_PIP"].map { $0.split(separator: " ").map(String.init) } ?? [
                "python3", "-m", "pip"
            ])
        self.progress = progress
    }
}

public struct GatherError: Error, Hashable, Sendable, CustomStringConvertible {
    public let problems: [String]
    public var description: String {
        "\(problems.count) package file(s) could not be gathered; nothing was written:\n"
            + problems.map { "  - \($0)" }.joined(separator: "\n")
    }
}

public enum ArtifactGatherer {
    public static func digest(of p: ResolvedPackage) -> ArtifactDigest? {
        if let sha = p.sha256 { return ArtifactDigest(.sha256, sha) }
        if let md5 = p.md5 { return ArtifactDigest(.md5, md5) }
        return nil
    }

    /// filename → local path of the verified file, for every package.
    public static func gather(_ packages: [ResolvedPackage], target: Target, options: GatherOptions)
        async throws(GatherError) -> [String: String]
    {
        var found: [String: String] = [:]
        var problems: [String] = []
        var viaPip: [(ResolvedPackage, ArtifactDigest)] = []
        var viaURL: [(ResolvedPackage, ArtifactDigest)] = []
        let client = HTTPClient()
        for (i, p) in packages.enumerated() {
            guard let digest = digest(of: p) else {
                problems.append("\(p.filename): the lock has no hash for it, so it cannot be verified")
                continue
            }
            if let cached = options.cache.verifiedPath(filename: p.filename, digest: digest) {
                found[p.filename] = cached
                continue
            }
            // Local copies: the record's own path, then extra directories.
            var local: [String] = []
            if !p.url.containsLiteral("://") {
                local.append(p.url)
            } else if p.url.hasPrefix("file://") {
                local.append(String(p.url.dropFirst(7)))
            }
            local += options.extraDirectories.map { "\($0)/\(p.filename)" }
            if let path = local.first(where: { FileManager.default.fileExists(atPath: $0) }) {
                do {
                    found[p.filename] = try await options.cache.fetch(
                        filename: p.filename, source: path, digest: digest, client: client)
                    options.progress("[\(i + 1)/\(packages.count)] \(p.filename) (local)")
                } catch {
                    problems.append(error.description)
                }
                continue
            }
            if options.offline {
                problems.append(
                    "\(p.filename): not in the mirror, the extra directories or the cache, and --offline forbids downloading it"
                )
            } else if p.ecosystem == .pypi && !p.isSource {
                viaPip.append((p, digest))
            } else if p.url.hasPrefix("http://") || p.url.hasPrefix("https://") {
                viaURL.append((p, digest))
            } else {
                problems.append(
                    "\(p.filename): the conda channel \(p.source) has no copy of the file and no download URL for it; put it next to the channel's repodata (\(p.platform ?? "subdir")/\(p.filename)) or pass its directory with --artifacts"
                )
            }
        }
        for (p, digest) in viaURL {
            do {
                options.progress("downloading \(p.filename)")
                found[p.filename] = try await options.cache.fetch(
                    filename: p.filename, source: p.url, digest: digest, client: client)
            } catch {
                problems.append(error.description)
            }
        }
        if !viaPip.isEmpty {
            let (paths, failures) = await downloadWithPip(viaPip, target: target, options: options, client: client)
            found.merge(paths) { a, _ in a }
            problems += failures
        }
        guard problems.isEmpty else { throw GatherError(problems: problems) }
        return found
    }

    /// One `pip download` for every wheel the cache lacks.
    static func downloadWithPip(
        _ wanted: [(ResolvedPackage, ArtifactDigest)], target: Target, options: GatherOptions,
        client: HTTPClient
    ) async -> ([String: String], [String]) {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-pip-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        ).path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        try? FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        var requirements = ""
        for (p, digest) in wanted {
            requirements += "\(p.name)==\(p.version) --hash=\(digest.algorithm.rawValue):\(digest.hex)\n"
        }
        let requirementsFile = scratch + "/requirements.txt"
        _ = FileManager.default.createFile(atPath: requirementsFile, contents: Data(requirements.utf8))
        var arguments =
            Array(options.pip.dropFirst()) + [
                "download", "--no-deps", "--only-binary=:all:", "--require-hashes",
                "--dest", scratch + "/wheels", "--python-version", target.python.minorString,
                "--implementation", "cp",
                "--abi", target.python.cpythonTag, "--abi", "abi3", "--abi", "none", "--quiet"
            ]
        for platform in TagPolicy.platformTags(for: target) { arguments += ["--platform", platform] }
        arguments += ["-r", requirementsFile]
        options.progress("downloading \(wanted.count) wheel(s) with pip")
        let executable = options.pip[0].hasPrefix("/") ? options.pip[0] : "/usr/bin/env"
        var failures: [String] = []
        let pip: ChildProcess.Completion
        do {
            pip = try ChildProcess.run(
                executable, arguments: options.pip[0].hasPrefix("/") ? arguments : [options.pip[0]] + arguments,
                standardOutput: .discard, standardError: .capture)
        } catch {
            return ([:], ["cannot run \(options.pip.joined(separator: " ")): \(error.description)"])
        }
        let stderr = String(decoding: pip.error, as: UTF8.self)
        if pip.status != 0 {
            failures.append(
                "pip download failed (\(pip.termination.brief)): \(stderr.split(separator: "\n").suffix(6).joined(separator: " | "))"
            )
        }
        var found: [String: String] = [:]
        for (p, digest) in wanted {
            let path = scratch + "/wheels/" + p.filename
            guard FileManager.default.fileExists(atPath: path) else {
                if pip.status == 0 { failures.append("\(p.filename): pip did not download this file") }
                continue
            }
            do {
                found[p.filename] = try await options.cache.fetch(
                    filename: p.filename, source: path, digest: digest, client: client)
            } catch {
                failures.append(error.description)
            }
        }
        return (found, failures)
    }
}
