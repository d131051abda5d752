// Wheels built from the sdists of a resolution, once, so that a bundle still installs with no
// network and no compiler: `pip wheel --no-deps` on this machine's Python (MLENV_BUILD_PYTHON,
// else python3), in pip's isolated build environment, its build requirements from the same
// indexes as the solve. Each built wheel is kept in the cache under the sdist's SHA-256 and the
// building Python (`<cache>/built-wheels/<sha256>/<python X.Y>/`).
//
// A built wheel must install on the target as a downloaded one would: its tags are judged by
// the target's TagPolicy, and a platform wheel (`linux_x86_64`, compiled here) only where this
// machine's glibc is no newer than the target's (the compiled code may call newer symbols).
// Otherwise the build is refused with what to do (build where the Python matches, or
// `--only-binary`), never shipped to fail at import time.

import Basics
import Channels
import FoundationEssentials
import Glibc
import Requests
import Solver
import Specs

/// A wheel mlenv built from an sdist of the resolution.
public struct BuiltWheel: Hashable, Sendable {
    public let sdist: String
    public let sdistSHA256: String
    public let filename: String
    public let path: String
    public let sha256: String
    /// The Python that built it (`3.11.7`).
    public let python: String
    /// The sdist's build backend (`setuptools.build_meta`), as its pyproject.toml names it.
    public let backend: String
}

public struct SourceBuildError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

public struct SourceBuilder: Sendable {
    public let python: String
    /// pip's index options for build requirements (SdistMetadataReader.indexArguments).
    public let indexArguments: [String]
    public let cache: ArtifactCache
    public let progress: @Sendable (String) -> Void

    public init(
        python: String = SdistMetadataReader.defaultPython, indexArguments: [String], cache: ArtifactCache,
        progress: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.python = python
        self.indexArguments = indexArguments
        self.cache = cache
        self.progress = progress
    }

    /// The wheel of every sdist in `packages` (by sdist file name); `artifacts` holds the
    /// verified sdists. All failures are reported together.
    public func build(_ packages: [ResolvedPackage], artifacts: [String: String], target: Target)
        throws(SourceBuildError) -> [String: BuiltWheel]
    {
        let sdists = packages.filter(\.isSource)
        guard !sdists.isEmpty else { return [:] }
        let version = try interpreterVersion()
        var built: [String: BuiltWheel] = [:]
        var problems: [String] = []
        for (i, p) in sdists.enumerated() {
            guard let path = artifacts[p.filename],
                let sha = p.sha256 ?? (try? ArtifactCache.digest(of: path, algorithm: .sha256, filename: p.filename))
            else {
                problems.append("\(p.filename): the sdist was not gathered")
                continue
            }
            progress("[\(i + 1)/\(sdists.count)] building \(p.name) \(p.version) from \(p.filename)")
            do {
                let wheel = try buildOne(p, sdist: path, sha256: sha, python: version, target: target)
                built[p.filename] = wheel
            } catch {
                problems.append(error.message)
            }
        }
        guard problems.isEmpty else {
            throw SourceBuildError(
                message:
                    "\(problems.count) sdist(s) could not be built into wheels for the bundle; nothing was written:\n"
                    + problems.map { "  - \($0)" }.joined(separator: "\n"))
        }
        return built
    }

