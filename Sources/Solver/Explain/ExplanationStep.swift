// An explanation as data: each step of a problem is a cause (libsolv's rule kinds, in the
// user's terms), each hint a typed fact about what the channels offer. `ExplanationText` is
// the one place these become sentences; lint rules and the JSON output match on the kinds.
// rattler's `solve_problem.rs` and SwiftPM's `Incompatibility.Cause` are the models.

import Channels

/// Some versions of one package, as the explanation names them (`scikit-learn 0.24.2 (conda)`).
/// `name` is the display name (a PyPI extra shows as `name[extra]`); `versions` are sorted
/// oldest first, every one listed (the text abbreviates long lists).
public struct PackageVersions: Hashable, Sendable {
    public var name: String
    public var ecosystem: String
    public var versions: [String]

    public init(name: String, ecosystem: String, versions: [String]) {
        self.name = name
        self.ecosystem = ecosystem
        self.versions = versions
    }
}

/// One step of a problem.
public enum ExplanationStep: Hashable, Sendable {
    /// A requirement of the model or the deployment (libsolv's job rule); `provided` is false
    /// when no package in the channels provides it.
    case request(origin: String, requirement: String, provided: Bool)
    /// These versions of a package require something (libsolv's requires rule); `provided` is
    /// false when no package in the channels provides it.
    case dependency(PackageVersions, requirement: String, provided: Bool)
    /// A conda `constrains` entry of these versions excludes those of another package.
    case constraint(PackageVersions, requirement: String, excludes: PackageVersions)
    /// A PyPI and a conda package install the same files.
    case sameFiles(pypi: PackageVersions, conda: PackageVersions)
    /// A conflict libsolv reports against a dependency without a package on the other side.
    case conflict(PackageVersions, requirement: String)
    /// A package that cannot be installed on the target (libsolv's not-installable rule).
    case notInstallable(PackageVersions)
    /// These conda builds are made only for other Pythons: what the python/python_abi rules
    /// of a problem say, in one step.
    case builtOnlyForPython(PackageVersions, pythons: [String])

    /// A stable name of the kind (JSON).
    public var kind: String {
        switch self {
        case .request: return "request"
        case .dependency: return "dependency"
        case .constraint: return "constraint"
        case .sameFiles: return "same_files"
        case .conflict: return "conflict"
        case .notInstallable: return "not_installable"
        case .builtOnlyForPython: return "built_only_for_python"
        }
    }

    /// The packages the step is about (the subject first).
    public var packages: [PackageVersions] {
        switch self {
        case .request: return []
        case .dependency(let p, _, _), .conflict(let p, _), .notInstallable(let p), .builtOnlyForPython(let p, _):
            return [p]
        case .constraint(let p, _, let excluded): return [p, excluded]
        case .sameFiles(let pypi, let conda): return [pypi, conda]
        }
    }

    /// The requirement text the step quotes, if any.
    public var requirement: String? {
        switch self {
        case .request(_, let r, _), .dependency(_, let r, _), .constraint(_, let r, _), .conflict(_, let r): return r
        case .sameFiles, .notInstallable, .builtOnlyForPython: return nil
        }
    }

    /// The requirement nothing in the channels provides, if that is what the step says.
    public var unprovided: String? {
        switch self {
        case .request(_, let r, false), .dependency(_, let r, false): return r
        default: return nil
        }
    }
}

/// Where a stamped mirror's files stop: what a hint about a project missing from it says.
public struct MirrorScope: Hashable, Sendable {
    public var index: String
    public var platform: String
    public var pythons: [String]
}

/// A fact that helps read a problem.
public enum ExplanationHint: Hashable, Sendable {
    /// The PyPI indexes have no page for the project.
    case notInIndexes(name: String)
    /// These releases have only source distributions.
    case sourceOnly(name: String, versions: [String])
    /// One release's wheels are all for other Pythons (`tags`: their Python tags).
    case wheelsOnlyForOtherPythons(name: String, version: String, tags: [String], target: String)
    /// These releases' files cannot be used, for one reason.
    case unavailable(name: String, versions: [String], reason: Unavailability)
    /// No release the requirement admits; `mirror` when a stamped mirror keeps only some files.
    case noAdmittedRelease(name: String, mirror: MirrorScope?)
    /// The versions that do install on the target.
    case installableVersions(name: String, target: String, versions: [String])
    /// A virtual package (`__cuda`) the target provides in these versions, or does not (empty).
    case virtualPackage(name: String, provided: [String])
    /// No conda package of the name in these channels.
    case noCondaPackage(name: String, channels: [String])
    /// The versions of a conda package the channels have.
    case condaVersions(name: String, versions: [String])
    /// A requested conda package is built only for other Pythons than the target's.
    case builtOnlyForPython(requirement: String, origin: String, pythons: [String], target: String)
    /// Only the requests nothing provides are shown (`remote`: a remote index; otherwise
    /// releases were left out).
    case onlyMissingShown(remote: Bool, releasesLeftOut: Int, projects: Int)
    /// The conflicts hold whatever releases were left out.
    case conflictsProven(releasesLeftOut: Int, projects: Int)

    public var kind: String {
        switch self {
        case .notInIndexes: return "not_in_indexes"
        case .sourceOnly: return "source_only"
        case .wheelsOnlyForOtherPythons: return "wheels_only_for_other_pythons"
        case .unavailable: return "unavailable"
        case .noAdmittedRelease: return "no_admitted_release"
        case .installableVersions: return "installable_versions"
        case .virtualPackage: return "virtual_package"
        case .noCondaPackage: return "no_conda_package"
        case .condaVersions: return "conda_versions"
        case .builtOnlyForPython: return "built_only_for_python"
        case .onlyMissingShown: return "only_missing_shown"
        case .conflictsProven: return "conflicts_proven"
        }
    }

    /// The package the hint is about, as lint ties hints to problems (nil: about no package
    /// of a problem's, such as the target's virtual packages or a requirement text).
    public var subject: String? {
        switch self {
        case .notInIndexes(let n), .sourceOnly(let n, _), .wheelsOnlyForOtherPythons(let n, _, _, _),
            .unavailable(let n, _, _),
            .noAdmittedRelease(let n, _), .installableVersions(let n, _, _), .noCondaPackage(let n, _),
            .condaVersions(let n, _):
            return n
        case .virtualPackage, .builtOnlyForPython, .onlyMissingShown, .conflictsProven:
            return nil
        }
    }
}
