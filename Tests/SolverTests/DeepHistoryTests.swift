// An index with every release of its projects (hundreds each, as a PyPI mirror without series
// thinning has): releases load newest first as far as the solve needs, and the answer is the one
// the whole universe gives (the solve with `debugDirectory`, which always takes it whole).

import Basics
import Channels
import Foundation
import Requests
import Solver
import Specs
import Testing

@Suite struct DeepHistoryTests {
    /// Writes a local PEP 691 index: each project's releases (newest last in `releases`), one
    /// pure wheel each with its METADATA beside it (PEP 658).
    static func writeIndex(_ root: URL, _ projects: [String: [(version: String, requires: [String])]]) throws {
        for (name, releases) in projects {
            let page = root.appendingPathComponent("simple/\(name)")
            let files = root.appendingPathComponent("files/\(name)")
            try FileManager.default.createDirectory(at: page, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
            var entries: [String] = []
            for release in releases {
                let filename = "\(name)-\(release.version)-py3-none-any.whl"
                let metadata =
                    (["Metadata-Version: 2.1", "Name: \(name)", "Version: \(release.version)"]
                    + release.requires.map { "Requires-Dist: \($0)" }).joined(separator: "\n") + "\n"
                let bytes = Array(metadata.utf8)
                try Foundation.Data(bytes).write(to: files.appendingPathComponent(filename + ".metadata"))
                let digest = Digester.hex(.sha256, of: bytes)
                entries.append(
                    """
                    {"filename":"\(filename)","url":"../../files/\(name)/\(filename)","hashes":{"sha256":"\(String(repeating: "0", count: 64))"},\
                    "core-metadata":{"sha256":"\(digest)"},"yanked":false}
                    """)
            }
            let json =
                "{\"meta\":{\"api-version\":\"1.1\"},\"name\":\"\(name)\",\"files\":[\(entries.joined(separator: ","))]}"
            try json.write(to: page.appendingPathComponent("index.json"), atomically: true, encoding: .utf8)
        }
    }

    func solve(_ index: URL, _ requirements: [String], whole: Bool) throws -> [String: String] {
        let channels = try ChannelSet(
            condaChannels: [], pypiIndexes: [PyPIIndex(index.path)],
            target: Target(python: PythonVersion(major: 3, minor: 11)))
        let request = SolveRequest(
            target: channels.target, mode: .virtualenv,
            pip: try requirements.map {
                PipRequest(requirement: try Requirement(parsing: $0), text: $0, origin: Origin("requirements.txt"))
            })
        let debug =
            whole
            ? FileManager.default.temporaryDirectory.appendingPathComponent(
                "mlenv-deep-debug-\(getpid())-\(UUID().uuidString)"
            ).path : nil
        defer { if let debug { try? FileManager.default.removeItem(atPath: debug) } }
        guard case .resolved(let resolution) = try Resolver(channels: channels).solve(request, debugDirectory: debug)
        else {
            Issue.record("\(requirements) did not resolve")
            return [:]
        }
        return Dictionary(uniqueKeysWithValues: resolution.packages.map { ($0.name, $0.version) })
    }

    /// An unpinned root in an old environment: only its 150th-newest release (of 200) accepts the
    /// pinned `base==1.0`; its newer releases also each pull a dependency with 300 releases.
    @Test func anOldRootIsFoundWithoutTheWholeHistoryOfEverything() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-deep-\(getpid())-root")
        defer { try? FileManager.default.removeItem(at: root) }
        var app: [(String, [String])] = []
        for i in 0..<200 { app.append(("1.\(i)", i < 50 ? ["base<2", "helper"] : ["base>=2", "helper>=1.\(i)"])) }
        let helper = (0..<300).map { ("1.\($0)", [String]()) }
        let base = [("1.0", [String]()), ("2.0", []), ("2.1", [])]
        try Self.writeIndex(
            root,
            [
                "app": app.map { (version: $0.0, requires: $0.1) },
                "helper": helper.map { (version: $0.0, requires: $0.1) },
                "base": base.map { (version: $0.0, requires: $0.1) }
            ])
        let lazy = try solve(root, ["app", "base==1.0"], whole: false)
        #expect(lazy["app"] == "1.49")
        #expect(lazy == (try solve(root, ["app", "base==1.0"], whole: true)))
    }

    /// What the model asks for stays at its newest when an older release of a dependency deep in
    /// the history (not among the newest 32) makes it fit: as the whole universe answers.
    @Test func theRootStaysNewestWhenAnOldDependencyFits() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-deep-\(getpid())-dependency")
        defer { try? FileManager.default.removeItem(at: root) }
        // top 1.0 ... 1.39: every release needs `mid`; mid's 100 newest releases need leaf>=2,
        // its older ones accept the pinned leaf==1.0.
        let top = (0..<40).map { (version: "1.\($0)", requires: ["mid"]) }
        let mid = (0..<160).map { (version: "0.\($0)", requires: $0 >= 60 ? ["leaf>=2"] : ["leaf"]) }
        let leaf = [(version: "1.0", requires: [String]()), (version: "2.0", requires: [])]
        try Self.writeIndex(root, ["top": top, "mid": mid, "leaf": leaf])
        let lazy = try solve(root, ["top", "leaf==1.0"], whole: false)
        #expect(lazy["top"] == "1.39")
        #expect(lazy["mid"] == "0.59")
        #expect(lazy == (try solve(root, ["top", "leaf==1.0"], whole: true)))
    }
}
