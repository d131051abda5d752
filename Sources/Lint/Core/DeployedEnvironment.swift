// The environment a deployment builds, as rules need it: the declared packages of the file the
// deployment installs (conda.yaml for conda-based deployments, python_env.yaml otherwise, the
// same choice DeploymentPlanner makes), under PyPI-normalised names, and — for any package —
// the version that will be installed and how we know it.

import Deploy
import ModelFiles
import Requests
import Solver
import Specs

/// One package the model's deployed environment asks for.
public struct DeclaredPackage: Sendable {
    public enum Source: Sendable {
        case conda(CondaDependency)
        case pip(PipRequirement)
    }

    /// PyPI-normalised (a conda `pytorch` is `torch`, `py-xgboost` is `xgboost`).
    public let name: NormalizedName
    public let source: Source
    public var text: String {
        switch source {
        case .conda(let d): return d.text
        case .pip(let r): return r.text
        }
    }
    public var location: SourceLocation {
        switch source {
        case .conda(let d): return d.location
        case .pip(let r): return r.location
        }
    }
    public var isConda: Bool {
        if case .conda = source { return true }
        return false
    }
    public var isConstraint: Bool {
        if case .pip(let r) = source { return r.isConstraint }
        return false
    }

    /// The one version this requirement allows, when it names exactly one: pip `==1.2.3`
    /// (not `==1.2.*`) or `===x`; conda `==1.2.3`, `=1.2.3` or `name 1.2.3`.
    public var exactVersion: String? {
        switch source {
        case .pip(let r):
            guard let specifiers = r.requirement?.specifier.specifiers, specifiers.count == 1,
                let only = specifiers.first
            else { return nil }
            if only.op == .arbitrary || (only.op == .equal && !only.isWildcard) { return only.versionText }
            return nil
        case .conda(let d):
            return CondaPin.exactVersion(d.text)
        }
    }

    /// Whether `version` satisfies this requirement (PEP 440 for pip, conda rules for conda).
    public func admits(_ version: String) -> Bool? {
        switch source {
        case .pip(let r):
            guard let set = r.requirement?.specifier else { return nil }
            guard let parsed = try? PEP440Version(parsing: version) else { return nil }
            return set.contains(parsed, prereleases: true)
        case .conda(let d):
            guard let spec = d.spec.version else { return true }
            guard let parsed = try? CondaVersion(parsing: version) else { return nil }
            return spec.matches(parsed)
        }
    }
}

enum CondaPin {
    /// `numpy=1.21.2` / `numpy==1.21.2` / `numpy 1.21.2` / `conda-forge::numpy=1.21.2=py39_0` → 1.21.2.
    static func exactVersion(_ text: String) -> String? {
        var rest = Substring(text.trimmingHorizontalWhitespace())
        if let colons = rest.literalRange(of: "::") { rest = rest[colons.upperBound...] }
        rest = rest.drop { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "." }
        let spaced = rest.first == " "
        rest = rest.drop { $0 == " " }
        if rest.hasPrefix("==") {
            rest = rest.dropFirst(2)
        } else if rest.hasPrefix("=") {
            rest = rest.dropFirst()
        } else if !spaced {
            return nil
        }
        let version = rest.prefix { $0 != "=" && $0 != " " }
        guard let first = version.first, first.isNumber,
            version.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "+" || $0 == "!" })
        else { return nil }
        return String(version)
    }
}

/// How we know which version will be installed.
public enum VersionEvidence: Sendable {
    /// The solve picked it.
    case resolved
    /// The model pins it (`==`).
    case pinned(SourceLocation)
    /// The newest release the configured channels have that the model's requirement admits
    /// (what an unpinned install picks), used only when the environment did not resolve.
    case newestAdmitted(SourceLocation)
}

public struct InstalledPackage: Sendable {
    public let name: NormalizedName
    public let version: String
    public let ecosystem: Ecosystem
    public let evidence: VersionEvidence
    /// The model's own requirement on it, when it has one.
    public let declared: DeclaredPackage?

    /// "mlflow 3.9.0 (resolved)", "numpy 2.1.3 (conda.yaml:9:5)".
    public var summary: String {
        switch evidence {
        case .resolved: return "\(name) \(version)"
        case .pinned(let at): return "\(name) \(version) (pinned at \(at))"
        case .newestAdmitted(let at): return "\(name) \(version) (the newest release the requirement at \(at) admits)"
        }
    }
}

extension LintSubject {
    /// conda or virtualenv: what the deployment builds (the plan's choice, or the planner's rule
    /// when there is no plan).
    public var mode: EnvironmentMode {
        if let mode = plan?.request.mode { return mode }
        guard let environment else { return .conda }
        if environment.conda != nil && environment.virtualenv != nil {
            return profile?.preferredMode == "virtualenv" ? .virtualenv : .conda
        }
        return environment.virtualenv != nil ? .virtualenv : .conda
    }

