// The offline bundle (DESIGN.md "The offline bundle"):
//   MANIFEST.json   inputs (model files' hashes, profile, target) and every file's sha256
//   model/          the MLflow model directory, copied (no symlink may leave it)
//   env/            the lock files, plus conda-linux-64.bundle.lock and requirements.bundle.txt
//                   rewritten to the bundle's own files
//   pkgs/conda/, pkgs/wheels/   every locked artifact, hash-verified
//   inference/      score.py (Azure init()/run()) and validate.py (validation runs)
//   Dockerfile      installs only from pkgs/
//   README.md       how to build the image and run a validation with no network
// Written as a deterministic .tar.gz (TarArchive) or a directory; always to a temporary name
// first, then renamed, so an interrupted run leaves no partial bundle.

import Basics
import CArchive
import Channels
import Deploy
import FoundationEssentials
import Glibc
import Inference
import JSON
import ModelFiles
import Solver
import Specs

public struct BundleInputs: Sendable {
    public let modelPath: String
    public let environment: DeclaredEnvironment
    public let plan: DeploymentRequest
    public let resolution: Resolution
    public let lock: LockInputs
    /// filename → verified local path of every package.
    public let artifacts: [String: String]
    /// The wheels built from the resolution's sdists, by sdist file name (SourceBuilder).
    public let builtWheels: [String: BuiltWheel]
    /// Where the model came from when it was fetched by URI (MANIFEST.json "source").
    public var source: BundleModelSource?

    public init(
        modelPath: String, environment: DeclaredEnvironment, plan: DeploymentRequest, resolution: Resolution,
        lock: LockInputs,
        artifacts: [String: String], builtWheels: [String: BuiltWheel] = [:]
    ) {
        self.modelPath = modelPath
        self.environment = environment
        self.plan = plan
        self.resolution = resolution
        self.lock = lock
        self.artifacts = artifacts
        self.builtWheels = builtWheels
    }

    /// The packages as the bundle holds them: each sdist replaced by the wheel built from it
    /// (the lock files in env/ keep the sdists, as an index serves them).
    var bundlePackages: [ResolvedPackage] {
        resolution.packages.map { p in
            guard p.isSource, let wheel = builtWheels[p.filename] else { return p }
            var info = stat()
            let size = stat(wheel.path, &info) == 0 ? Int64(info.st_size) : nil
            return p.asBuiltWheel(filename: wheel.filename, path: wheel.path, sha256: wheel.sha256, size: size)
        }
    }

    /// The local file of a package as the bundle holds it.
    func artifact(_ p: ResolvedPackage) -> String? {
        artifacts[p.filename] ?? builtWheels.values.first { $0.filename == p.filename }?.path
    }
}

public struct BundleError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public enum BundleWriter {
    /// 1980-01-01, the earliest time zip and wheels can hold, when no SOURCE_DATE_EPOCH is set.
    public static let defaultEpoch = 315_532_800

    /// The bundle's entries, sorted by path.
    public static func entries(_ inputs: BundleInputs) throws(BundleError) -> [ArchiveEntry] {
        var entries: [ArchiveEntry] = []
        // model/
        let directory: ModelDirectory
        do { directory = try ModelDirectory(path: inputs.modelPath) } catch { throw BundleError(error.description) }
        if let link = directory.linksLeavingModel().first {
            throw BundleError(
                "\(inputs.modelPath)/\(link.path) is a symbolic link to \(link.target), outside the model; refusing to bundle it"
            )
        }
        for file in modelFiles(directory.realRoot) {
            entries.append(ArchiveEntry(path: "model/" + file, content: .file(directory.realRoot + "/" + file)))
        }
        // pkgs/
        let packages = inputs.bundlePackages
        if let unbuilt = packages.first(where: \.isSource) {
            throw BundleError("\(unbuilt.filename) is an sdist that was not built into a wheel for the bundle")
        }
        for p in packages {
            guard let path = inputs.artifact(p) else { throw BundleError("\(p.filename) was not gathered") }
            entries.append(ArchiveEntry(path: packagePath(p), content: .file(path)))
        }
        let bundled = LockInputs(
            resolution: Resolution(python: inputs.resolution.python, mode: inputs.resolution.mode, packages: packages),
            plan: inputs.lock.plan, environmentName: inputs.lock.environmentName, sources: inputs.lock.sources,
            channelNames: inputs.lock.channelNames, resolvedFrom: inputs.lock.resolvedFrom,
            excludeNewer: inputs.lock.excludeNewer)
        // env/
        for (name, text) in LockFiles.render(inputs.lock) {
            entries.append(ArchiveEntry(path: "env/" + name, content: .bytes(Array(text.utf8))))
        }
        entries.append(
            ArchiveEntry(
                path: "env/conda-linux-64.bundle.lock",
                content: .bytes(
                    Array(
                        LockFiles.explicitLock(inputs.lock, urlFor: packagePath).utf8))))
        entries.append(
            ArchiveEntry(
                path: "env/requirements.bundle.txt",
                content: .bytes(
                    Array(
                        LockFiles.requirementsLock(bundled).utf8))))
        // inference/
        for name in ScoringCore.files {
            guard let bytes = ScoringCore.contents(of: name) else {
                throw BundleError("the scoring core file \(name) is missing from this mlenv build")
            }
            entries.append(ArchiveEntry(path: "inference/" + name, content: .bytes(bytes)))
        }
        // Dockerfile, README.md
        let hasConda = inputs.resolution.packages.contains { $0.ecosystem == .conda }
        let hasWheels = inputs.resolution.packages.contains { $0.ecosystem == .pypi }
        let modelName = URL(fileURLWithPath: inputs.modelPath).standardizedFileURL.lastPathComponent
        let docker = DockerfileInputs(
            profile: inputs.plan.profile, mode: inputs.resolution.mode, python: inputs.resolution.python.minorString,
            hasCondaPackages: hasConda, hasWheels: hasWheels, modelName: modelName,
            sourceBuilds: DockerfileWriter.sourceBuildLines(inputs.resolution, built: inputs.builtWheels))
        entries.append(ArchiveEntry(path: "Dockerfile", content: .bytes(Array(DockerfileWriter.render(docker).utf8))))
        entries.append(
            ArchiveEntry(path: "README.md", content: .bytes(Array(readme(inputs, modelName: modelName).utf8))))
        entries.sort { $0.path < $1.path }
        entries.append(
            ArchiveEntry(
                path: "MANIFEST.json",
                content: .bytes(Array(try manifest(inputs, entries: entries, modelName: modelName).utf8))))
        entries.sort { $0.path < $1.path }
        return entries
    }

