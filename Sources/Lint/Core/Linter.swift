// `mlenv lint` as a library: find the models under the paths, load and plan each, solve every
// distinct request once against channel sets shared by target (so a tree of copies costs one
// solve per distinct environment), then run every enabled rule on every model.
//
// Phases (each parallel over its items, up to `jobs` threads):
//   1. load + plan each model            (cheap: YAML and requirement parsing)
//   2. one ChannelSet per target         (PyPI indexes shared by all; conda parsed on first use)
//   3. one solve per distinct request     (the expensive part)
//   4. the rules, per model              (reads only; channel look-ups are cached)

import Basics
import Channels
import Deploy
import FoundationEssentials
import Glibc
import ModelFiles
import Requests
import Solver
import Specs

/// Where packages come from: the conda channels and PyPI indexes every model is solved against.
public struct ChannelSources: Sendable {
    public let condaChannels: [CondaChannel]
    public let pypiIndexes: [PyPIIndex]
    public let excludeNewer: String?
    public let cacheDirectory: String?
    /// How remote channels are fetched (nil: local ones only).
    public let client: HTTPClient?

    public init(
        condaChannels: [CondaChannel], pypiIndexes: [PyPIIndex], excludeNewer: String? = nil,
        cacheDirectory: String? = nil,
        client: HTTPClient? = nil
    ) {
        self.condaChannels = condaChannels
        self.pypiIndexes = pypiIndexes
        self.excludeNewer = excludeNewer
        self.cacheDirectory = cacheDirectory
        self.client = client
    }
}

public struct LintOptions: Sendable {
    /// `--deployment`: overrides the configuration for every model.
    public var deployment: String?
    /// `--profile-file`: a profile to use instead of a built-in one, for every model.
    public var profileFile: String?
    public var jobs: Int
    /// The day end-of-life dates are judged at (YYYY-MM-DD).
    public var today: String
    public var configuration: LintConfiguration

    public init(
        deployment: String? = nil, profileFile: String? = nil, jobs: Int = 1, today: String,
        configuration: LintConfiguration = LintConfiguration()
    ) {
        self.deployment = deployment
        self.profileFile = profileFile
        self.jobs = max(1, jobs)
        self.today = today
        self.configuration = configuration
    }

    /// Today in UTC, `yyyy-MM-dd`.
    public static func currentDate() -> String { MirrorStamp.today() }
}

public struct LintSetupError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

public struct LintReport: Sendable {
    /// Every model directory linted, in order.
    public let models: [String]
    public let findings: [Finding]
    /// Every rule mlenv has (for SARIF's rule table), in id order.
    public let rules: [RuleDescription]
    /// The deployment most models were checked for (the default).
    public let deployment: String
    /// Distinct solves run (models with identical requests share one).
    public let solves: Int
    /// The part of the models this run checked (`lint --shard K/N`); nil for all of them.
    public let shard: LintShard?

    public init(
        models: [String], findings: [Finding], rules: [RuleDescription], deployment: String, solves: Int,
        shard: LintShard? = nil
    ) {
        self.models = models
        self.findings = findings
        self.rules = rules
        self.deployment = deployment
        self.solves = solves
        self.shard = shard
    }

    public func count(_ severity: Severity) -> Int { findings.filter { $0.severity == severity }.count }
    public var hasErrors: Bool { findings.contains { $0.severity == .error } }
}

public struct Linter: Sendable {
    public let options: LintOptions
    public let sources: ChannelSources
    public let rules: [any LintRule]
    private let breakers: BreakerCatalog
    private let profiles: [String: Profile]
    private let fileProfile: Profile?
    private let indexPythons: Set<String>?
    private let indexPartiality: String?
    private let condaPartiality: String?

    public init(options: LintOptions, sources: ChannelSources, breakers: BreakerCatalog) throws(LintSetupError) {
        self.options = options
        self.sources = sources
        self.breakers = breakers
        self.rules = RuleRegistry.rules(breakers: breakers)
        var profiles: [String: Profile] = [:]
        if let file = options.profileFile {
            do { fileProfile = try Profiles.load(path: file) } catch { throw LintSetupError(error.description) }
        } else {
            fileProfile = nil
            var names = Set([options.deployment ?? options.configuration.deployment ?? RuleRegistry.defaultDeployment])
            for override in options.configuration.overrides { if let d = override.deployment { names.insert(d) } }
            for name in names.sorted() {
                do { profiles[name] = try Profiles.builtIn(name) } catch { throw LintSetupError(error.description) }
            }
        }
        self.profiles = profiles
        self.indexPythons = Self.mirroredPythons(sources.pypiIndexes)
        self.indexPartiality = SourceSummary.partiality(pypi: sources.pypiIndexes).first
        self.condaPartiality = SourceSummary.partiality(conda: sources.condaChannels).first
    }

