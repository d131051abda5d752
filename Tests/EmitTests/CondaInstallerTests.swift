// Which conda installer `validate --run` picks, and the explicit lock it hands over: only the
// bundle's own pkgs/conda files, as file:// URLs (a URL in the lock would be a download).
// The installers here are small scripts that answer --version like micromamba and conda do: the
// search order is what is tested; EndToEndCondaBundleTests installs with a real one.

import Foundation
import Testing

@testable import Emit

@Suite struct CondaInstallerTests {
    /// A scratch directory with executables `name` printing `versionLine` for --version.
    static func bin(_ programs: [String: String]) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-installers-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, versionLine) in programs {
            let path = directory.appendingPathComponent(name).path
            try "#!/bin/sh\necho '\(versionLine)'\n".write(toFile: path, atomically: true, encoding: .utf8)
            chmod(path, 0o755)
        }
        return directory.path
    }

    @Test func micromambaFirstThenCondaThenNothing() throws {
        let both = try Self.bin(["micromamba": "2.0.5", "conda": "conda 24.7.1"])
        let condaOnly = try Self.bin(["conda": "conda 24.7.1"])
        defer { for d in [both, condaOnly] { try? FileManager.default.removeItem(atPath: d) } }
        #expect(
            CondaInstallerSearch.find(
                named: nil, python: "python-that-is-not-there", searchPath: "/nonexistent:" + both)
                == .found(CondaInstaller(kind: .micromamba, executable: both + "/micromamba", version: "2.0.5")))
        #expect(
            CondaInstallerSearch.find(named: nil, python: "python-that-is-not-there", searchPath: condaOnly)
                == .found(CondaInstaller(kind: .conda, executable: condaOnly + "/conda", version: "24.7.1")))
        guard
            case .none(let lookedFor) = CondaInstallerSearch.find(
                named: nil, python: "python-that-is-not-there", searchPath: "")
        else {
            Issue.record("an empty PATH found an installer")
            return
        }
        #expect(
            lookedFor
                == "micromamba and conda on PATH, py-rattler in python-that-is-not-there; name one with --conda-installer or MLENV_CONDA_INSTALLER"
        )
    }

    @Test func aNamedInstallerWinsOrIsRefusedWithTheReason() throws {
        let directory = try Self.bin([
            "micromamba": "2.0.5", "mamba": "mamba 1.5.8", "tool": "1.0", "python3": "not python"
        ])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(
            CondaInstallerSearch.find(named: "mamba", python: "python3", searchPath: directory)
                == .found(CondaInstaller(kind: .conda, executable: directory + "/mamba", version: "1.5.8")))
        #expect(
            CondaInstallerSearch.find(named: directory + "/tool", python: "python3", searchPath: directory)
                == .unusable(
                    "the conda installer '\(directory)/tool' is none of micromamba, conda, mamba or a python interpreter (by its file name)"
                ))
        // This "python3" exits 0 for any arguments, but what it prints is no version.
        #expect(
            CondaInstallerSearch.find(named: directory + "/python3", python: "python3", searchPath: directory)
                == .unusable("\(directory)/python3 cannot import rattler (install the PyPI package py-rattler into it)")
        )
        #expect(
            CondaInstallerSearch.find(named: "no-such-installer", python: "python3", searchPath: directory)
                == .unusable(
                    "the conda installer 'no-such-installer' (--conda-installer or MLENV_CONDA_INSTALLER) is not an executable file or a command on PATH"
                ))
    }

    @Test func theExplicitLockNamesOnlyTheBundlesFiles() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-explicit-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("env"), withIntermediateDirectories: true)
        let lock = root.appendingPathComponent("env/conda-linux-64.bundle.lock")
        let md5 = String(repeating: "a", count: 32)
        try "# header\n@EXPLICIT\npkgs/conda/python-3.11.7-h0.conda#\(md5)\npkgs/conda/pip-24.0-py_0.tar.bz2\n".write(
            to: lock, atomically: true, encoding: .utf8)
        let written = try CondaEnvironment.explicitLock(root: root.path).get()
        #expect(
            written
                == "@EXPLICIT\nfile://\(root.path)/pkgs/conda/python-3.11.7-h0.conda#\(md5)\nfile://\(root.path)/pkgs/conda/pip-24.0-py_0.tar.bz2\n"
        )

        for (line, message) in [
            (
                "https://example.invalid/linux-64/evil-1-0.conda#\(md5)",
                "env/conda-linux-64.bundle.lock:3: 'https://example.invalid/linux-64/evil-1-0.conda#\(md5)' is not a pkgs/conda/ file of the bundle; refusing to install it"
            ),
            (
                "pkgs/conda/../../etc/x.conda",
                "env/conda-linux-64.bundle.lock:3: 'pkgs/conda/../../etc/x.conda' is not a pkgs/conda/ file of the bundle; refusing to install it"
            ),
            ("pkgs/conda/a-1-0.conda#not-an-md5", "env/conda-linux-64.bundle.lock:3: 'not-an-md5' is not an md5 digest")
        ] {
            try "# header\n@EXPLICIT\n\(line)\n".write(to: lock, atomically: true, encoding: .utf8)
            #expect(throws: BundleError(message)) { try CondaEnvironment.explicitLock(root: root.path).get() }
        }
        try "@EXPLICIT\n".write(to: lock, atomically: true, encoding: .utf8)
        #expect(throws: BundleError("env/conda-linux-64.bundle.lock lists no package")) {
            try CondaEnvironment.explicitLock(root: root.path).get()
        }
    }
}
