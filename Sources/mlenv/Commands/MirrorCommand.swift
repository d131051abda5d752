import ArgumentParser
import Basics
import Channels
import FoundationEssentials
import JSON
import ModelFiles
import Requests
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
            about projects in the closure.

            Rerunning into the same DIR extends the mirror, it does not replace it: each project \
            page (index.json and index.html) lists the files of every run, one entry per file name, \
            with the metadata files of both; the root index lists the projects of every run; \
            pypi/MIRROR.json records the union of the roots, target Pythons and missing names and \
            counts the merged mirror; each conda subdir's repodata.json holds the records of every \
            run. Rerunning the same roots changes no byte. A file name the mirror already lists \
            with another sha256 or size (md5 too for conda) is a conflict: exit 2, nothing written. \
            A mirror that cannot be read (invalid JSON, a page mlenv did not write, a directory \
            that is not an mlenv mirror) is refused the same way. --exclude-newer, --since, \
            --series-only-before, --versions and --platform must match the mirror's stamp, since \
            one stamp describes one snapshot; with --force the runs are merged anyway and the \
            stamp records the bound true of every file (the later --exclude-newer, the earlier \
            --since and --series-only-before, the larger --versions, the newer manylinux of the \
            same architecture; another architecture is refused). Each file is written whole \
            (temporary file + rename), so an interrupted run leaves no half-merged page, and a \
            rerun completes it.

            Metadata is verified and cached (DIR/pypi/.cache) as each file arrives, so an \
            interrupted run (Ctrl-C, kill -9) keeps everything it fetched and the next run \
            reuses it after checking its hash.

            Examples:
              mlenv mirror --requirement 'scikit-learn==1.5.2' --python 3.11 -o mirror
              mlenv mirror --model path/to/model --python 3.10,3.11 --exclude-newer 2026-01-01 -o mirror
              mlenv mirror -r channels/roots.txt --conda-upstream ../shared/channels/conda-forge -o channels
            """
    ).underMLEnv()

    @Option(
        name: [.customLong("requirement")],
        help: ArgumentHelp("A PEP 508 requirement to include (repeatable).", valueName: "req"))
    var requirements: [String] = []

    @Option(
        name: [.customShort("r"), .customLong("requirements-file")],
        help: ArgumentHelp(
            "A file of roots: pip requirements, and `conda: SPEC` lines for conda (repeatable).", valueName: "file"))
    var requirementFiles: [String] = []

    @Option(
        name: .customLong("model"),
        help: ArgumentHelp("An MLflow model directory whose requirements to include (repeatable).", valueName: "dir"))
    var models: [String] = []

    @Option(
        name: .customLong("conda-spec"),
        help: ArgumentHelp("A conda package spec to include (repeatable).", valueName: "spec"))
    var condaSpecs: [String] = []

    @Option(
        help: ArgumentHelp(
            "The upstream PyPI simple index URL (default: PIP_INDEX_URL, pip's configuration, or pip's default).",
            valueName: "url"))
    var indexURL: String?

    @Option(
        help: ArgumentHelp(
            "The cache shared with resolve (default: $XDG_CACHE_HOME/mlenv or ~/.cache/mlenv): pages and metadata a live resolve fetched are not fetched again.",
            valueName: "dir"))
    var cacheDir: String?

    @Option(
        help: ArgumentHelp(
            "An upstream conda channel (directory or file:// URL) to take conda records from.", valueName: "dir"))
    var condaUpstream: String?

    @Option(name: .customLong("subdir"), help: "conda subdirs to mirror (repeatable).")
    var subdirs: [String] = ["linux-64", "noarch"]

    @Option(help: ArgumentHelp("Target Python versions, comma-separated.", valueName: "X.Y,..."))
    var python: String = "3.11"

    @Option(help: ArgumentHelp("The newest manylinux platform the targets support.", valueName: "tag"))
    var platform: String = "manylinux_2_35_x86_64"

    @Option(
        help: ArgumentHelp(
            "Ignore PyPI files uploaded at or after this date (YYYY-MM-DD, midnight UTC) or RFC 3339 time with a zone; stamped into the mirror.",
            valueName: "date"))
    var excludeNewer: String?

    @Option(
        help: ArgumentHelp("Drop versions first uploaded before this date, unless a root pins them.", valueName: "date")
    )
    var since: String?

    @Option(
        help: ArgumentHelp(
            "Before this date keep only the newest release of each major.minor series (pinned and required ones always).",
            valueName: "date"))
    var seriesOnlyBefore: String?

    @Option(help: ArgumentHelp("Keep only the newest N versions of each project (pinned ones always).", valueName: "N"))
    var versions: Int?

    @Flag(help: "Also download the package files themselves (not only metadata).")
    var withArtifacts = false

    @Option(help: "Concurrent requests to the upstream index.")
    var concurrency: Int = 16

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "The mirror root: writes <dir>/pypi and <dir>/<conda channel>, extending what an earlier run wrote there.",
            valueName: "dir"))
    var output: String

    @Flag(
        help:
            "Extend a mirror made with another --exclude-newer, --since, --series-only-before, --versions or manylinux version (the stamp records the bound true of both)."
    )
    var force = false

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
        guard let arch = platform.split(separator: "_", maxSplits: 3).last.map(String.init), arch.count > 2 else {
            return nil
        }
        return (glibc, arch)
    }

    func run() async throws {
        if let excludeNewer {
            do throws(TimestampError) { _ = try UploadCutoff(excludeNewer) } catch { throw CommandError(error.message) }
        }
        var (roots, warnings) = try MirrorCommand.gatherRoots(
            requirements: requirements, files: requirementFiles, models: models, condaSpecs: condaSpecs)
        for warning in warnings { StandardError.write("warning: \(warning)\n") }
        // Rounds and fetches: the live line on a terminal, a line each in a log (ProgressLine).
        let progressLine = ProgressLine()
        defer { progressLine.finish() }
        let progress: @Sendable (String) -> Void = { progressLine.milestone("mirror: \($0)") }

        // Both sides are read and planned before either is written: an existing mirror that
        // cannot be read, or a file that conflicts on either side, leaves everything as it was.
        var pypiBuilder: PyPIMirrorBuilder?
        if !roots.pypi.isEmpty {
            let (glibc, arch) = MirrorCommand.glibc(fromPlatform: platform)!
            let upstream: String
            do { upstream = try UpstreamIndex.discover(explicit: indexURL) } catch { throw CommandError(error.message) }
            let options = PyPIMirrorOptions(
                upstream: upstream, output: output + "/pypi", pythons: pythonVersions, glibc: glibc,
                architecture: arch, excludeNewer: excludeNewer, since: since,
                seriesOnlyBefore: seriesOnlyBefore, versionsPerProject: versions, withArtifacts: withArtifacts,
                concurrency: concurrency, platform: platform, generator: "mlenv \(MLEnvVersion.current)", force: force)
            // The same client and cache as a live resolve: what it fetched is not fetched again.
            let settings: HTTPSettings
            do { settings = try HTTPSettings.fromEnvironment(cert: nil, sourceURLs: [upstream], offline: false) } catch
            { throw CommandError(error.message) }
            let client = HTTPClient(settings: settings, cache: HTTPCache(root: cacheDir ?? ArtifactCache.defaultRoot))
            let builder = PyPIMirrorBuilder(options: options, client: client, progress: progress)
            do { try builder.checkExisting() } catch { throw CommandError(error.message) }
            pypiBuilder = builder
        }

        var condaPlan: CondaMirrorPlan?
        var condaBuilder: CondaMirrorBuilder?
        if let condaUpstream {
            let builder = CondaMirrorBuilder(
                upstream: CondaChannel(condaUpstream), subdirs: subdirs, output: output,
                generator: "mlenv \(MLEnvVersion.current)")
            roots.conda.insert("python")
            do { condaPlan = try builder.plan(roots: roots.conda.sorted()) } catch { throw CommandError(error.message) }
            condaBuilder = builder
        }

        var pypiPlan: PyPIMirrorPlan?
        if let pypiBuilder {
            do { pypiPlan = try await pypiBuilder.plan(roots: roots.pypi) } catch { throw CommandError(error.message) }
        }

        progressLine.finish()
        if let condaPlan, let condaBuilder {
            do { try condaPlan.write() } catch { throw CommandError(error.message) }
            for line in condaPlan.report.lines(writtenTo: "\(output)/\(condaBuilder.upstream.name)") {
                StandardError.write(line + "\n")
            }
        }

        guard let pypiPlan else { return }
        do { try pypiPlan.write() } catch { throw CommandError(error.message) }
        for warning in pypiPlan.report.warnings { StandardError.write("warning: \(warning)\n") }
        for line in pypiPlan.report.lines { StandardError.write(line + "\n") }
    }
}

extension MirrorCommand {
    /// The roots from every source given; a model that cannot be read is skipped with a warning.
    static func gatherRoots(requirements: [String], files: [String], models: [String], condaSpecs: [String]) throws -> (
        MirrorRoots, warnings: [String]
    ) {
        var roots = MirrorRoots()
        var warnings: [String] = []
        do throws(ChannelError) {
            for text in requirements { try roots.add(requirement: text) }
            for spec in condaSpecs { try roots.add(condaSpec: spec) }
            for file in files { try roots.add(file: file) }
        } catch {
            throw CommandError(error.message)
        }
        for model in models {
            let environment: DeclaredEnvironment
            do { environment = try ModelLoader.load(path: model) } catch {
                warnings.append("\(model): skipped: \(error.message)")
                continue
            }
            let pip = environment.pipRequirements(.conda) + environment.pipRequirements(.virtualenv)
            roots.add(
                modelConda: (environment.conda?.dependencies ?? []).map(\.spec.name), pip: pip.compactMap(\.requirement)
            )
        }
        return (roots, warnings)
    }
}
