import ArgumentParser
import Channels
import Deploy
import Emit
import FoundationEssentials
import ModelFiles
import Solver

/// The arguments of `lock`, `dockerfile` and `azureml`: one model directory, the deployment
/// to resolve it for and the channels to resolve it against.
struct ModelForDeployment: ParsableArguments {
    @Argument(help: "The MLflow model directory.")
    var model: String

    @OptionGroup var deployment: DeploymentOptionGroup
    @OptionGroup var channelOptions: ChannelOptions

    func resolve() throws -> ResolvedModel {
        try ResolvedModel.resolve(model: model, deployment: deployment, channelOptions: channelOptions)
    }
}

/// Resolving a model for a deployment, shared by `lock`, `dockerfile` and `package`.
struct ResolvedModel {
    let environment: DeclaredEnvironment
    let plan: DeploymentRequest
    let resolution: Resolution
    let lock: LockInputs
    let channels: ChannelSet

    /// `shownAs`: the name to give the model in messages when `model` is a fetched copy (a URI).
    static func resolve(
        model: String, shownAs: String? = nil, deployment: DeploymentOptionGroup, channelOptions: ChannelOptions
    ) throws -> ResolvedModel {
        let (deployment, channelOptions) = try ProjectDefaults.apply(
            near: shownAs == nil ? model : ".", deployment, channelOptions)
        let (environment, plan) = try deployment.plan(model: model, shownAs: shownAs)
        let channels = try channelOptions.channelSet(
            target: plan.request.target, model: environment, conda: plan.request.mode == .conda)
        let outcome: SolveOutcome
        do { outcome = try Resolver(channels: channels).solve(plan.request) } catch {
            StandardError.write("error: \(error.message)\n")
            throw ReportedFailure(failureKind: error.failureKind)
        }
        guard case .resolved(let resolution) = outcome else {
            StandardOutput.write(ResolutionReport.text(outcome, plan: plan, model: shownAs ?? model, tree: false))
            throw ReportedFailure.verdict
        }
        // Sources as a lock file may say them: remote ones by URL (credentials removed), local
        // directories by name only (no path of this machine in a lock file).
        var resolvedFrom: [String] = []
        if plan.request.mode == .conda {
            resolvedFrom += channels.condaChannels.map {
                $0.isLocal ? "conda \($0.name) (a local directory)" : "conda \($0.displayLocation)"
            }
        }
        resolvedFrom += channels.pypiIndexes.map { index in
            index.isRemote
                ? "pypi \(URLText.redacted(index.location))"
                : "pypi \(index.location.split(separator: "/").last.map(String.init) ?? index.location) (a local directory)"
        }
        let lock = LockInputs(
            resolution: resolution, plan: plan, environmentName: environment.conda?.name ?? "mlflow-env",
            sources: environment.filesRead.filter { $0 != "MLmodel" },
            channelNames: plan.request.mode == .conda ? channels.condaChannels.map(\.name) : [],
            resolvedFrom: resolvedFrom, excludeNewer: channelOptions.excludeNewer)
        return ResolvedModel(
            environment: environment, plan: plan, resolution: resolution, lock: lock, channels: channels)
    }
}

struct DockerfileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dockerfile",
        abstract: "Print the Dockerfile that installs a model's locked environment offline from its bundle.",
        discussion: """
            The deployment's base image, the environment installed only from the bundle's pkgs/ \
            (conda --offline from the explicit lock, pip --no-index --no-deps --require-hashes), \
            the model where the deployment expects it, its environment variables, port, \
            entrypoint and a non-root user. `mlenv package` writes the same file into the bundle.

            Examples:
              mlenv dockerfile fixtures/models/sklearn-iris --deployment azureml-online
              mlenv dockerfile path/to/model --deployment mlflow-serve --env-manager virtualenv > Dockerfile
            """
    ).underMLEnv()

    @OptionGroup var subject: ModelForDeployment

    func run() throws {
        let resolved = try subject.resolve()
        let inputs = DockerfileInputs(
            profile: resolved.plan.profile, mode: resolved.resolution.mode,
            python: resolved.resolution.python.minorString,
            hasCondaPackages: resolved.resolution.packages.contains { $0.ecosystem == .conda },
            hasWheels: resolved.resolution.packages.contains { $0.ecosystem == .pypi },
            modelName: URL(fileURLWithPath: subject.model).standardizedFileURL.lastPathComponent,
            sourceBuilds: DockerfileWriter.sourceBuildLines(resolved.resolution, built: [:]))
        StandardOutput.write(DockerfileWriter.render(inputs))
    }
}

