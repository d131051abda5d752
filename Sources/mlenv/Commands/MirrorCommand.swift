import ArgumentParser
import Channels
import FoundationEssentials
import JSON
import ModelFiles
import Specs

struct MirrorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mirror",
        abstract: "Build or extend a local mirror (PyPI simple index + conda channel subset) for a dependency closure.",
        discussion: """
            Follows the dependency closure of the given requirements, requirement files and model \
            directories, and writes DIR/pypi (a PEP 691 JSON + PEP 503 HTML simple index with PEP 658 \
            metadata files, usable by pip and uv) and, with --conda-upstream, DIR/<channel> (the \
            closure's conda records, unchanged, in channel layout). The upstream PyPI index comes from \
            --index-url, PIP_INDEX_URL, pip's configuration, or pip's default; mlenv asks it only \
            about projects in the closure. Rerunning resumes: metadata already fetched is reused \
            after its hash is checked.

            Examples:
              mlenv mirror --requirement 'scikit-learn==1.5.2' --python 3.11 -o mirror
              mlenv mirror --model path/to/model --python 3.10,3.11 --exclude-newer 2026-01-01 -o mirror
              mlenv mirror -r channels/roots.txt --conda-upstream ../shared/channels/conda-forge -o channels
            """
    ).underMLEnv()

    @Option(name: [.customLong("requirement")], help: ArgumentHelp("A PEP 508 requirement to include (repeatable).", valueName: "req"))
    var requirements: [String] = []

    @Option(name: [.customShort("r"), .customLong("requirements-file")], help: ArgumentHelp("A file of roots: pip requirements, and `conda: SPEC` lines for conda (repeatable).", valueName: "file"))
    var requirementFiles: [String] = []

    @Option(name: .customLong("model"), help: ArgumentHelp("An MLflow model directory whose requirements to include (repeatable).", valueName: "dir"))
    var models: [String] = []

    @Option(name: .customLong("conda-spec"), help: ArgumentHelp("A conda package spec to include (repeatable).", valueName: "spec"))
    var condaSpecs: [String] = []

    @Option(help: ArgumentHelp("The upstream PyPI simple index URL (default: PIP_INDEX_URL, pip's configuration, or pip's default).", valueName: "url"))
    var indexURL: String?

    @Option(help: ArgumentHelp("The cache shared with resolve (default: $XDG_CACHE_HOME/mlenv or ~/.cache/mlenv): pages and metadata a live resolve fetched are not fetched again.", valueName: "dir"))
    var cacheDir: String?

    @Option(help: ArgumentHelp("An upstream conda channel (directory or file:// URL) to take conda records from.", valueName: "dir"))
    var condaUpstream: String?

    @Option(name: .customLong("subdir"), help: "conda subdirs to mirror (repeatable).")
    var subdirs: [String] = ["linux-64", "noarch"]

    @Option(help: ArgumentHelp("Target Python versions, comma-separated.", valueName: "X.Y,..."))
    var python: String = "3.11"

    @Option(help: ArgumentHelp("The newest manylinux platform the targets support.", valueName: "tag"))
    var platform: String = "manylinux_2_35_x86_64"

    @Option(help: ArgumentHelp("Ignore PyPI files uploaded at or after this date (YYYY-MM-DD); stamped into the mirror.", valueName: "date"))
    var excludeNewer: String?

    @Option(help: ArgumentHelp("Drop versions first uploaded before this date, unless a root pins them.", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Before this date keep only the newest release of each major.minor series (pinned and required ones always).", valueName: "date"))
    var seriesOnlyBefore: String?

    @Option(help: ArgumentHelp("Keep only the newest N versions of each project (pinned ones always).", valueName: "N"))
    var versions: Int?

    @Flag(help: "Also download the package files themselves (not only metadata).")
    var withArtifacts = false

    @Option(help: "Concurrent requests to the upstream index.")
    var concurrency: Int = 16

    @Option(name: .shortAndLong, help: ArgumentHelp("The mirror root: writes <dir>/pypi and <dir>/<conda channel>.", valueName: "dir"))
    var output: String

    func validate() throws {
        if requirements.isEmpty && requirementFiles.isEmpty && models.isEmpty && condaSpecs.isEmpty {
            throw ValidationError("nothing to mirror: give --requirement, -r FILE, --model DIR or --conda-spec")
        }
        if pythonVersions.isEmpty { throw ValidationError("--python: expected versions like 3.10,3.11") }
        if MirrorCommand.glibc(fromPlatform: platform) == nil {
            throw ValidationError("--platform: expected a manylinux tag such as manylinux_2_35_x86_64")
        }
    }

    var pythonVersions: [PythonVersion] {
        python.split(separator: ",").compactMap { PythonVersion($0.trimmingHorizontalWhitespace()) }
    }

    static func glibc(fromPlatform platform: String) -> (GlibcVersion, String)? {
        guard let glibc = TagPolicy.manylinuxGlibc(platform) else { return nil }
        guard let arch = platform.split(separator: "_", maxSplits: 3).last.map(String.init), arch.count > 2 else { return nil }
        return (glibc, arch)
    }

    func run() async throws {
        var roots = try MirrorRoots.gather(requirements: requirements, files: requirementFiles, models: models, condaSpecs: condaSpecs)
        for warning in roots.warnings { StandardError.write("warning: \(warning)\n") }
        let progress: @Sendable (String) -> Void = { StandardError.write("mirror: \($0)\n") }

        if let condaUpstream {
            let builder = CondaMirrorBuilder(upstream: CondaChannel(condaUpstream), subdirs: subdirs, output: output,
                                             generator: "mlenv \(MLEnvVersion.current)")
            roots.conda.insert("python")
            let report: CondaMirrorReport
            do { report = try builder.run(roots: roots.conda.sorted()) } catch { throw CommandError(error.message) }
            StandardError.write("mirror: conda: \(report.names) package name(s), \(report.records) record(s) written to \(output)/\(builder.upstream.name)\n")
            if !report.missing.isEmpty {
                StandardError.write("mirror: conda: not in the upstream channel: \(report.missing.joined(separator: ", "))\n")
            }
        }

        guard !roots.pypi.isEmpty else { return }
        let (glibc, arch) = MirrorCommand.glibc(fromPlatform: platform)!
        let upstream: String
        do { upstream = try UpstreamIndex.discover(explicit: indexURL) } catch { throw CommandError(error.message) }
        let options = PyPIMirrorOptions(upstream: upstream, output: output + "/pypi", pythons: pythonVersions, glibc: glibc,
                                        architecture: arch, excludeNewer: excludeNewer, since: since,
                                        seriesOnlyBefore: seriesOnlyBefore, versionsPerProject: versions, withArtifacts: withArtifacts, concurrency: concurrency)
        // The same client and cache as a live resolve: what it fetched is not fetched again.
        let settings: HTTPSettings
        do { settings = try HTTPSettings.fromEnvironment(cert: nil, sourceURLs: [upstream], offline: false) } catch { throw CommandError(error.message) }
        let client = HTTPClient(settings: settings, cache: HTTPCache(root: cacheDir ?? ArtifactCache.defaultRoot))
        let builder = PyPIMirrorBuilder(options: options, client: client, progress: progress)
        let report: PyPIMirrorReport
        do { report = try await builder.run(roots: roots.pypi) } catch { throw CommandError(error.message) }
        for warning in report.warnings { StandardError.write("warning: \(warning)\n") }
        try writeStamp(report: report, roots: roots, directory: output + "/pypi")
        StandardError.write("mirror: pypi: \(report.projects) project(s), \(report.files) file(s); metadata \(report.metadataFetched) fetched, \(report.metadataFromWheels) read from wheels, \(report.metadataReused) reused\n")
        if !report.missing.isEmpty {
            StandardError.write("mirror: pypi: not on the upstream index: \(report.missing.joined(separator: ", "))\n")
        }
    }

    /// MIRROR.json: how the mirror was made, so anyone can refresh it the same way.
    private func writeStamp(report: PyPIMirrorReport, roots: MirrorRoots, directory: String) throws {
        var o = JSONObject()
        o.append("generator", .string("mlenv \(MLEnvVersion.current)"))
        o.append("exclude_newer", .optional(excludeNewer))
        o.append("since", .optional(since))
        o.append("series_only_before", .optional(seriesOnlyBefore))
        o.append("pythons", .array(pythonVersions.map { .string($0.minorString) }))
        o.append("platform", .string(platform))
        o.append("versions_per_project", versions.map { .int($0) } ?? .null)
        o.append("roots", .array(roots.pypi.map { .string($0.description) }.sorted { $0.stringValue ?? "" < $1.stringValue ?? "" }))
        o.append("projects", .int(report.projects))
        o.append("files", .int(report.files))
        o.append("missing", .array(report.missing.map { .string($0) }))
        do {
            try FileBytes.writeAtomically(Array((JSONValue.object(o).serialized(pretty: true) + "\n").utf8), to: directory + "/MIRROR.json")
        } catch {
            throw CommandError(error.description)
        }
    }
}

/// The roots of a mirror: PyPI requirements and conda names, from every source given.
struct MirrorRoots {
    var pypi: [Requirement] = []
    var conda: Set<String> = []
    var warnings: [String] = []

    static func gather(requirements: [String], files: [String], models: [String], condaSpecs: [String]) throws -> MirrorRoots {
        var roots = MirrorRoots()
        for text in requirements {
            do { roots.pypi.append(try Requirement(parsing: text)) } catch { throw CommandError("--requirement '\(text)': \(error.message)") }
        }
        for spec in condaSpecs {
            do { roots.conda.insert(try MatchSpec(parsing: spec).name) } catch { throw CommandError("--conda-spec '\(spec)': \(error.message)") }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw CommandError("cannot read \(file)") }
            for (number, raw) in String(decoding: data, as: UTF8.self).physicalLines.enumerated() {
                let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first?.trimmingHorizontalWhitespace() ?? ""
                if line.isEmpty { continue }
                if line.hasPrefix("conda:") {
                    let spec = line.dropFirst("conda:".count).trimmingHorizontalWhitespace()
                    do { roots.conda.insert(try MatchSpec(parsing: spec).name) } catch { throw CommandError("\(file):\(number + 1): \(error.message)") }
                } else {
                    do { roots.pypi.append(try Requirement(parsing: line)) } catch { throw CommandError("\(file):\(number + 1): \(error.message)") }
                }
            }
        }
        for model in models {
            let environment: DeclaredEnvironment
            do { environment = try ModelLoader.load(path: model) } catch {
                roots.warnings.append("\(model): skipped: \(error.message)")
                continue
            }
            for dependency in environment.conda?.dependencies ?? [] { roots.conda.insert(dependency.spec.name) }
            let pip = environment.pipRequirements(.conda) + environment.pipRequirements(.virtualenv)
            for requirement in pip {
                if let parsed = requirement.requirement, parsed.url == nil { roots.pypi.append(parsed) }
            }
        }
        return roots
    }
}