    /// The union of the `pythons` the indexes' MIRROR.json files name (`mlenv mirror` writes
    /// one); nil when any index has none, since such an index may hold every Python's wheels.
    static func mirroredPythons(_ indexes: [PyPIIndex]) -> Set<String>? {
        var result = Set<String>()
        for index in indexes {
            guard !index.isRemote, let pythons = MirrorStamp.read(directory: index.location)?["pythons"]?.arrayValue
            else { return nil }
            result.formUnion(pythons.compactMap(\.stringValue))
        }
        return result
    }

    /// The deployment models are checked for unless an override says otherwise.
    public var defaultDeployment: String {
        fileProfile?.name ?? options.deployment ?? options.configuration.deployment ?? RuleRegistry.defaultDeployment
    }

    // MARK: Phases

    private struct Prepared: Sendable {
        let path: String
        let environment: DeclaredEnvironment?
        let loadError: ModelFilesError?
        let deployment: String
        let profile: Profile?
        let plan: DeploymentRequest?
        let planError: String?
        let rules: [String: RuleSetting]
    }

    struct RequestKey: Hashable, Sendable {
        let target: Target
        let mode: EnvironmentMode
        let conda: [CondaRequest]
        let pip: [PipRequest]
        let virtualPackages: [VirtualPackage]
        let pythonOrigin: Origin

        init(_ request: SolveRequest) {
            target = request.target
            mode = request.mode
            conda = request.conda
            pip = request.pip
            virtualPackages = request.virtualPackages
            pythonOrigin = request.pythonOrigin
        }
    }

    /// Where lint is, for a progress line: `step` of `total` done (`[3/40] checked models/a`).
    /// Called from the worker threads, once per distinct environment solved and once per model
    /// checked, with `done` counting up within each phase.
    public typealias Progress = @Sendable (_ done: Int, _ total: Int, _ step: String) -> Void

    public func lint(paths: [String], progress: Progress? = nil) -> LintReport {
        lint(LintSelection.discover(paths), progress: progress)
    }

    /// Lints the models of a selection (LintSelection.discover, perhaps one shard of it);
    /// `shard` is said in the report.
    public func lint(_ selection: LintSelection, shard: LintShard? = nil, progress: Progress? = nil) -> LintReport {
        let models = selection.models
        let empty = selection.empty
        let jobs = options.jobs

        // 1. Load and plan.
        let prepared = Parallel.map(models + empty, jobs: jobs) { self.prepare($0) }

        // 2. Channel sets by target.
        // The first set reads the conda channels; the others share its records.
        var channelSets: [Target: Result<ChannelSet, ChannelError>] = [:]
        var first: ChannelSet?
        for item in prepared {
            guard let target = item.plan?.request.target, channelSets[target] == nil else { continue }
            do throws(ChannelError) {
                let set: ChannelSet
                if let first {
                    set = try first.retargeted(target)
                } else {
                    set = try ChannelSet(
                        condaChannels: sources.condaChannels, pypiIndexes: sources.pypiIndexes, target: target,
                        excludeNewer: sources.excludeNewer, cacheDirectory: sources.cacheDirectory,
                        client: sources.client)
                    first = set
                }
                channelSets[target] = .success(set)
            } catch {
                channelSets[target] = .failure(error)
            }
        }
        let sets = channelSets

        // 3. One solve per distinct request.
        var keys: [RequestKey] = []
        var requests: [RequestKey: SolveRequest] = [:]
        var firstModel: [RequestKey: String] = [:]
        for item in prepared {
            guard let request = item.plan?.request else { continue }
            let key = RequestKey(request)
            if requests[key] == nil {
                requests[key] = request
                keys.append(key)
                firstModel[key] = item.path
            }
        }
        let toSolve = keys.compactMap { key in requests[key].map { (request: $0, model: firstModel[key] ?? "") } }
        let solveCounter = ProgressCounter(total: toSolve.count, verb: "resolved", progress: progress)
        let solved = Parallel.map(toSolve, jobs: jobs) { item -> ResolutionState in
            defer { solveCounter.done(item.model) }
            let request = item.request
            switch sets[request.target] {
            case .success(let channels)?:
                do throws(SolveError) {
                    switch try Resolver(channels: channels).solve(request) {
                    case .resolved(let resolution): return .resolved(resolution)
                    case .unsatisfiable(let explanation): return .unsatisfiable(explanation)
                    }
                } catch {
                    return .failed(error.message)
                }
            case .failure(let error)?: return .failed(error.message)
            case nil: return .notAttempted
            }
        }
        var outcomes: [RequestKey: ResolutionState] = [:]
        for (key, state) in zip(keys, solved) { outcomes[key] = state }
        let results = outcomes

        // 4. Rules.
        let suppressions = SuppressionIndex()
        let checkCounter = ProgressCounter(total: prepared.count, verb: "checked", progress: progress)
        let perModel = Parallel.map(prepared, jobs: jobs) { item -> [Finding] in
            defer { checkCounter.done(item.path) }
            let target = item.plan?.request.target
            var channels: ChannelSet?
            if let target, case .success(let set)? = sets[target] { channels = set }
            var resolution = ResolutionState.notAttempted
            if let request = item.plan?.request { resolution = results[RequestKey(request)] ?? .notAttempted }
            return self.check(item, channels: channels, resolution: resolution, suppressions: suppressions)
        }
        let deployment = defaultDeployment
        return LintReport(
            models: models + empty, findings: perModel.flatMap { $0 },
            rules: rules.map(\.rule), deployment: deployment, solves: keys.count, shard: shard)
    }

