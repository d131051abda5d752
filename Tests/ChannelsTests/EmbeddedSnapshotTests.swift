// Known facts of the embedded PyPI snapshot (channels/pypi, made by `mlenv mirror`, see
// channels/README.md), and the snapshot served on loopback to pip, uv and `mlenv mirror` itself.

import Channels
import Foundation
import JSON
import Requests
import Specs
import Testing

@Suite struct EmbeddedSnapshotTests {
    static let py311 = Target(python: PythonVersion(major: 3, minor: 11, micro: 9))

    func channels(_ target: Target = EmbeddedSnapshotTests.py311) throws -> ChannelSet {
        try ChannelSet(
            condaChannels: [CondaChannel(Paths.embeddedCondaForge)], pypiIndexes: [PyPIIndex(Paths.embeddedPyPI)],
            target: target)
    }

    @Test func numpyWheelTagsAndRequiresPython() throws {
        let candidates = try channels().pypiCandidates(NormalizedName("numpy"))
        let file = try #require(
            candidates.first {
                $0.file.filename == "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
            })
        #expect(file.file.requiresPython == ">=3.9")
        #expect(file.file.sha256 == "666dbfb6ec68962c033a450943ded891bed2d54e6755e35e5835d63f4f6931d5")
        #expect(file.file.wheel?.platformTags == ["manylinux_2_17_x86_64", "manylinux2014_x86_64"])
        guard case .wheel(_, let portable) = file.verdict else {
            Issue.record("numpy 1.26.4 cp311 should install on CPython 3.11")
            return
        }
        #expect(portable)
        // The cp38 wheel of the same release does not install on 3.11, and says why.
        let cp38 = try #require(candidates.first { $0.file.filename.hasPrefix("numpy-1.24.4-cp38-cp38-manylinux") })
        #expect(
            cp38.verdict == .excluded(reason: .otherPython(pythonTags: ["cp38"], abiTags: ["cp38"], target: "3.11")))
        if case .excluded(let why) = cp38.verdict {
            #expect(why.description == "built for cp38 / cp38, not CPython 3.11")
        }
    }

    @Test func requiresPythonExcludesOnOldTargets() throws {
        let candidates = try channels(Target(python: PythonVersion(major: 3, minor: 8))).pypiCandidates(
            NormalizedName("numpy"))
        let file = try #require(
            candidates.first {
                $0.file.filename == "numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
            })
        #expect(file.verdict == .excluded(reason: .requiresPython(specifier: ">=3.9", target: "3.8.20")))
        if case .excluded(let why) = file.verdict {
            #expect(why.description == "requires Python >=3.9, the target is 3.8.20")
        }
    }

    @Test func metadataIsReadAndVerified() throws {
        let set = try channels()
        let (project, index) = try #require(try set.pypiProject(NormalizedName("scikit-learn")))
        let file = try #require(
            project.files.first {
                $0.filename == "scikit_learn-1.5.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"
            })
        let metadata = try #require(try index.metadata(for: file))
        #expect(metadata.version == "1.5.2")
        #expect(metadata.requiresDist.contains { $0.name == "numpy" && $0.marker == nil })
        #expect(metadata.providesExtra.contains("tests"))
    }

    @Test func yankedFileIsExcludedUnlessPinned() throws {
        let set = try channels()
        let yanked = try #require(
            try set.pypiCandidates(NormalizedName("flask-cors")).first {
                $0.file.filename == "flask_cors-6.0.4-py3-none-any.whl"
            })
        #expect(yanked.verdict == .excluded(reason: .yanked(reason: "This accidentally broke MyPy for blueprints")))
        if case .excluded(let why) = yanked.verdict {
            #expect(why.description == "yanked: This accidentally broke MyPy for blueprints")
        }
        let pinned = try #require(
            try set.pypiCandidates(NormalizedName("flask-cors"), pinned: true).first {
                $0.file.filename == "flask_cors-6.0.4-py3-none-any.whl"
            })
        #expect(pinned.isInstallable)
    }

    @Test func stampRecordsHowItWasMade() throws {
        let data = try #require(FileManager.default.contents(atPath: Paths.embeddedPyPI + "/MIRROR.json"))
        let stamp = try JSONValue.parse([UInt8](data))
        #expect(stamp["exclude_newer"]?.stringValue != nil)
        #expect(stamp["pythons"]?.arrayValue?.count == 7)
        #expect((stamp["projects"]?.numberValue?.int ?? 0) > 400)
    }

    @Test func searchExplainsEveryRow() throws {
        let rows = try PackageSearch(channels: channels()).rows(for: "scikit-learn")
        #expect(rows.contains { $0.ecosystem == "conda" && $0.installable })
        #expect(rows.contains { $0.ecosystem == "pypi" && $0.installable && $0.version == "1.5.2" })
        #expect(rows.filter { !$0.installable }.allSatisfy { $0.reason != nil })
    }
}

/// Serves channels/pypi with `python3 -m http.server` on 127.0.0.1 and lets real clients use it.
@Suite(.serialized) struct ServedSnapshotTests {
    static var tools: URL { Paths.repository.appendingPathComponent(".venv-tools/bin") }
    static var hasTools: Bool { FileManager.default.isExecutableFile(atPath: tools.appendingPathComponent("uv").path) }
    static var requireTools: Bool { ProcessInfo.processInfo.environment["MLENV_REQUIRE_TOOLS"] == "1" }

