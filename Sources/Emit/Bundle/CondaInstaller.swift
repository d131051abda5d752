// Which program creates a conda bundle's environment for `validate --run`. mlenv installs no
// conda itself: it uses one the machine has, in this order,
// 1. the one named by --conda-installer or MLENV_CONDA_INSTALLER (a path or a command name:
//    micromamba, conda or mamba, or a Python interpreter that imports py-rattler);
// 2. micromamba, then conda, on PATH;
// 3. py-rattler (the PyPI package `py-rattler`, the conda installer library behind pixi)
//    in the --python-executable interpreter.
// The kind of a named program comes from its file name; a Python is asked for py-rattler's
// version, so one without it is passed over (or, when named, refused with the reason).

import Basics
import FoundationEssentials
import JSON
import Specs

public struct CondaInstaller: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case micromamba
        /// conda, or mamba (which takes conda's `create` arguments).
        case conda
        case pyRattler = "py-rattler"
    }

    public let kind: Kind
    /// The micromamba / conda executable, or the Python interpreter that imports rattler.
    public let executable: String
    public let version: String

    /// "py-rattler 0.28.0", "micromamba 2.0.5".
    public var label: String { "\(kind.rawValue) \(version)" }

    public var json: JSONValue {
        ["name": .string(kind.rawValue), "version": .string(version), "executable": .string(executable)]
    }
}

public enum CondaInstallerSearch {
    /// The environment variable that names an installer, as --conda-installer does.
    public static let environmentVariable = "MLENV_CONDA_INSTALLER"

    /// The outcome: an installer, nothing (with what was looked for), or a named one that cannot
    /// be used (with why).
    public enum Outcome: Sendable, Equatable {
        case found(CondaInstaller)
        case none(lookedFor: String)
        case unusable(String)
    }

    /// `named`: --conda-installer, else MLENV_CONDA_INSTALLER; `python`: --python-executable.
    public static func find(
        named: String?, python: String, searchPath: String? = ProcessInfo.processInfo.environment["PATH"]
    ) -> Outcome {
        let directories = (searchPath ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        if let named, !named.isEmpty {
            guard let executable = locate(named, in: directories) else {
                return .unusable(
                    "the conda installer '\(named)' (--conda-installer or \(environmentVariable)) is not an executable file or a command on PATH"
                )
            }
            let base = URL(fileURLWithPath: executable).lastPathComponent
            if base.hasPrefix("micromamba") {
                return probe(.micromamba, executable).map(Outcome.found) ?? .unusable("\(executable) --version failed")
            }
            if base.hasPrefix("conda") || base.hasPrefix("mamba") {
                return probe(.conda, executable).map(Outcome.found) ?? .unusable("\(executable) --version failed")
            }
            if base.hasPrefix("python") {
                return probe(.pyRattler, executable).map(Outcome.found)
                    ?? .unusable("\(executable) cannot import rattler (install the PyPI package py-rattler into it)")
            }
            return .unusable(
                "the conda installer '\(named)' is none of micromamba, conda, mamba or a python interpreter (by its file name)"
            )
        }
        for (kind, name) in [(CondaInstaller.Kind.micromamba, "micromamba"), (.conda, "conda")] {
            if let executable = locate(name, in: directories), let installer = probe(kind, executable) {
                return .found(installer)
            }
        }
        if let executable = locate(python, in: directories), let installer = probe(.pyRattler, executable) {
            return .found(installer)
        }
        return .none(
            lookedFor:
                "micromamba and conda on PATH, py-rattler in \(python); name one with --conda-installer or \(environmentVariable)"
        )
    }

    /// A path as given (made absolute), or the first PATH directory holding the command.
    static func locate(_ command: String, in directories: [String]) -> String? {
        if command.containsLiteral("/") {
            let path = URL(fileURLWithPath: command).standardizedFileURL.path
            return FileManager.default.isExecutableFile(atPath: path) ? path : nil
        }
        for directory in directories {
            let path = directory + "/" + command
            var isDirectory = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory,
                FileManager.default.isExecutableFile(atPath: path)
            {
                return path
            }
        }
        return nil
    }

    static let probeSeconds = 60.0

    /// The installer's version, which also shows that it runs (and, for a Python, that it has rattler).
    static func probe(_ kind: CondaInstaller.Kind, _ executable: String) -> CondaInstaller? {
        let arguments: [String]
        switch kind {
        case .micromamba, .conda: arguments = ["--version"]
        case .pyRattler:
            arguments = ["-c", "import importlib.metadata, rattler; print(importlib.metadata.version('py-rattler'))"]
        }
        guard let finished = try? ChildProcess.run(executable, arguments: arguments, timeout: probeSeconds),
            finished.status == 0
        else { return nil }
        // `conda --version` prints "conda 24.7.1"; micromamba only the number.
        let text = String(decoding: finished.output, as: UTF8.self).trimmingWhitespaceAndNewlines()
        let version = text.split(separator: " ").last.map(String.init) ?? ""
        guard version.first?.isNumber == true, version.count <= 64,
            version.allSatisfy({ $0.isLetter || $0.isNumber || ".+-_".contains($0) })
        else { return nil }
        return CondaInstaller(kind: kind, executable: executable, version: version)
    }
}
