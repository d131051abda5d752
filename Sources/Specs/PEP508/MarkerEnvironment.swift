// The values markers are evaluated against.
//
// Traps:
// - Evaluation is static, for a deployment target, not for the running process: nothing is
//   filled in from the machine mlenv runs on. A variable the environment lacks is an error
//   (packaging's `UndefinedEnvironmentName`), except `extra`, which defaults to "" as in
//   packaging's "metadata" context.
// - `extras` and `dependency_groups` (lock-file markers) are sets; `extra` may be a set too, to
//   evaluate against several selected extras at once (packaging 26.4).
// - python_full_version of an untagged CPython build ends in "+"; packaging repairs it to
//   "+local" so it parses, and so do we.

/// Variables for marker evaluation: string-valued ones in `values`, set-valued ones in `sets`.
public struct MarkerEnvironment: Hashable, Sendable {
    public var values: [String: String]
    public var sets: [String: Set<String>]

    public init(values: [String: String] = [:], sets: [String: Set<String>] = [:]) {
        self.values = values
        self.sets = sets
    }

    /// The `extras` variable of lock files (PEP 751).
    public var extras: Set<String>? {
        get { sets["extras"] }
        set { sets["extras"] = newValue }
    }

    /// The `dependency_groups` variable of lock files (PEP 751).
    public var dependencyGroups: Set<String>? {
        get { sets["dependency_groups"] }
        set { sets["dependency_groups"] = newValue }
    }

    /// The extra being evaluated (`extra == "x"`); nil means none ("").
    public var extra: String? {
        get { values["extra"] }
        set { values["extra"] = newValue }
    }

    /// A CPython interpreter on Linux, as a deployment target: every PEP 508 variable set.
    /// `platform_release` and `platform_version` describe the kernel, which a build cannot know;
    /// they default to "" (so version comparisons on them are false, never an error).
    public static func target(
        pythonVersion: String = "3.11",
        fullVersion: String? = nil,
        machine: String = "x86_64",
        platformRelease: String = "",
        platformVersion: String = ""
    ) -> MarkerEnvironment {
        let full = fullVersion ?? pythonVersion + ".0"
        return MarkerEnvironment(values: [
            "implementation_name": "cpython",
            "implementation_version": full,
            "os_name": "posix",
            "platform_machine": machine,
            "platform_release": platformRelease,
            "platform_system": "Linux",
            "platform_version": platformVersion,
            "python_full_version": full,
            "platform_python_implementation": "CPython",
            "python_version": pythonVersion,
            "sys_platform": "linux"
        ])
    }

    /// The names PEP 508 defines (plus `extra`, `extras`, `dependency_groups`).
    public static let variableNames: [String] = [
        "implementation_name", "implementation_version", "os_name", "platform_machine",
        "platform_release", "platform_system", "platform_version", "python_full_version",
        "platform_python_implementation", "python_version", "sys_platform", "extra", "extras",
        "dependency_groups"
    ]
}
