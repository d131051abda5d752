// The machine a resolution is for: CPython X.Y on Linux x86_64 with a given glibc. Wheel tags,
// Requires-Python, markers and conda virtual packages are all decided against it.

import Specs

public struct PythonVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    /// The full version when known (`3.11.9`), for markers' `python_full_version`.
    public let micro: Int?

    public init(major: Int, minor: Int, micro: Int? = nil) {
        self.major = major
        self.minor = minor
        self.micro = micro
    }

    /// `3.11`, `3.11.9`; nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts.count <= 3, let major = Int(parts[0]), let minor = Int(parts[1]) else {
            return nil
        }
        var micro: Int?
        if parts.count == 3 {
            guard let m = Int(parts[2].prefix { $0.isNumber }), !parts[2].isEmpty else { return nil }
            micro = m
        }
        self.init(major: major, minor: minor, micro: micro)
    }

    public var minorString: String { "\(major).\(minor)" }

    /// `3.11.9`. When only the minor is known (`--python 3.11`, a `python:3.11-slim` image), the
    /// newest patch release is assumed: images ship it, and Requires-Python such as
    /// `!=3.9.0,!=3.9.1` (cryptography) would otherwise exclude what installs there.
    public var fullString: String { "\(major).\(minor).\(micro ?? PythonVersion.newestPatch[minorString] ?? 0)" }

    /// The newest patch release of each CPython minor (as of 2026-11).
    static let newestPatch: [String: Int] = [
        "3.6": 15, "3.7": 17, "3.8": 20, "3.9": 25, "3.10": 19, "3.11": 14, "3.12": 12, "3.13": 9, "3.14": 0
    ]
    public var description: String { micro.map { "\(major).\(minor).\($0)" } ?? minorString }
    /// `cp311`
    public var cpythonTag: String { "cp\(major)\(minor)" }

    public static func < (a: PythonVersion, b: PythonVersion) -> Bool {
        (a.major, a.minor, a.micro ?? 0) < (b.major, b.minor, b.micro ?? 0)
    }
}

public struct GlibcVersion: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let major: Int
    public let minor: Int
    public init(_ major: Int, _ minor: Int) {
        self.major = major
        self.minor = minor
    }
    public var description: String { "\(major).\(minor)" }
    public static func < (a: GlibcVersion, b: GlibcVersion) -> Bool { (a.major, a.minor) < (b.major, b.minor) }
}

public struct Target: Hashable, Sendable, CustomStringConvertible {
    public var python: PythonVersion
    public var glibc: GlibcVersion
    public var architecture: String
    /// conda subdirs, in the order records are preferred.
    public var condaSubdirs: [String]

    /// Ubuntu 22.04 (Azure ML's inference-base-2204) ships glibc 2.35.
    public static let defaultGlibc = GlibcVersion(2, 35)

    public init(
        python: PythonVersion, glibc: GlibcVersion = Target.defaultGlibc, architecture: String = "x86_64",
        condaSubdirs: [String] = ["linux-64", "noarch"]
    ) {
        self.python = python
        self.glibc = glibc
        self.architecture = architecture
        self.condaSubdirs = condaSubdirs
    }

    public var description: String { "CPython \(python) on Linux \(architecture), glibc \(glibc)" }

    /// PEP 508 marker variables for this target (CPython on Linux).
    public var markerEnvironment: MarkerEnvironment {
        MarkerEnvironment.target(pythonVersion: python.minorString, fullVersion: python.fullString)
    }
}
