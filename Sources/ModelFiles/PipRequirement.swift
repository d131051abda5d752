// One requirement as pip would read it from a requirements file, a conda.yaml `pip:` list or
// python_env.yaml `dependencies`, with where it was written.

import Specs

public enum EnvironmentKind: String, Hashable, Sendable {
    /// conda.yaml (conda dependencies and its `pip:` list).
    case conda
    /// python_env.yaml and the requirement files it names.
    case virtualenv
}

public struct PipRequirement: Hashable, Sendable {
    public enum Form: String, Hashable, Sendable {
        /// `name[extras] specifier ; marker`, or `name @ url` (PEP 508).
        case named
        /// A URL without a name (`https://.../x.whl`, `git+https://...#egg=x`).
        case url
        /// A local file or directory (`./pkg`, `dist/x-1.0-py3-none-any.whl`).
        case path
        /// `-e` / `--editable`.
        case editable
    }

    public let text: String
    public let form: Form
    /// The PEP 508 requirement, for the named form.
    public let requirement: Requirement?
    /// The project name when known: from the requirement, or a URL's `#egg=` fragment.
    public let name: String?
    public let hashes: [String]
    /// From a `-c` constraints file: limits versions, installs nothing by itself.
    public let isConstraint: Bool
    public let location: SourceLocation
    public let environment: EnvironmentKind

    public var normalizedName: NormalizedName? { name.map { NormalizedName($0) } }

    /// True for a VCS URL (`git+https://...`).
    public var isVCS: Bool {
        let lower = (requirement?.url ?? text).lowercased()
        return ["git+", "hg+", "svn+", "bzr+"].contains { lower.hasPrefix($0) }
    }
}

/// A pip option in a requirements file (`--index-url URL`, `--pre`, ...). `name` is the long form.
public struct PipOption: Hashable, Sendable {
    public let name: String
    public let value: String?
    public let location: SourceLocation
    public let environment: EnvironmentKind
}