    private func prepare(_ path: String) -> Prepared {
        let settings = options.configuration.settings(forModel: path)
        let deployment =
            fileProfile?.name ?? options.deployment ?? settings.deployment ?? RuleRegistry.defaultDeployment
        let profile = fileProfile ?? profiles[deployment]
        var environment: DeclaredEnvironment
        do { environment = try ModelLoader.load(path: path) } catch {
            return Prepared(
                path: path, environment: nil, loadError: error, deployment: deployment, profile: profile,
                plan: nil, planError: nil, rules: settings.rules)
        }
        // The files this deployment does not read cannot break it: their errors are warnings.
        if let profile {
            environment.diagnostics = EnvironmentChoice.choose(environment, profile: profile, forced: nil).diagnostics(
                of: environment)
        }
        var plan: DeploymentRequest?
        var planError: String?
        if environment.hasErrors {
            planError = "the model's environment files have errors (see this model's error findings)"
        } else if let profile {
            do { plan = try DeploymentPlanner.plan(environment, profile: profile) } catch { planError = error.message }
        } else {
            planError = "no deployment profile named '\(deployment)'"
        }
        return Prepared(
            path: path, environment: environment, loadError: nil, deployment: deployment, profile: profile,
            plan: plan, planError: planError, rules: settings.rules)
    }

    private func check(
        _ item: Prepared, channels: ChannelSet?, resolution: ResolutionState, suppressions: SuppressionIndex
    ) -> [Finding] {
        var enabled = Set<String>()
        for rule in rules where item.rules[rule.rule.id] != .off { enabled.insert(rule.rule.id) }
        let facts = LintFacts(
            today: options.today, breakers: breakers, enabledRules: enabled, indexPythons: indexPythons,
            indexPartiality: indexPartiality, condaPartiality: condaPartiality)
        var subject = LintSubject(
            path: item.path, environment: item.environment, loadError: item.loadError, deployment: item.deployment,
            profile: item.profile, plan: item.plan, planError: item.planError, channels: channels,
            resolution: resolution, facts: facts)
        var findings: [Finding] = []
        for rule in rules where enabled.contains(rule.rule.id) {
            var sink = FindingSink(rule: rule.rule, model: item.path)
            rule.check(subject, into: &sink)
            var produced = sink.findings
            if case .severity(let level)? = item.rules[rule.rule.id] {
                for i in produced.indices { produced[i].severity = level }
            }
            subject.earlier += produced
            findings += produced
        }
        return suppressions.filter(findings).sorted(by: Finding.sortedOrder)
    }
}

/// Counts one phase's finished items for `Linter.Progress` across the worker threads.
private final class ProgressCounter: Sendable {
    private let count = Locked(0)
    private let total: Int
    private let verb: String
    private let progress: Linter.Progress?

    init(total: Int, verb: String, progress: Linter.Progress?) {
        self.total = total
        self.verb = verb
        self.progress = progress
    }

    func done(_ path: String) {
        guard let progress else { return }
        let n = count.withLock { count in
            count += 1
            return count
        }
        progress(n, total, "\(verb) \(path)")
    }
}