struct PackageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "package",
        abstract: "Build the offline bundle: the model, every package file, the inference core, a Dockerfile.",
        discussion: """
            Resolves the model for the deployment, then gathers every locked file by name and hash: \
            from the mirror it was resolved from, --artifacts directories, the cache (--cache-dir), \
            and unless --offline the network (conda files from their URL; wheels through pip \
            itself, which uses your pip configuration's index). Every hash is verified; if any file \
            is missing or wrong they are all listed and nothing is written.

            The bundle (a .tar.gz, or a directory when -o ends in /) holds MANIFEST.json, model/, \
            env/ (lock files), pkgs/conda/, pkgs/wheels/, inference/ (score.py, validate.py), \
            Dockerfile and README.md. The same inputs give the same bytes: sorted entries, fixed \
            times (--source-date-epoch or SOURCE_DATE_EPOCH, default 1980-01-01), no owners. An \
            existing output is not replaced without --force; the bundle is written under a \
            temporary name and renamed.

            A model URI (models:/NAME/VERSION, models:/NAME/STAGE, models:/NAME/latest, \
            models:/NAME@ALIAS, models:/MODEL_ID, runs:/RUN_ID/PATH, mlflow-artifacts:/PATH) is \
            fetched whole from MLFLOW_TRACKING_URI's artifact proxy first (at most \
            --model-max-files files and --model-max-bytes bytes), and MANIFEST.json records the \
            URI and what it resolved to (registered model, version, run, logged model) under "source".

            Examples:
              mlenv package fixtures/models/sklearn-iris --deployment azureml-online --env-manager virtualenv -o iris.tar.gz
              mlenv package path/to/model --offline --artifacts /srv/wheels -o bundle/
              MLFLOW_TRACKING_URI=http://mlflow:5000 mlenv package models:/iris@champion -o iris.tar.gz
              mlenv validate iris.tar.gz --run
            """
    ).underMLEnv()

    @Argument(
        help:
            "The MLflow model directory, or a model URI (models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE, models:/MODEL_ID, runs:/RUN_ID/PATH, mlflow-artifacts:/PATH) read from MLFLOW_TRACKING_URI's server."
    )
    var model: String

    @OptionGroup var deployment: DeploymentOptionGroup
    @OptionGroup var channelOptions: ChannelOptions

    @Option(help: ArgumentHelp("For a model URI: the most files and folders to fetch.", valueName: "n"))
    var modelMaxFiles: Int = ArtifactTreeLimits().maxEntries

    @Option(help: ArgumentHelp("For a model URI: the most bytes to fetch.", valueName: "bytes"))
    var modelMaxBytes: UInt64 = ArtifactTreeLimits().maxBytes

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp("The bundle to write: NAME.tar.gz, or DIR/ for a directory.", valueName: "path"))
    var output: String

    @Option(
        name: .customLong("artifacts"),
        help: ArgumentHelp("A directory of package files to take artifacts from (repeatable).", valueName: "dir"))
    var artifactDirectories: [String] = []

    /// `--offline` (of the channel options): never download; package files come only from the
    /// mirrors, --artifacts directories and the cache.
    var offline: Bool { channelOptions.offline }

    @Option(
        help: ArgumentHelp(
            "Timestamp of every bundle entry, in seconds since 1970 (default: $SOURCE_DATE_EPOCH, else 1980-01-01).",
            valueName: "seconds"))
    var sourceDateEpoch: Int?

    @Flag(help: "Replace an existing output.")
    var force = false

    func validate() throws {
        if modelMaxFiles < 1 { throw ValidationError("--model-max-files: expected 1 or more") }
        if modelMaxBytes < 1 { throw ValidationError("--model-max-bytes: expected 1 or more") }
    }

    func run() async throws {
        // A model URI: the whole model fetched first (into a temporary directory, removed at the end).
        var fetched: FetchedModelTree?
        if MLflowModelURI.isURI(model) {
            let fetchLine = ProgressLine()
            do {
                fetched = try FetchedModelTree.fetchForCommand(
                    model, limits: ArtifactTreeLimits(maxEntries: modelMaxFiles, maxBytes: modelMaxBytes),
                    progress: { fetchLine.step($0) })
            } catch let error as CommandError {
                fetchLine.finish()
                StandardError.write("error: \(error.message)\n")
                throw ReportedFailure.badInput
            }
            fetchLine.finish()
        }
        defer { fetched?.remove() }
        let modelPath = fetched?.path ?? model
        let resolved = try ResolvedModel.resolve(
            model: modelPath, shownAs: fetched == nil ? nil : model, deployment: deployment,
            channelOptions: channelOptions)
        // The bundle is still written (the artifact may be added later), but the user hears now.
        for missing in resolved.environment.diagnostics where missing.code == "missing-model-data" {
            StandardError.write(
                "warning: \(model)/\(missing.location.map { "\($0): " } ?? "")\(missing.message) (lint MLE007); the bundle is written anyway\n"
            )
        }
        // Downloads and builds: one line redrawn on a terminal, nothing in a log (ProgressLine).
        let progressLine = ProgressLine()
        defer { progressLine.finish() }
        let options = GatherOptions(
            offline: offline, cache: ArtifactCache(root: channelOptions.cacheRoot),
            extraDirectories: artifactDirectories,
            progress: { message in progressLine.step(message, final: true) })
        let artifacts: [String: String]
        do {
            artifacts = try await ArtifactGatherer.gather(
                resolved.resolution.packages, target: resolved.plan.request.target, options: options)
        } catch {
            StandardError.write("error: \(error.description)\n")
            throw ReportedFailure.verdict
        }
        let builder = SourceBuilder(
            indexArguments: resolved.channels.sdists?.indexArguments ?? [],
            cache: ArtifactCache(root: channelOptions.cacheRoot),
            progress: { message in progressLine.step(message, final: true) })
        let built: [String: BuiltWheel]
        do {
            built = try builder.build(
                resolved.resolution.packages, artifacts: artifacts, target: resolved.plan.request.target)
        } catch {
            StandardError.write("error: \(error.description)\n")
            throw ReportedFailure.verdict
        }
        var inputs = BundleInputs(
            modelPath: modelPath, environment: resolved.environment, plan: resolved.plan,
            resolution: resolved.resolution,
            lock: resolved.lock, artifacts: artifacts, builtWheels: built)
        inputs.source = fetched?.bundleSource
        let epoch =
            sourceDateEpoch ?? ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"].flatMap(Int.init)
            ?? BundleWriter.defaultEpoch
        do {
            let entries = try BundleWriter.entries(inputs)
            try BundleWriter.write(entries, to: output, force: force, epoch: epoch)
            progressLine.finish()
            let bytes = resolved.resolution.packages.compactMap(\.size).reduce(0, +)
            StandardError.write(
                "wrote \(output): \(entries.count) files, \(resolved.resolution.packages.count) packages (\(bytes / 1_000_000) MB of package files)\n"
            )
        } catch {
            throw CommandError(fetched.map { error.message.replacing($0.path, with: model) } ?? error.message)
        }
    }
}
