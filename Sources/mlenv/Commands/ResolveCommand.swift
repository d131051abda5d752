import ArgumentParser
import Basics
import Channels
import Deploy
import Emit
import FoundationEssentials
import JSON
import ModelFiles
import Requests
import Solver

/// Options of every command that resolves a model for a deployment.
struct DeploymentOptionGroup: ParsableArguments {
    @Option(
        name: .customLong("deployment"),
        help: ArgumentHelp(
            "The deployment type: azureml-online, azureml-batch, kubernetes-online, mlflow-serve, none (default: .mlenv.yaml's, else azureml-online).",
            valueName: "type"))
    var deploymentOption: String?

    @Option(
        help: ArgumentHelp(
            "The project configuration (default: .mlenv.yaml in the nearest ancestor of the model): its deployment, channels, indexes and exclude-newer apply where no option gives them.",
            valueName: "file"))
    var config: String?

    var deployment: String { deploymentOption ?? "azureml-online" }

    @Option(help: ArgumentHelp("A deployment profile file to use instead of a built-in one.", valueName: "file"))
    var profileFile: String?

    @Option(help: "Target Python version (X.Y), instead of the model's.")
    var python: PythonVersion?

    @Option(
        help: ArgumentHelp(
            "Which of the model's environments to build: conda or virtualenv (default: the deployment's choice).",
            valueName: "kind"))
    var envManager: String?

    @Option(name: .customLong("with"), help: ArgumentHelp("An extra PyPI requirement (repeatable).", valueName: "req"))
    var with: [String] = []

    @Option(
        name: .customLong("without"),
        help: ArgumentHelp("Leave out a package the model or the profile names (repeatable).", valueName: "name"))
    var without: [String] = []

    func validate() throws {
        if let envManager, envManager != "conda" && envManager != "virtualenv" {
            throw ValidationError("--env-manager: expected conda or virtualenv")
        }
    }

    func profile() throws -> Profile {
        do {
            if let profileFile { return try Profiles.load(path: profileFile) }
            return try Profiles.builtIn(deployment)
        } catch {
            throw CommandError(error.description)
        }
    }

    /// Loads the model and plans the request: exit 2 on unreadable input.
    /// `shownAs`: the model's name in messages when `model` is a temporary copy (a model URI's).
    func plan(model path: String, shownAs: String? = nil) throws -> (DeclaredEnvironment, DeploymentRequest) {
        let model = shownAs ?? path
        var environment: DeclaredEnvironment
        do { environment = try ModelLoader.load(path: path) } catch {
            throw CommandError((error.location.map { "\(model)/\($0): " } ?? "") + error.message)
        }
        environment.modelPath = model
        let options = DeploymentOptions(
            python: python, mode: envManager.flatMap(EnvironmentMode.init(rawValue:)), with: with, without: without)
        let deploymentProfile = try profile()
        // Only what this deployment reads can stop it; a file of the other environment is a warning.
        let diagnostics = EnvironmentChoice.choose(environment, profile: deploymentProfile, forced: options.mode)
            .diagnostics(of: environment)
        let errors = diagnostics.filter { $0.severity == .error }
        if !errors.isEmpty {
            for e in errors { StandardError.write("\(model)/\(e)\n") }
            throw CommandError(
                "the files the \(deploymentProfile.name) deployment reads cannot be read as declared (see above); `mlenv inspect \(model)` shows everything it found"
            )
        }
        for w in diagnostics where w.severity == .warning && (w.scope != nil || w.code == "conda-packages-left-out") {
            StandardError.write("\(model)/\(w)\n")
        }
        let request: DeploymentRequest
        do { request = try DeploymentPlanner.plan(environment, profile: deploymentProfile, options: options) } catch {
            throw CommandError(error.message)
        }
        return (environment, request)
    }
}

