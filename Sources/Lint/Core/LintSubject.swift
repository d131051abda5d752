// Everything the rules may look at for one model, computed once by the Linter: the declared
// environment, the deployment plan, the channels for its target and the solve's outcome.
// Rules only read it; the expensive parts (channels, solves) are shared between models.

import Channels
import Deploy
import FoundationEssentials
import ModelFiles
import Solver
import Specs

public enum ResolutionState: Sendable {
    case resolved(Resolution)
    case unsatisfiable(Explanation)
    /// The solve could not run (a channel error, a direct URL requirement...).
    case failed(String)
    /// No request to solve (the model could not be loaded or planned).
    case notAttempted
}

public struct LintSubject: Sendable {
    /// The model directory as the user named it (display and file access).
    public let path: String
    public let environment: DeclaredEnvironment?
    public let loadError: ModelFilesError?
    public let deployment: String
    public let profile: Profile?
    public let plan: DeploymentRequest?
    public let planError: String?
    public let channels: ChannelSet?
    public let resolution: ResolutionState
    public let facts: LintFacts
    /// Findings of the rules that ran before this one (rules run in id order), so a later rule
    /// can leave out what an earlier, more specific one already said.
    public internal(set) var earlier: [Finding] = []

    public init(
        path: String, environment: DeclaredEnvironment?, loadError: ModelFilesError?, deployment: String,
        profile: Profile?,
        plan: DeploymentRequest?, planError: String?, channels: ChannelSet?, resolution: ResolutionState,
        facts: LintFacts
    ) {
        self.path = path
        self.environment = environment
        self.loadError = loadError
        self.deployment = deployment
        self.profile = profile
        self.plan = plan
        self.planError = planError
        self.channels = channels
        self.resolution = resolution
        self.facts = facts
    }

    public var resolved: Resolution? {
        if case .resolved(let r) = resolution { return r }
        return nil
    }

    /// True when an earlier rule already reported at this file and line.
    public func alreadyReported(at location: SourceLocation, by rules: Set<String>) -> Bool {
        earlier.contains { finding in
            rules.contains(finding.ruleID) && finding.location.file == location.file
                && finding.location.line == location.line
        }
    }
}

/// What every model's check shares: the date end-of-life is judged at, the breaker data, and
/// which rules are on (so one rule may defer to another only when that one runs).
public struct LintFacts: Sendable {
    public let today: String
    public let breakers: BreakerCatalog
    public let enabledRules: Set<String>
    /// The Python minors the PyPI indexes were mirrored for (their MIRROR.json), or nil when
    /// an index does not say (then it is taken to have every Python's wheels).
    public let indexPythons: Set<String>?
    /// What the indexes' MIRROR.json says they leave out (a snapshot that keeps only some
    /// releases), for notes on findings about missing releases; nil for complete indexes.
    public let indexPartiality: String?

    /// What the conda channels' MIRROR.json says they are (a subset of the real channel, made
    /// on a date); nil for channels taken to be complete.
    public let condaPartiality: String?

    public init(
        today: String, breakers: BreakerCatalog, enabledRules: Set<String>, indexPythons: Set<String>? = nil,
        indexPartiality: String? = nil, condaPartiality: String? = nil
    ) {
        self.condaPartiality = condaPartiality
        self.today = today
        self.breakers = breakers
        self.enabledRules = enabledRules
        self.indexPythons = indexPythons
        self.indexPartiality = indexPartiality
    }
}

extension LintSubject {
    /// False when the configured PyPI indexes hold no wheels for the target's Python (a mirror
    /// made for other Pythons): what pip could install for it cannot be judged from them.
    public var indexCoversTarget: Bool {
        guard let pythons = facts.indexPythons, let target else { return true }
        return pythons.contains(target.python.minorString)
    }
}