    private func buildOne(_ p: ResolvedPackage, sdist: String, sha256: String, python: String, target: Target)
        throws(SourceBuildError) -> BuiltWheel
    {
        let minor = python.split(separator: ".").prefix(2).joined(separator: ".")
        let directory = "\(cache.root)/built-wheels/\(sha256)/\(minor)"
        let backend = SourceBuilder.backend(of: sdist)
        if let kept = existing(in: directory), let wheel = try? check(kept, p, target: target) {
            return BuiltWheel(
                sdist: p.filename, sdistSHA256: sha256, filename: wheel.filename, path: kept, sha256: wheel.sha256,
                python: python, backend: backend)
        }
        let scratch = "\(cache.root)/built-wheels/.build-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let token = Interruption.guardPath(scratch)
        defer {
            try? FileManager.default.removeItem(atPath: scratch)
            Interruption.release(token)
        }
        do { try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true) } catch {
            throw SourceBuildError(message: "cannot create \(scratch)")
        }
        // Build requirements as wheels only (see SdistMetadataReader): the sdist named here is
        // the one thing built.
        let arguments =
            [
                python, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check", "--only-binary",
                ":all:",
                "--wheel-dir", scratch
            ] + indexArguments + [sdist]
        var environment = ProcessInfo.processInfo.environment
        environment["PIP_NO_INPUT"] = "1"
        let run: ChildProcess.Completion
        do {
            run = try ChildProcess.run(
                "/usr/bin/env", arguments: [self.python] + Array(arguments.dropFirst()), environment: environment,
                standardOutput: .discard, standardError: .capture, timeout: 6 * SdistMetadataReader.timeout)
        } catch {
            throw SourceBuildError(message: "\(p.filename): cannot run \(self.python): \(error.description)")
        }
        if run.timedOut {
            throw SourceBuildError(
                message:
                    "\(p.filename): pip wheel did not finish within \(Int(6 * SdistMetadataReader.timeout)) s (6 x MLENV_BUILD_TIMEOUT)"
            )
        }
        guard run.status == 0, let made = existing(in: scratch) else {
            let tail = String(decoding: run.error, as: UTF8.self).split(separator: "\n").suffix(4).joined(
                separator: " | ")
            throw SourceBuildError(
                message:
                    "\(p.filename): pip wheel failed (\(run.termination.brief)) with build backend \(backend): \(tail)")
        }
        let wheel = try check(made, p, target: target)
        try? FileManager.default.removeItem(atPath: directory)
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let final = directory + "/" + wheel.filename
        guard rename(made, final) == 0 else {
            throw SourceBuildError(message: "\(p.filename): cannot move the built wheel into \(directory)")
        }
        return BuiltWheel(
            sdist: p.filename, sdistSHA256: sha256, filename: wheel.filename, path: final, sha256: wheel.sha256,
            python: python, backend: backend)
    }

    /// The one wheel in a directory.
    private func existing(in directory: String) -> String? {
        let wheels = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter {
            $0.hasSuffix(".whl")
        }
        return wheels.count == 1 ? directory + "/" + wheels[0] : nil
    }

    /// A built wheel is the sdist's project and version and installs on the target.
    private func check(_ path: String, _ p: ResolvedPackage, target: Target) throws(SourceBuildError) -> (
        filename: String, sha256: String
    ) {
        let filename = String(path.split(separator: "/").last ?? "")
        let wheel: WheelFilename
        do { wheel = try WheelFilename(parsing: filename) } catch {
            throw SourceBuildError(message: "\(p.filename): pip built \(filename), not a wheel")
        }
        guard wheel.name == NormalizedName(p.name), wheel.version.map({ $0.normalized == p.version }) ?? false else {
            throw SourceBuildError(message: "\(p.filename): pip built \(filename), which is not \(p.name) \(p.version)")
        }
        switch TagPolicy(target: target).verdict(for: wheel) {
        case .incompatible(let reason):
            throw SourceBuildError(
                message: "\(p.filename): the wheel built here (\(filename)) does not install on the target: \(reason); "
                    + "build the bundle where MLENV_BUILD_PYTHON is a CPython \(target.python.minorString), or refuse the sdist with --only-binary \(p.name)"
            )
        case .compatible(_, let portable):
            if !portable, let host = SourceBuilder.hostGlibc, host > target.glibc {
                throw SourceBuildError(
                    message:
                        "\(p.filename): the wheel built here (\(filename)) is compiled against glibc \(host), newer than the target's \(target.glibc); "
                        + "build the bundle on a machine with glibc \(target.glibc) or older, or refuse the sdist with --only-binary \(p.name)"
                )
            }
        }
        let sha: String
        do { sha = try ArtifactCache.digest(of: path, algorithm: .sha256, filename: filename) } catch {
            throw SourceBuildError(message: error.description)
        }
        return (filename, sha)
    }

    /// `3.11.7`: the building interpreter's version.
    private func interpreterVersion() throws(SourceBuildError) -> String {
        let run = try? ChildProcess.run(
            "/usr/bin/env", arguments: [python, "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            standardError: .discard)
        guard let run, run.status == 0 else {
            throw SourceBuildError(
                message: "cannot run \(python) (MLENV_BUILD_PYTHON) to build the resolution's sdists into wheels")
        }
        return String(decoding: run.output, as: UTF8.self).trimmingSpacesAndNewlines()
    }

    /// This machine's glibc.
    static var hostGlibc: GlibcVersion? {
        // confstr answers "glibc 2.36".
        var buffer = [CChar](repeating: 0, count: 64)
        guard confstr(Int32(_CS_GNU_LIBC_VERSION), &buffer, buffer.count) > 0 else { return nil }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let parts = (text.split(separator: " ").last ?? "").split(separator: ".").compactMap { Int($0) }
        return parts.count >= 2 ? GlibcVersion(parts[0], parts[1]) : nil
    }

    /// The build backend an sdist's pyproject.toml names (`build-backend = "…"` in
    /// `[build-system]`), else setuptools' legacy `setup.py` path, as pip assumes.
    static func backend(of sdist: String) -> String {
        guard let text = try? SdistFiles.pyprojectTOML(path: sdist) else { return "setuptools (setup.py)" }
        var inBuildSystem = false
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingHorizontalWhitespace()
            if line.hasPrefix("[") {
                inBuildSystem = line == "[build-system]"
                continue
            }
            guard inBuildSystem, line.hasPrefix("build-backend") else { continue }
            let value = line.drop { $0 != "=" }.dropFirst().trimmingHorizontalWhitespace()
            let unquoted = value.filter { $0 != "\"" && $0 != "'" }
            if !unquoted.isEmpty, unquoted.count < 200,
                unquoted.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == ":" })
            {
                return String(unquoted)
            }
        }
        return "setuptools.build_meta:__legacy__"
    }
}

extension String {
    func trimmingSpacesAndNewlines() -> String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