    /// The file the deployment installs from, for findings about something missing from it.
    public var deployedFile: String? {
        guard let environment else { return nil }
        switch mode {
        case .conda: return environment.conda?.file ?? environment.virtualenv?.file
        case .virtualenv: return environment.virtualenv?.file ?? environment.conda?.file
        }
    }

    public var target: Target? { plan?.request.target }

    /// The deployed environment's requirements, in file order (conda dependencies first).
    public var declaredPackages: [DeclaredPackage] {
        guard let environment else { return [] }
        var result: [DeclaredPackage] = []
        if mode == .conda, let conda = environment.conda {
            for dependency in conda.dependencies {
                let name = PackageNameMap.condaToPyPI[dependency.spec.name] ?? dependency.spec.name
                result.append(DeclaredPackage(name: NormalizedName(name), source: .conda(dependency)))
            }
        }
        let pip: [PipRequirement]
        switch mode {
        case .conda: pip = environment.conda?.pip ?? environment.virtualenv?.requirements ?? []
        case .virtualenv: pip = environment.virtualenv?.requirements ?? environment.conda?.pip ?? []
        }
        let markers = target?.markerEnvironment
        for requirement in pip {
            guard let name = requirement.normalizedName else { continue }
            if let marker = requirement.requirement?.marker, let markers, (try? marker.evaluate(markers)) == false {
                continue
            }
            result.append(DeclaredPackage(name: name, source: .pip(requirement)))
        }
        return result
    }

    /// The requirements (not constraints) on `name` in the deployed environment.
    public func declared(_ name: NormalizedName) -> [DeclaredPackage] {
        declaredPackages.filter { $0.name == name && !$0.isConstraint }
    }

    /// The version of `name` the deployment installs, when it can be known: from the solve, else
    /// from the model's pin, else the newest release the channels have that the model's
    /// requirement admits. nil when it is not installed (solved without it) or unknown.
    public func installed(_ name: NormalizedName) -> InstalledPackage? {
        let requirement = declared(name).first
        if let resolution = resolved {
            for package in resolution.packages where pypiName(package) == name {
                return InstalledPackage(
                    name: name, version: package.version, ecosystem: package.ecosystem, evidence: .resolved,
                    declared: requirement)
            }
            return nil
        }
        guard let requirement else { return nil }
        if let exact = requirement.exactVersion {
            return InstalledPackage(
                name: name, version: exact, ecosystem: requirement.isConda ? .conda : .pypi,
                evidence: .pinned(requirement.location), declared: requirement)
        }
        guard let channels else { return nil }
        switch requirement.source {
        case .pip(let pip):
            guard indexCoversTarget, let specifier = pip.requirement?.specifier,
                let candidates = try? channels.pypiCandidates(name)
            else { return nil }
            let newest = candidates.compactMap { candidate -> PEP440Version? in
                guard case .wheel = candidate.verdict, let v = candidate.file.version, !v.isPrerelease,
                    specifier.contains(v)
                else { return nil }
                return v
            }.max()
            return newest.map {
                InstalledPackage(
                    name: name, version: $0.normalized, ecosystem: .pypi,
                    evidence: .newestAdmitted(requirement.location), declared: requirement)
            }
        case .conda(let dependency):
            let newest = channels.condaRecords(named: dependency.spec.name)
                .filter {
                    dependency.spec.matches(
                        name: $0.name, version: $0.version, build: $0.build, buildNumber: $0.buildNumber)
                }
                .max { $0.version < $1.version }
            return newest.map {
                InstalledPackage(
                    name: name, version: $0.versionText, ecosystem: .conda,
                    evidence: .newestAdmitted(requirement.location), declared: requirement)
            }
        }
    }

    /// The first installed package among `names` (`mlflow` or `mlflow-skinny`).
    public func installed(anyOf names: [String]) -> InstalledPackage? {
        for name in names { if let found = installed(NormalizedName(name)) { return found } }
        return nil
    }

    func pypiName(_ package: ResolvedPackage) -> NormalizedName {
        package.ecosystem == .pypi
            ? NormalizedName(package.name) : NormalizedName(PackageNameMap.condaToPyPI[package.name] ?? package.name)
    }

    /// Where a finding about a package the environment lacks should point: the start of the
    /// pip list of the deployed file (where the fix goes), else its first dependency.
    public var insertionPoint: SourceLocation? {
        guard let environment else { return nil }
        let pip = mode == .conda ? environment.conda?.pip : environment.virtualenv?.requirements
        if let first = pip?.first { return first.location }
        if mode == .conda, let first = environment.conda?.dependencies.last { return first.location }
        return deployedFile.map { SourceLocation(file: $0) }
    }
}
