// A model's declared environment + a deployment profile → the request to solve.
//
// Which environment: EnvironmentChoice (the profile's preference, MLflow's fallbacks). The
// Python minor is fixed first: --python, else the chosen environment's own statement
// (conda.yaml's python pin, python_env.yaml's python), else MLmodel's python_version. Every
// added requirement keeps its origin ("profile azureml-online"); what the profile adds keeps
// out the releases its deployment's breaker rules name (ProfileAddition).

import ModelFiles
import Requests
import Specs

public struct DeploymentOptions: Sendable {
    public var python: PythonVersion?
    public var mode: EnvironmentMode?
    /// Extra requirements (`--with`), PyPI syntax.
    public var with: [String]
    /// Package names to leave out (`--without`), of the model's or the profile's.
    public var without: [String]

    public init(python: PythonVersion? = nil, mode: EnvironmentMode? = nil, with: [String] = [], without: [String] = [])
    {
        self.python = python
        self.mode = mode
        self.with = with
        self.without = without
    }
}

public struct DeploymentRequest: Sendable {
    public let request: SolveRequest
    public let profile: Profile
    /// Notes for the user: what was added, what was chosen and why.
    public let notes: [String]
}

public struct DeploymentRequestError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

public enum DeploymentPlanner {
    public static func plan(
        _ environment: DeclaredEnvironment, profile: Profile, options: DeploymentOptions = DeploymentOptions()
    ) throws(DeploymentRequestError) -> DeploymentRequest {
        var notes: [String] = []
        if let flavor = profile.requiresFlavor, environment.mlmodel.flavor(named: flavor) == nil {
            throw DeploymentRequestError(
                message:
                    "the \(profile.name) deployment needs a model with the \(flavor) flavor; this model has \(environment.mlmodel.flavors.map(\.name).joined(separator: ", "))"
            )
        }
        // Environment kind.
        let choice = EnvironmentChoice.choose(environment, profile: profile, forced: options.mode)
        let mode = choice.mode
        notes += choice.notes
        // Python.
        let (python, pythonOrigin) = try choosePython(environment, mode: mode, override: options.python)
        let glibc =
            mode == .conda
            ? profile.glibc : (profile.pythonImageGlibc.isEmpty ? profile.glibc : profile.pythonImageGlibc)
        let glibcParts = glibc.split(separator: ".").compactMap { Int($0) }
        let target = Target(
            python: python,
            glibc: glibcParts.count == 2 ? GlibcVersion(glibcParts[0], glibcParts[1]) : Target.defaultGlibc)

        let without = Set(options.without.map { NormalizedName($0) })
        // The model's requirements.
        var conda: [CondaRequest] = []
        var pip: [PipRequest] = []
        if mode == .conda, let condaEnv = environment.conda {
            for dependency in condaEnv.dependencies {
                if without.contains(NormalizedName(dependency.spec.name)) { continue }
                if dependency.spec.name == "python" && options.python != nil {
                    notes.append(
                        "--python \(python) replaces the model's '\(dependency.text)' (\(dependency.location))")
                    continue
                }
                conda.append(
                    CondaRequest(spec: dependency.spec, text: dependency.text, origin: origin(dependency.location)))
            }
        }
        let pipSource =
            mode == .conda
            ? (environment.conda?.pip ?? environment.virtualenv?.requirements ?? [])
            : (environment.virtualenvToBuild?.requirements ?? environment.conda?.pip ?? [])
        for requirement in pipSource {
            guard let parsed = requirement.requirement else {
                throw DeploymentRequestError(
                    message:
                        "\(requirement.location): '\(requirement.text)' is a \(requirement.form.rawValue) requirement; mlenv resolves named requirements from mirrors only (publish it to a local index and require it by name)"
                )
            }
            if without.contains(parsed.normalizedName) { continue }
            pip.append(
                PipRequest(
                    requirement: parsed, text: requirement.text, origin: origin(requirement.location),
                    isConstraint: requirement.isConstraint))
        }
        // pip needs pip in a conda environment.
        if mode == .conda && !pip.isEmpty && !conda.contains(where: { $0.spec.name == "pip" }) {
            let spec = try! MatchSpec(parsing: "pip")
            conda.append(
                CondaRequest(spec: spec, text: "pip", origin: Origin("implied by the pip: list", isModel: false)))
        }

        // The profile's packages.
        let profileOrigin = Origin("profile \(profile.name)", isModel: false)
        let requestedNames = Set(pip.filter { !$0.isConstraint }.map(\.requirement.normalizedName))
            .union(
                conda.compactMap {
                    PackageNameMap.condaToPyPI[$0.spec.name].map { NormalizedName($0) } ?? NormalizedName($0.spec.name)
                })
        for package in profile.packages {
            switch package {
            case .pypi(let written, _):
                var text = written
                var requirement = try parse(text, profile: profile)
                if without.contains(requirement.normalizedName) { continue }
                if requestedNames.contains(requirement.normalizedName) {
                    notes.append(
                        "\(requirement.name): the model already requires it; profile \(profile.name) adds nothing")
                    continue
                }
                let guarded = ProfileAddition.guarding(requirement.name, deployment: profile.name)
                var why = ""
                if !guarded.clauses.isEmpty && requirement.marker == nil {
                    text += (requirement.specifier.isEmpty ? "" : ",") + guarded.clauses.joined(separator: ",")
                    requirement = try parse(text, profile: profile)
                    why = "; keeps out the releases \(guarded.rules.joined(separator: ", ")) names as breaking it"
                }
                pip.append(PipRequest(requirement: requirement, text: text, origin: profileOrigin))
                notes.append("added \(text) (profile \(profile.name)\(why))")
            case .conda(let text, _):
                guard mode == .conda else { continue }
                guard let spec = try? MatchSpec(parsing: text) else {
                    throw DeploymentRequestError(message: "profile \(profile.name): invalid conda spec '\(text)'")
                }
                conda.append(CondaRequest(spec: spec, text: text, origin: profileOrigin))
            case .mlflow(let full, _):
                let names: Set<NormalizedName> = [NormalizedName("mlflow"), NormalizedName("mlflow-skinny")]
                if !requestedNames.isDisjoint(with: names) {
                    notes.append("the model already requires MLflow; profile \(profile.name) adds no mlflow package")
                    continue
                }
                let package = full ? "mlflow" : "mlflow-skinny"
                if without.contains(NormalizedName(package)) { continue }
                let saved = environment.mlmodel.mlflowVersion?.value
                let coupled = saved.flatMap { try? PEP440Version(parsing: $0) }.map { "==\($0.major).\($0.minor).*" }
                let guarded = ProfileAddition.guarding(
                    package, deployment: profile.name, preferred: coupled.flatMap { try? SpecifierSet(parsing: $0) })
                let text: String
                if let coupled, let saved, guarded.keepsPreferred {
                    text = package + ([coupled] + guarded.clauses).joined(separator: ",")
                    notes.append("added \(text) (profile \(profile.name): the model was saved with MLflow \(saved))")
                } else if let saved, coupled != nil {
                    text = package + guarded.clauses.joined(separator: ",")
                    notes.append(
                        "added \(text) (profile \(profile.name)): the model was saved with MLflow \(saved), a release \(guarded.rules.joined(separator: ", ")) names as breaking this deployment; if the model needs it to load, pin MLflow in the model's environment (lint reports what that risks) or deploy with your own scoring script"
                    )
                } else {
                    text = package + guarded.clauses.joined(separator: ",")
                    notes.append(
                        "added \(text) (profile \(profile.name); MLmodel does not record mlflow_version, so any version\(guarded.rules.isEmpty ? "" : " outside the releases \(guarded.rules.joined(separator: ", ")) names as breaking it"))"
                    )
                }
                pip.append(
                    PipRequest(requirement: try parse(text, profile: profile), text: text, origin: profileOrigin))
            }
        }
        for text in options.with {
            let requirement: Requirement
            do { requirement = try Requirement(parsing: text) } catch {
                throw DeploymentRequestError(message: "--with '\(text)': \(error.message)")
            }
            pip.append(PipRequest(requirement: requirement, text: text, origin: Origin("--with", isModel: false)))
        }
        let request = SolveRequest(target: target, mode: mode, conda: conda, pip: pip, pythonOrigin: pythonOrigin)
        return DeploymentRequest(request: request, profile: profile, notes: notes)
    }

    static func origin(_ location: SourceLocation) -> Origin { Origin(location.description) }

    private static func parse(_ text: String, profile: Profile) throws(DeploymentRequestError) -> Requirement {
        do { return try Requirement(parsing: text) } catch {
            throw DeploymentRequestError(
                message: "profile \(profile.name): invalid requirement '\(text)': \(error.message)")
        }
    }

    static func choosePython(_ environment: DeclaredEnvironment, mode: EnvironmentMode, override: PythonVersion?)
        throws(DeploymentRequestError) -> (PythonVersion, Origin)
    {
        if let override { return (override, Origin("--python", isModel: false)) }
        let preferred: [PythonSource] =
            mode == .conda ? [.condaYAML, .pythonEnv, .mlmodel] : [.pythonEnv, .condaYAML, .mlmodel]
        for source in preferred {
            for statement in environment.python where statement.source == source {
                if let version = PythonVersion(statement.version) { return (version, origin(statement.location)) }
                if let minor = statement.minor, let version = PythonVersion(minor) {
                    return (version, origin(statement.location))
                }
            }
        }
        throw DeploymentRequestError(
            message:
                "the model does not state its Python version (no python pin in conda.yaml, python_env.yaml or MLmodel); pass --python X.Y"
        )
    }
}
