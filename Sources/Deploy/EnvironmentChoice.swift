// Which of a model's environments a deployment builds, and so which of its files matter.
//
// The platforms read only the environment they build: Azure ML builds conda.yaml (a model
// with only python_env.yaml gets a Python image), `mlflow models serve` builds a virtualenv
// from python_env.yaml, and when that file is absent MLflow makes the virtualenv from
// conda.yaml's python pin and requirements.txt (or conda.yaml's `pip:` list), leaving conda
// packages out (mlflow/utils/virtualenv.py `_get_python_env`). So a missing or broken file of
// the other environment is a warning for this deployment, never a refusal.

import ModelFiles
import Requests

public struct EnvironmentChoice: Sendable {
    public let mode: EnvironmentMode
    /// The environment kinds whose files the deployment reads.
    public let reads: Set<EnvironmentKind>
    /// Set when the virtualenv is MLflow's derivation from conda.yaml.
    public let derived: DerivedVirtualEnvironment?
    /// What the user should know about the choice.
    public let notes: [String]
    let deploymentName: String

    public static func choose(_ environment: DeclaredEnvironment, profile: Profile, forced: EnvironmentMode?)
        -> EnvironmentChoice
    {
        let present = environment.present
        let mode: EnvironmentMode
        if let forced {
            mode = forced
        } else if profile.preferredMode == "virtualenv" {
            mode = .virtualenv
        } else {
            mode = !present.contains(.conda) && present.contains(.virtualenv) ? .virtualenv : .conda
        }
        var reads: Set<EnvironmentKind> = [mode == .conda ? .conda : .virtualenv]
        var derived: DerivedVirtualEnvironment?
        var notes: [String] = []
        switch mode {
        case .conda:
            if !present.contains(.conda) && environment.virtualenv != nil {
                reads.insert(.virtualenv)
                notes.append(
                    "the model has no conda.yaml; its python_env.yaml requirements go into a conda environment")
            }
        case .virtualenv:
            if !present.contains(.virtualenv) { reads.insert(.conda) }
            if !present.contains(.virtualenv), let derivation = environment.derivedVirtualenv {
                derived = derivation
                notes.append(
                    "the model has no python_env.yaml: the virtualenv is made from \(derivation.sources.joined(separator: " and ")) as MLflow does (python from conda.yaml's pin, packages from \(derivation.sources.count > 1 ? "requirements.txt" : "conda.yaml's pip: list"))"
                )
            }
        }
        return EnvironmentChoice(mode: mode, reads: reads, derived: derived, notes: notes, deploymentName: profile.name)
    }

    /// The model's diagnostics as this deployment sees them: an error in a file it does not
    /// read is a warning that says so, a python_env.yaml MLflow does without is a warning,
    /// and conda packages a derived virtualenv leaves out are a warning at their line.
    public func diagnostics(of environment: DeclaredEnvironment) -> [Diagnostic] {
        var result: [Diagnostic] = []
        for diagnostic in environment.diagnostics {
            guard diagnostic.severity == .error, let scope = diagnostic.scope else {
                result.append(diagnostic)
                continue
            }
            if !reads.contains(scope) {
                let built = mode == .conda ? "the conda environment (conda.yaml)" : "the virtualenv (python_env.yaml)"
                result.append(
                    diagnostic.demoted(
                        to: .warning, because: "\(deploymentName) builds \(built) and does not read this file"))
            } else if scope == .virtualenv && derived != nil && diagnostic.code == "missing-env-file" {
                result.append(
                    diagnostic.demoted(
                        to: .warning,
                        because:
                            "MLflow makes the virtualenv from \(derived!.sources.joined(separator: " and ")) instead"))
            } else {
                result.append(diagnostic)
            }
        }
        if let derived, !derived.condaOnly.isEmpty {
            let names = derived.condaOnly.map(\.text).joined(separator: ", ")
            result.append(
                Diagnostic(
                    .warning, "conda-packages-left-out",
                    "the virtualenv MLflow makes from conda.yaml does not install its conda packages (\(names)); unless a pip requirement provides them the model may fail to load. Build conda.yaml instead with --env-manager conda",
                    at: derived.condaOnly[0].location))
        }
        return result
    }

    /// The errors that stop this deployment: in files it reads, or in the model as a whole.
    public func errors(of environment: DeclaredEnvironment) -> [Diagnostic] {
        diagnostics(of: environment).filter { $0.severity == .error }
    }
}