    @Test func toolsArePresentWhereRequired() {
        // `make test` installs them (scripts/python-tools); CI sets MLENV_REQUIRE_TOOLS=1.
        if Self.requireTools { #expect(Self.hasTools, "run scripts/python-tools") }
    }

    @Test(.enabled(if: ServedSnapshotTests.hasTools, "uv and pip: run scripts/python-tools"))
    func uvAndPipResolveAgainstTheSnapshot() throws {
        let server = try LoopbackServer(directory: Paths.embeddedPyPI)
        defer { server.stop() }
        let requirements = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-served-\(getpid()).in")
        try Data("scikit-learn==1.5.2\npandas==2.2.3\n".utf8).write(to: requirements)
        defer { try? FileManager.default.removeItem(at: requirements) }

        let uv = try run(
            Self.tools.appendingPathComponent("uv").path,
            [
                "pip", "compile", requirements.path, "--index-url", server.url,
                "--python-version", "3.11", "--python-platform", "x86_64-manylinux_2_35",
                "--no-cache", "--no-header", "--no-annotate", "--quiet"
            ])
        #expect(uv.status == 0, "\(uv.stderr)")
        #expect(uv.stdout.contains("scikit-learn==1.5.2"))
        #expect(uv.stdout.contains("numpy=="))
        #expect(uv.stdout.contains("threadpoolctl=="))

        let report = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-pip-report-\(getpid()).json")
        defer { try? FileManager.default.removeItem(at: report) }
        let pip = try run(
            Self.tools.appendingPathComponent("pip").path,
            [
                "install", "--dry-run", "--ignore-installed", "--quiet", "--report", report.path,
                "--index-url", server.url, "-r", requirements.path
            ],
            environment: ["PIP_CONFIG_FILE": "/dev/null", "PIP_FIND_LINKS": ""])
        #expect(pip.status == 0, "\(pip.stderr)")
        let json = try JSONValue.parse([UInt8](try Data(contentsOf: report)))
        let installed = json["install"]?.arrayValue?.compactMap { $0["metadata"]?["name"]?.stringValue } ?? []
        #expect(installed.contains("scikit-learn"))
        #expect(installed.contains("numpy"))
    }

    /// `mlenv mirror` with the served snapshot as its upstream: the closure of one pin,
    /// every metadata file verified against the served index's hash.
    @Test(.enabled(if: ServedSnapshotTests.hasTools, "needs python3 for the loopback server"))
    func mirrorBuildsFromAServedIndex() async throws {
        let server = try LoopbackServer(directory: Paths.embeddedPyPI)
        defer { server.stop() }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-mirror-test-\(getpid())")
        defer { try? FileManager.default.removeItem(at: output) }
        let options = PyPIMirrorOptions(
            upstream: server.url, output: output.path, pythons: [PythonVersion(major: 3, minor: 11)], concurrency: 4)
        let report = try await PyPIMirrorBuilder(options: options).run(roots: [
            try Requirement(parsing: "scikit-learn==1.5.2")
        ])
        #expect(report.missing.isEmpty)
        let names = try FileManager.default.contentsOfDirectory(atPath: output.path + "/simple").sorted()
        for expected in ["joblib", "numpy", "scikit-learn", "scipy", "threadpoolctl"] {
            #expect(names.contains(expected))
        }
        // Only what the closure needs: scikit-learn's own page lists the pinned release only.
        let index = try PyPIIndex(output.path)
        let project = try #require(try index.project(NormalizedName("scikit-learn")))
        #expect(Set(project.files.compactMap(\.versionText)) == ["1.5.2"])
        let wheel = try #require(project.files.first { $0.filename.contains("cp311") })
        #expect(try index.metadata(for: wheel)?.version == "1.5.2")
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { if v.isEmpty { env.removeValue(forKey: k) } else { env[k] = v } }
        process.environment = env
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// `python3 -m http.server` bound to 127.0.0.1 on a free port.
final class LoopbackServer: @unchecked Sendable {
    let process = Process()
    let port: Int
    var url: String { "http://127.0.0.1:\(port)/simple/" }

    init(directory: String) throws {
        port = Int.random(in: 20000...40000)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", directory
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it answers.
        for _ in 0..<100 {
            let probe = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(probe, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            close(probe)
            if connected == 0 { return }
            usleep(50_000)
        }
    }

    func stop() {
        // SIGKILL: a child started from a dispatch thread inherits its blocked SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}

/// A page's parse is kept once: when the page changes, the parse of its old body goes.
@Suite struct ParsedPagePruningTests {
    @Test func aChangedPageLeavesOneParse() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-pages-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let page = root + "/index/simple/six"
        try FileManager.default.createDirectory(atPath: page, withIntermediateDirectories: true)
        let original = try String(contentsOfFile: Paths.embeddedPyPI + "/simple/six/index.json", encoding: .utf8)
        try original.write(toFile: page + "/index.json", atomically: true, encoding: .utf8)
        let cache = root + "/pages"
        func parses() throws -> [String] {
            let folders = try FileManager.default.contentsOfDirectory(atPath: cache)
            return try folders.flatMap { folder in
                try FileManager.default.contentsOfDirectory(atPath: cache + "/" + folder).filter {
                    $0.hasSuffix(".bin")
                }
            }
        }
        #expect(
            try PyPIIndex(root + "/index/simple", cacheDirectory: cache).project(NormalizedName("six"))?.files.isEmpty
                == false)
        #expect(try parses().count == 1)
        try (original + "\n").write(toFile: page + "/index.json", atomically: true, encoding: .utf8)
        #expect(
            try PyPIIndex(root + "/index/simple", cacheDirectory: cache).project(NormalizedName("six"))?.files.isEmpty
                == false)
        #expect(try parses().count == 1)
    }
}
