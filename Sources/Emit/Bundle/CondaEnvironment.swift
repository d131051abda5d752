// A conda bundle's environment, created offline for `validate --run` by a real installer
// (CondaInstaller): the bundle's explicit lock, with its pkgs/conda/ paths made file:// URLs,
// into a fresh prefix in the run's scratch directory.
//
// The network stays unused three ways: the lock names only files of the bundle (a line that
// is not a pkgs/ path is refused before any installer runs); micromamba and conda run with
// --offline and their package cache in the scratch directory, py-rattler is given records whose
// URLs are those files; and every proxy variable points at 127.0.0.1:9 (discard, where nothing
// listens), so a request that got through anyway fails here instead of leaving the machine.

import Basics
import FoundationEssentials
import Glibc
import Specs

enum CondaEnvironment {
    static let installSeconds = 1200.0

    /// The proxy address that makes any network request fail at once.
    static let unreachableProxy = "http://127.0.0.1:9"

    static var offlineEnvironment: [String: String?] {
        var overrides: [String: String?] = [
            "NO_PROXY": nil, "no_proxy": nil, "CONDA_OFFLINE": "true", "CONDARC": "/dev/null"
        ]
        for name in ["HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"] {
            overrides[name] = unreachableProxy
            overrides[name.lowercased()] = unreachableProxy
        }
        return overrides
    }

    struct Outcome {
        let ok: Bool
        /// The report's step, e.g. "created the conda environment offline with py-rattler 0.28.0: 2 package(s) (pip 23.2.1, python 3.11.7)".
        let step: String
    }

    /// The bundle's env/conda-linux-64.bundle.lock as an @EXPLICIT file of file:// URLs, or why not.
    static func explicitLock(root: String) -> Result<String, BundleError> {
        guard let text = try? String(contentsOfFile: root + "/env/conda-linux-64.bundle.lock", encoding: .utf8) else {
            return .failure(BundleError("env/conda-linux-64.bundle.lock cannot be read"))
        }
        var lines = ["@EXPLICIT"]
        for (number, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingWhitespaceAndNewlines()
            if line.isEmpty || line.hasPrefix("#") || line == "@EXPLICIT" { continue }
            let parts = line.split(separator: "#", maxSplits: 1).map(String.init)
            // checkLocks has made sure each pkgs/ path is plain and in the bundle; anything
            // else (a URL above all) would be fetched by the installer.
            guard line.hasPrefix("pkgs/conda/"), BundleInventory.isPlainRelativePath(parts[0]) else {
                return .failure(
                    BundleError(
                        "env/conda-linux-64.bundle.lock:\(number + 1): '\(String(line.prefix(120)))' is not a pkgs/conda/ file of the bundle; refusing to install it"
                    ))
            }
            let md5 = parts.count == 2 ? parts[1] : ""
            guard md5.isEmpty || (md5.count == 32 && md5.allSatisfy(\.isHexDigit)) else {
                return .failure(
                    BundleError(
                        "env/conda-linux-64.bundle.lock:\(number + 1): '\(String(md5.prefix(40)))' is not an md5 digest"
                    ))
            }
            lines.append(URL(fileURLWithPath: root + "/" + parts[0]).absoluteString + (md5.isEmpty ? "" : "#" + md5))
        }
        guard lines.count > 1 else { return .failure(BundleError("env/conda-linux-64.bundle.lock lists no package")) }
        return .success(lines.joined(separator: "\n") + "\n")
    }

