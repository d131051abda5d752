// The answer of a solve: the pinned set with why each package is there, or why nothing works.

import Channels
import Requests
import Specs

public struct ResolvedPackage: Hashable, Sendable {
    public let name: String
    public let version: String
    public let ecosystem: Ecosystem
    /// conda build string; nil for wheels.
    public let build: String?
    public let filename: String
    /// Where the file is: a path or URL (conda: channel/subdir/file; PyPI: as the index lists it).
    public let url: String
    /// The index or channel it came from (for relative lock URLs).
    public let source: String
    public let sha256: String?
    public let md5: String?
    public let size: Int64?
    /// conda subdir or the wheel's tags.
    public let platform: String?
    /// conda `depends` strings, or the Requires-Dist lines that applied.
    public let dependencies: [String]
    /// Extras installed with a PyPI package.
    public var extras: [String]
    /// Who asked for it: request origins (`conda.yaml:6:3`, `profile azureml-online`) and
    /// the packages that depend on it (`scikit-learn`).
    public var requestedBy: [String]
    /// The requests (model files, profile) that named it directly.
    public var requestOrigins: [Origin]
    public let license: String?
    /// An sdist: pip builds it into a wheel where it is installed (`mlenv package` builds it
    /// once, into the bundle).
    public var isSource: Bool = false

    /// The same package as another file of it (a wheel built from its sdist).
    public func asBuiltWheel(filename: String, path: String, sha256: String, size: Int64?) -> ResolvedPackage {
        ResolvedPackage(
            name: name, version: version, ecosystem: ecosystem, build: nil, filename: filename, url: path,
            source: source,
            sha256: sha256, md5: nil, size: size, platform: nil, dependencies: dependencies, extras: extras,
            requestedBy: requestedBy, requestOrigins: requestOrigins, license: license)
    }
}

public struct Resolution: Sendable {
    public let python: PythonVersion
    public let mode: EnvironmentMode
    /// conda first, then PyPI; by name within each.
    public let packages: [ResolvedPackage]

    public init(python: PythonVersion, mode: EnvironmentMode, packages: [ResolvedPackage]) {
        self.python = python
        self.mode = mode
        self.packages = packages
    }

    public func package(_ name: String, _ ecosystem: Ecosystem? = nil) -> ResolvedPackage? {
        packages.first { $0.name == name && (ecosystem == nil || $0.ecosystem == ecosystem) }
    }
}

/// Why a request cannot be met, in the user's terms.
public struct Explanation: Sendable, CustomStringConvertible {
    /// One entry per independent problem libsolv found: its steps, as data.
    public let steps: [[ExplanationStep]]
    /// Extra facts (what versions exist, what was excluded and why), as data.
    public let hintItems: [ExplanationHint]
    /// Why: something asked for is in no source at all (`missing`: a gap of the sources or a
    /// wrong pin), or everything exists but no set satisfies every requirement (`conflict`).
    public var cause: Cause = .conflict

    public enum Cause: String, Sendable {
        case missing, conflict
    }

    public init(steps: [[ExplanationStep]], hints: [ExplanationHint], cause: Cause = .conflict) {
        self.steps = steps
        var seen = Set<String>()
        self.hintItems = hints.filter { seen.insert($0.description).inserted }
        self.cause = cause
    }

    /// Each problem's steps as sentences (ExplanationText).
    public var problems: [[String]] { steps.map { $0.map(\.description) } }
    /// The hints as sentences.
    public var hints: [String] { hintItems.map(\.description) }

    public var description: String {
        var lines: [String] = []
        for (i, problem) in problems.enumerated() {
            if problems.count > 1 { lines.append("Problem \(i + 1):") }
            lines += problem.map { "  - " + $0 }
        }
        if !hints.isEmpty {
            lines.append("Hints:")
            lines += hints.map { "  - " + $0 }
        }
        return lines.joined(separator: "\n")
    }
}

public enum SolveOutcome: Sendable {
    case resolved(Resolution)
    case unsatisfiable(Explanation)
}

public struct SolveError: KindedFailure, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    /// `.badInput` when no verdict was reached through no fault of the solve: the sources could
    /// not be read (a channel or index unreachable, malformed, or not cached under --offline),
    /// or the request holds what mlenv does not resolve (a direct URL requirement).
    public let failureKind: FailureKind
    public init(_ message: String, kind: FailureKind = .verdict) {
        self.message = message
        self.failureKind = kind
    }
    public var description: String { message }
}
