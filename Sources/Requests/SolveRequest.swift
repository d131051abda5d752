// What to solve: one value (rattler's SolverTask), plain data.

import Specs

/// Where a requirement came from, as the user should read it: `conda.yaml:9:5`,
/// `requirements.txt:4:1`, `profile azureml-online`, `--with`.
public struct Origin: Hashable, Sendable, CustomStringConvertible {
    public let text: String
    /// True for requirements the model itself states (as opposed to a profile or the command line).
    public let isModel: Bool
    public init(_ text: String, isModel: Bool = true) {
        self.text = text
        self.isModel = isModel
    }
    public var description: String { text }
}

public struct CondaRequest: Hashable, Sendable {
    public let spec: MatchSpec
    public let text: String
    public let origin: Origin
    public init(spec: MatchSpec, text: String, origin: Origin) {
        self.spec = spec
        self.text = text
        self.origin = origin
    }
}

public struct PipRequest: Hashable, Sendable {
    public let requirement: Requirement
    public let text: String
    public let origin: Origin
    /// A `-c` constraint: limits versions, installs nothing by itself.
    public let isConstraint: Bool
    public init(requirement: Requirement, text: String, origin: Origin, isConstraint: Bool = false) {
        self.requirement = requirement
        self.text = text
        self.origin = origin
        self.isConstraint = isConstraint
    }
}

public enum EnvironmentMode: String, Hashable, Sendable {
    /// conda creates the environment (python from conda), then pip installs the `pip:` list.
    case conda
    /// A Python from the base image; pip installs everything.
    case virtualenv
}

/// A conda virtual package the deployment target provides (`__glibc 2.35`).
public struct VirtualPackage: Hashable, Sendable {
    public let name: String
    public let version: String
    public let build: String
    public init(name: String, version: String, build: String = "0") {
        self.name = name
        self.version = version
        self.build = build
    }
}

public struct SolveRequest: Sendable {
    public var target: Target
    public var mode: EnvironmentMode
    public var conda: [CondaRequest]
    public var pip: [PipRequest]
    public var virtualPackages: [VirtualPackage]
    /// Where the Python version came from, for explanations.
    public var pythonOrigin: Origin

    public init(
        target: Target, mode: EnvironmentMode, conda: [CondaRequest] = [], pip: [PipRequest] = [],
        virtualPackages: [VirtualPackage]? = nil, pythonOrigin: Origin = Origin("--python", isModel: false)
    ) {
        self.target = target
        self.mode = mode
        self.conda = conda
        self.pip = pip
        self.virtualPackages = virtualPackages ?? SolveRequest.defaultVirtualPackages(for: target)
        self.pythonOrigin = pythonOrigin
    }

    /// What a Linux x86_64 machine with the target's glibc reports.
    public static func defaultVirtualPackages(for target: Target) -> [VirtualPackage] {
        [
            VirtualPackage(name: "__glibc", version: target.glibc.description),
            VirtualPackage(name: "__linux", version: "5.15"),
            VirtualPackage(name: "__unix", version: "0"),
            VirtualPackage(name: "__archspec", version: "1", build: target.architecture)
        ]
    }
}