    public static func packagePath(_ p: ResolvedPackage) -> String {
        (p.ecosystem == .conda ? "pkgs/conda/" : "pkgs/wheels/") + p.filename
    }

    /// Regular files under the model root, relative, sorted (symbolic links inside the model
    /// are followed; hidden VCS folders are left out).
    static func modelFiles(_ root: String) -> [String] {
        var files: [String] = []
        for relative in FileTree.relativePaths(under: root) {
            if relative.split(separator: "/").contains(where: {
                $0 == ".git" || $0 == ".ipynb_checkpoints" || $0 == "__pycache__"
            }) {
                continue
            }
            var isDirectory = false
            if FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isDirectory), !isDirectory {
                files.append(relative)
            }
        }
        return files.sorted()
    }

    static func manifest(_ inputs: BundleInputs, entries: [ArchiveEntry], modelName: String) throws(BundleError)
        -> String
    {
        var files = JSONObject()
        for entry in entries {
            let sha: String
            switch entry.content {
            case .bytes(let bytes): sha = Digester.hex(.sha256, of: bytes)
            case .file(let path):
                do { sha = try ArtifactCache.digest(of: path, algorithm: .sha256, filename: entry.path) } catch {
                    throw BundleError(error.description)
                }
            }
            files.append(entry.path, .string(sha))
        }
        let modelInputs = JSONObject(
            entries.filter { $0.path.hasPrefix("model/") }.compactMap { entry in
                guard let value = files[entry.path] else { return nil }
                return JSONObject.Entry(key: String(entry.path.dropFirst("model/".count)), value: value)
            })
        let server = inputs.resolution.packages.first { $0.name == "azureml-inference-server-http" }
        var o = JSONObject()
        o.append("mlenv", .string(MLEnvGenerator.version))
        o.append("model", .string(modelName))
        if let source = inputs.source { o.append("source", source.manifestValue) }
        o.append("deployment", .string(inputs.plan.profile.name))
        o.append("environment", .string(inputs.resolution.mode.rawValue))
        o.append("python", .string(inputs.resolution.python.minorString))
        o.append("target", .string(inputs.plan.request.target.description))
        o.append(
            "image",
            .string(
                inputs.plan.profile.image(
                    mode: inputs.resolution.mode.rawValue, python: inputs.resolution.python.minorString)))
        o.append("server", server.map { .string("\($0.name)==\($0.version)") } ?? .null)
        o.append("lock_content_hash", .string(inputs.lock.contentHash))
        o.append(
            "packages",
            .array(
                inputs.bundlePackages.map { p in
                    [
                        "name": .string(p.name), "version": .string(p.version),
                        "ecosystem": .string(p.ecosystem.rawValue), "file": .string(packagePath(p))
                    ]
                }))
        // Only when the resolution had sdists: what was built, from what, by what.
        let built = inputs.builtWheels.values.sorted { $0.filename < $1.filename }
        if !built.isEmpty {
            o.append(
                "built_from_source",
                .array(
                    built.map { w in
                        [
                            "sdist": .string(w.sdist), "sdist_sha256": .string(w.sdistSHA256),
                            "file": .string("pkgs/wheels/" + w.filename),
                            "sha256": .string(w.sha256), "python": .string(w.python),
                            "build_backend": .string(w.backend), "builder": .string("pip wheel --no-deps")
                        ]
                    }))
        }
        o.append("inputs", ["model_files": .object(modelInputs), "profile": .string(inputs.plan.profile.source)])
        o.append("files", .object(files))
        return JSONValue.object(o).serialized(pretty: true) + "\n"
    }

    static func readme(_ inputs: BundleInputs, modelName: String) -> String {
        let p = inputs.plan.profile
        let mode = inputs.resolution.mode
        return """
            # Offline bundle: \(modelName) for \(p.name)

            Made by mlenv \(MLEnvGenerator.version). Python \(inputs.resolution.python.minorString), \(mode.rawValue) environment, \
            \(inputs.resolution.packages.count) packages, every one of them in `pkgs/` with its hash checked; nothing needs a network.

            ## Build the image (no network)

            ```sh
            docker build --network=none -t \(modelName.lowercased()):\(p.name) .
            ```

            Base image: `\(p.image(mode: mode.rawValue, python: inputs.resolution.python.minorString))` (pull or mirror it first).

            ## Validate before deploying

            ```sh
            mlenv validate . --run            # installs pkgs/ into a scratch environment and scores the input example
            mlenv validate . --run --payload request.json
            ```

            `inference/score.py` is the scoring script (Azure ML `init()` / `run()`); `inference/validate.py` runs
            the same checks by hand: `python inference/validate.py --model model`.

            ## Contents

            - `MANIFEST.json`: inputs and the sha256 of every file in this bundle
            - `env/`: conda-lock.yml, conda-linux-64.lock, requirements.lock.txt, environment.yml (mirror-relative URLs) and
              conda-linux-64.bundle.lock, requirements.bundle.txt (this bundle's files)
            - `model/`, `pkgs/conda/`, `pkgs/wheels/`, `inference/`, `Dockerfile`

            """
    }

    /// Writes the bundle to `output` (`.tar.gz` file, or a directory when it ends in `/` or has
    /// no archive extension). Refuses to replace an existing output without `force`.
    public static func write(_ entries: [ArchiveEntry], to output: String, force: Bool, epoch: Int) throws(BundleError)
    {
        let fm = FileManager.default
        let asDirectory = output.hasSuffix("/") || !(output.hasSuffix(".tar.gz") || output.hasSuffix(".tgz"))
        var target = output
        while asDirectory && target.count > 1 && target.hasSuffix("/") { target.removeLast() }
        if fm.fileExists(atPath: target) && !force {
            throw BundleError("\(target) already exists; refusing to overwrite it (use --force)")
        }
        let parent = PathText.deletingLastComponent(target)
        if !parent.isEmpty { try? fm.createDirectory(atPath: parent, withIntermediateDirectories: true) }
        StaleTemporaries.sweep(parent.isEmpty ? "." : parent, prefix: ".mlenv-bundle-")
        let temporary =
            (parent.isEmpty ? "." : parent) + "/.mlenv-bundle-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
            + (asDirectory ? "" : ".tar.gz")
        let interrupted = Interruption.guardPath(temporary)
        defer {
            Interruption.release(interrupted)
            try? fm.removeItem(atPath: temporary)
        }
        if asDirectory {
            for entry in entries {
                let path = temporary + "/" + entry.path
                do {
                    try fm.createDirectory(
                        atPath: PathText.deletingLastComponent(path), withIntermediateDirectories: true)
                    switch entry.content {
                    case .bytes(let bytes): try Data(bytes).write(to: URL(fileURLWithPath: path))
                    case .file(let source): try fm.copyItem(atPath: source, toPath: path)
                    }
                } catch {
                    throw BundleError("cannot write \(entry.path): \(FileErrorText.describe(error))")
                }
            }
        } else {
            let root = URL(fileURLWithPath: target).lastPathComponent.replacingLiteral(".tar.gz", with: "")
                .replacingLiteral(".tgz", with: "")
            do { try TarArchive.write(entries, to: temporary, epoch: epoch, root: root) } catch {
                throw BundleError(error.message)
            }
        }
        // Only --force replaces; without it, an output that appeared while the bundle was
        // written stays untouched (the move refuses atomically).
        if force {
            if fm.fileExists(atPath: target) { try? fm.removeItem(atPath: target) }
            guard rename(temporary, target) == 0 else {
                throw BundleError("cannot move the finished bundle to \(target)")
            }
        } else if mlenv_rename_noreplace(temporary, target) != 0 {
            if errno == EEXIST || errno == ENOTEMPTY {
                throw BundleError(
                    "\(target) appeared while the bundle was written; refusing to overwrite it (use --force)")
            }
            throw BundleError("cannot move the finished bundle to \(target): \(String(cString: strerror(errno)))")
        }
    }
}