struct ResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract:
            "Resolve a model's environment for a deployment: the exact packages that will be installed, or why none can be.",
        discussion: """
            Adds what the deployment's inference server needs (see `mlenv profiles`), solves the \
            model's conda and pip requirements together with libsolv against the configured \
            sources (default: the model's own conda channels and pip's configured index, live; \
            `--sources embedded` for the checkout's snapshot), and prints the pinned set with what asked \
            for each package. When no set satisfies everything it explains why, quoting the \
            model's files (file:line) and the profile.

            Exit codes: 0 resolved, 1 unsatisfiable, 2 bad input.

            Examples:
              mlenv resolve fixtures/models/sklearn-conda --deployment azureml-online --sources embedded
              mlenv resolve path/to/model --channel-alias https://conda.example.org --index-url https://pypi.example.org/simple
              mlenv resolve path/to/model --offline      # only what the cache and local directories hold
              mlenv resolve path/to/model --deployment mlflow-serve --tree
              mlenv resolve path/to/model --python 3.11 --format json | jq '.packages[] | .name'
            """
    ).underMLEnv()

    @Argument(
        help:
            "The MLflow model directory, or a model URI (models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE, models:/NAME/latest, models:/MODEL_ID, runs:/RUN_ID/PATH, mlflow-artifacts:/PATH, read from MLFLOW_TRACKING_URI's server); several: each is resolved, against shared channels."
    )
    var models: [String]

    @OptionGroup var deployment: DeploymentOptionGroup
    @OptionGroup var channelOptions: ChannelOptions

    @Flag(help: "Show why each package is there, as a tree under the requests.")
    var tree = false

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    @Option(
        help: ArgumentHelp(
            "Write a libsolv testcase of the solve to this directory (for bug reports).", valueName: "dir"))
    var debugSolver: String?

    func validate() throws {
        if models.isEmpty { throw ValidationError("give a model directory") }
        if debugSolver != nil && models.count > 1 { throw ValidationError("--debug-solver takes one model") }
        if jobs < 1 { throw ValidationError("--jobs must be at least 1") }
    }

    @Option(help: ArgumentHelp("Models solved at once (default: the number of processors).", valueName: "n"))
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    func run() throws {
        // Model URIs are fetched first (their files into temporary directories, removed at the end).
        let remote = RemoteModelFiles()
        defer { remote.removeAll() }
        var paths: [String: String] = [:]
        for model in models where paths[model] == nil { paths[model] = try remote.local(model) }
        let (deployment, channelOptions) = try ProjectDefaults.apply(
            near: MLflowModelURI.isURI(models[0]) ? "." : models[0], self.deployment, self.channelOptions)
        // Channels are read once per target (Python, glibc) and shared by every model; the
        // solves then run `--jobs` at a time, and the reports come out in the models' order.
        var resolvers: [String: Resolver] = [:]
        var planned: [(model: String, plan: DeploymentRequest, resolver: Resolver)] = []
        var anyBadInput = false
        for model in models {
            let plan: DeploymentRequest
            let environment: DeclaredEnvironment
            do { (environment, plan) = try deployment.plan(model: paths[model] ?? model, shownAs: model) } catch {
                guard models.count > 1 else { throw error }
                StandardError.write("error: \(model): \(error)\n")
                anyBadInput = true
                continue
            }
            // Models that read the same sources for the same target share one resolver.
            let indexOptions = environment.pipOptions.filter {
                $0.name.hasSuffix("index-url") || $0.name == "-i" || $0.name == "--no-index"
            }
            let key =
                ([plan.request.target.description] + channelOptions.condaLocations(model: environment).locations
                + indexOptions.map { "\($0.name) \($0.value ?? "")" }).joined(separator: "\n")
            let resolver: Resolver
            if let known = resolvers[key] {
                resolver = known
            } else {
                resolver = Resolver(
                    channels: try channelOptions.channelSet(
                        target: plan.request.target, model: environment, conda: plan.request.mode == .conda))
                resolvers[key] = resolver
            }
            planned.append((model, plan, resolver))
        }
        let debugSolver = debugSolver
        let solves = planned.map { (request: $0.plan.request, resolver: $0.resolver) }
        let outcomes = Parallel.map(solves.indices.map { $0 }, jobs: jobs) { i -> Result<SolveOutcome, SolveError> in
            do throws(SolveError) {
                return .success(try solves[i].resolver.solve(solves[i].request, debugDirectory: debugSolver))
            } catch {
                return .failure(error)
            }
        }
        KeptUntilExit.keep((resolvers, outcomes))
        var reports: [JSONValue] = []
        var anyUnsatisfiable = false
        for ((model, plan, resolver), result) in zip(planned, outcomes) {
            let outcome: SolveOutcome
            switch result {
            case .success(let solved): outcome = solved
            case .failure(let error):
                StandardError.write("error: \(model): \(error.message)\n")
                if error.failureKind == .badInput { anyBadInput = true } else { anyUnsatisfiable = true }
                continue
            }
            if case .unsatisfiable = outcome { anyUnsatisfiable = true }
            let sources = channelOptions.summary(resolver.channels)
            switch format {
            case .json: reports.append(ResolutionReport.json(outcome, plan: plan, model: model, sources: sources))
            case .text:
                StandardOutput.write(
                    ResolutionReport.text(outcome, plan: plan, model: model, tree: tree, sources: sources)
                        + (models.count > 1 ? "\n" : ""))
            }
        }
        if format == .json {
            let value: JSONValue = models.count == 1 && reports.count == 1 ? reports[0] : .array(reports)
            StandardOutput.write(value.serialized(pretty: true) + "\n")
        }
        if anyBadInput { throw ReportedFailure.badInput }
        if anyUnsatisfiable { throw ReportedFailure.verdict }
    }
}