    /// Creates `prefix` from the bundle's conda packages.
    static func create(with installer: CondaInstaller, root: String, prefix: String, scratch: String) -> Outcome {
        let explicit: String
        switch explicitLock(root: root) {
        case .success(let text): explicit = text
        case .failure(let error):
            return Outcome(ok: false, step: "the conda environment was not created: \(error.message)")
        }
        let lockPath = scratch + "/explicit.lock"
        let packageCache = scratch + "/conda-pkgs"
        guard FileManager.default.createFile(atPath: lockPath, contents: Data(explicit.utf8)),
            (try? FileManager.default.createDirectory(atPath: packageCache, withIntermediateDirectories: true)) != nil
        else {
            return Outcome(
                ok: false,
                step: "the conda environment was not created: cannot write to the scratch directory \(scratch)")
        }
        var environment = offlineEnvironment
        environment["CONDA_PKGS_DIRS"] = packageCache
        let arguments: [String]
        switch installer.kind {
        case .micromamba:
            environment["MAMBA_ROOT_PREFIX"] = scratch + "/mamba-root"
            arguments = [
                "create", "--yes", "--offline", "--no-rc", "--root-prefix", scratch + "/mamba-root", "--prefix", prefix,
                "--file", lockPath
            ]
        case .conda:
            arguments = ["create", "--yes", "--offline", "--quiet", "--prefix", prefix, "--file", lockPath]
        case .pyRattler:
            arguments = ["-c", rattlerInstall, lockPath, prefix, packageCache]
        }
        let how = "with \(installer.label), offline"
        let (status, log) = runInstaller(
            installer.executable, arguments, environment: environment, log: scratch + "/conda-install.log")
        let installed = ((try? FileManager.default.contentsOfDirectory(atPath: prefix + "/conda-meta")) ?? [])
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
        guard let status, status == .exited(0) else {
            let tail = log.split(separator: "\n").suffix(8).joined(separator: " | ")
            let why =
                status == nil ? "it ran longer than \(Int(installSeconds)) s and was stopped" : "\(status!): \(tail)"
            return Outcome(ok: false, step: "creating the conda environment \(how) failed: \(why)")
        }
        let expected = explicit.split(separator: "\n").count - 1
        guard installed.count == expected else {
            return Outcome(
                ok: false,
                step:
                    "created the conda environment \(how), but its conda-meta lists \(installed.count) package(s) where the lock has \(expected)"
            )
        }
        return Outcome(
            ok: true,
            step:
                "created the conda environment \(how): \(installed.count) package(s) (\(installed.prefix(8).joined(separator: ", "))\(installed.count > 8 ? ", …" : ""))"
        )
    }

    /// Runs the installer to its end (nil: stopped after installSeconds), its output in `log`.
    /// Its process group goes with mlenv when mlenv is interrupted, and when it runs too long.
    static func runInstaller(
        _ executable: String, _ arguments: [String], environment overrides: [String: String?], log: String
    ) -> (ChildProcess.Termination?, String) {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in overrides { environment[key] = value }
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let process: ChildProcess
        do {
            process = try ChildProcess.launch(
                executable, arguments: arguments, environment: environment, standardOutput: .file(log),
                standardError: .file(log))
        } catch {
            return (.exited(-1), error.description)
        }
        let token = Interruption.guardProcessGroup(process.processIdentifier)
        defer { Interruption.release(token) }
        let deadline = ContinuousClock.now + .seconds(installSeconds)
        while process.isRunning && ContinuousClock.now < deadline { usleep(100_000) }
        var status: ChildProcess.Termination? = nil
        if process.isRunning {
            process.sendToGroup(SIGKILL)
            _ = process.waitUntilExit()
        } else {
            process.waitUntilExit()
            status = process.termination
        }
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        return (status, text)
    }

    /// py-rattler: the explicit lock read by rattler's own parser; each file's record taken
    /// from its info/index.json (with the file's size, sha256 and md5); then rattler's
    /// installer links them into the prefix, from file:// URLs only, without link scripts.
    /// It leaves with os._exit: py-rattler's runtime threads may call into Python while the
    /// interpreter finalizes, which ended about 1 run in 10 here with SIGSEGV or SIGABRT
    /// ("PyGILState_Release: thread state ... must be current") after a complete install.
    static let rattlerInstall = """
        import asyncio, os, sys, traceback, urllib.parse, urllib.request
        from pathlib import Path
        from rattler import PackageRecord, RepoDataRecord, install
        from rattler.explicit_environment import ExplicitEnvironmentSpec
        from rattler.package_streaming import extract

        def leave(status, message=None):
            if message:
                print(message, file=sys.stderr)
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(status)

        lock, prefix, cache = sys.argv[1:4]
        try:
            records = []
            for entry in ExplicitEnvironmentSpec.from_path(Path(lock)).packages:
                url = urllib.parse.urlsplit(entry.url)
                if url.scheme != "file":
                    leave(2, f"refusing {entry.url}: only the bundle's files are installed")
                path = urllib.request.url2pathname(url.path)
                name = os.path.basename(path)
                unpacked = os.path.join(cache, "index", name)
                sha256, md5 = extract(path, unpacked)
                record = PackageRecord.from_index_json(os.path.join(unpacked, "info", "index.json"),
                                                       size=os.path.getsize(path), sha256=sha256.hex(), md5=md5.hex())
                records.append(RepoDataRecord(record, name, Path(path).as_uri(), Path(path).parent.as_uri()))
            asyncio.run(install(records, target_prefix=prefix, cache_dir=os.path.join(cache, "cache"),
                                show_progress=False, execute_link_scripts=False))
        except BaseException:
            leave(1, traceback.format_exc())
        leave(0)
        """
}
