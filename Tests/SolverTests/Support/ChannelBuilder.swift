// Channels declared in code for solver scenarios (rattler's `solver_case.rs` style): conda
// records and PyPI releases listed in the test, nothing read from the repository.
//
// `ChannelSet` reads channels by location only, so `channels()` writes what was declared to a
// scratch directory the builder owns (a conda channel with `linux-64`/`noarch` repodata, a
// PEP 691 simple index with a PEP 658 metadata file per wheel) and reads it back through the
// real parsers, as a mirror would be read. The directory is removed when the builder is.

import Basics
import Channels
import Foundation
import JSON
import Requests
import Solver
import Specs

final class ChannelBuilder {
    struct CondaBuild {
        var name: String
        var version: String
        var build: String
        var buildNumber: Int
        var subdir: String
        var depends: [String]
        var constrains: [String]
        var timestamp: Int?
        var channel: String
    }

    struct Wheel {
        var project: String
        var version: String
        var tag: String
        var requires: [String]
        var requiresPython: String?
        var yanked: String?
        var extras: [String]
        var sdistOnly: Bool
    }

    private(set) var conda: [CondaBuild] = []
    private(set) var wheels: [Wheel] = []
    private let root: URL
    let channelName: String

    init(channelName: String = "scenario") {
        self.channelName = channelName
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("mlenv-scenario-\(getpid())-\(UUID().uuidString.prefix(8))")
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    // MARK: declaring

    /// A conda build; `noarch` builds go to the `noarch` subdir. `channel` names another conda
    /// channel than the builder's own; channels take priority in the order they are first named
    /// (the builder's own first when it has builds).
    @discardableResult
    func conda(
        _ name: String, _ version: String, build: String = "0", buildNumber: Int = 0, noarch: Bool = false,
        depends: [String] = [], constrains: [String] = [], timestamp: Int? = nil, channel: String? = nil
    ) -> Self {
        conda.append(
            CondaBuild(
                name: name, version: version, build: build, buildNumber: buildNumber,
                subdir: noarch ? "noarch" : "linux-64", depends: depends, constrains: constrains, timestamp: timestamp,
                channel: channel ?? channelName))
        return self
    }

    /// A conda build made for one Python minor (`3.9`): it depends on that python and its
    /// python_abi, as conda-forge's builds of compiled packages do.
    @discardableResult
    func conda(_ name: String, _ version: String, builtFor python: String, build: String, buildNumber: Int = 0) -> Self
    {
        let parts = python.split(separator: ".").compactMap { Int($0) }
        let depends = [
            "python >=\(python),<\(parts[0]).\(parts[1] + 1).0a0", "python_abi \(python).* *_cp\(parts[0])\(parts[1])"
        ]
        return conda(name, version, build: build, buildNumber: buildNumber, depends: depends)
    }

    /// The conda channels' names, highest priority first.
    var condaChannelNames: [String] {
        var names: [String] = []
        for b in conda where !names.contains(b.channel) { names.append(b.channel) }
        if let own = names.firstIndex(of: channelName), own > 0 { names.insert(names.remove(at: own), at: 0) }
        return names
    }

    /// A CPython build with its python_abi pair, each constraining the other, as conda-forge
    /// publishes them.
    @discardableResult
    func python(_ version: String) -> Self {
        let parts = version.split(separator: ".")
        let minor = "\(parts[0]).\(parts[1])"
        let abi = "cp\(parts[0])\(parts[1])"
        conda("python", version, build: "h0_cpython", constrains: ["python_abi \(minor).* *_\(abi)"])
        if !conda.contains(where: { $0.name == "python_abi" && $0.version == minor }) {
            conda("python_abi", minor, build: "5_\(abi)", buildNumber: 5, constrains: ["python \(minor).* *_cpython"])
        }
        return self
    }

    /// A PyPI release with one wheel (`py3-none-any` unless `tag` says otherwise), or with only
    /// an sdist.
    @discardableResult
    func pypi(
        _ project: String, _ version: String, requires: [String] = [], requiresPython: String? = nil,
        yanked: String? = nil, tag: String = "py3-none-any", extras: [String] = [], sdistOnly: Bool = false
    ) -> Self {
        wheels.append(
            Wheel(
                project: project, version: version, tag: tag, requires: requires, requiresPython: requiresPython,
                yanked: yanked, extras: extras, sdistOnly: sdistOnly))
        return self
    }

    // MARK: reading

    var condaLocation: String { root.appendingPathComponent(channelName).path }
    var pypiLocation: String { root.appendingPathComponent("pypi").path }

    /// The declared channels for a target Python: the conda channel when any build was declared,
    /// the PyPI index when any release was.
    /// Every PyPI file is uploaded 2024-01-01T00:00:00Z; `excludeNewer` is `--exclude-newer`.
    func channels(python: String = "3.11.9", excludeNewer: String? = nil) throws -> ChannelSet {
        try write()
        let condaChannels = condaChannelNames.map { CondaChannel(root.appendingPathComponent($0).path) }
        let indexes = wheels.isEmpty ? [] : [try PyPIIndex(pypiLocation)]
        return try ChannelSet(
            condaChannels: condaChannels, pypiIndexes: indexes, target: Target(python: PythonVersion(python)!),
            excludeNewer: excludeNewer)
    }

    private func write() throws {
        try? FileManager.default.removeItem(at: root)
        for channel in condaChannelNames {
            for subdir in ["linux-64", "noarch"] {
                var packages = JSONObject()
                for b in conda where b.subdir == subdir && b.channel == channel {
                    var record = JSONObject()
                    record.append("build", .string(b.build))
                    record.append("build_number", .number(JSONNumber(b.buildNumber)))
                    record.append("constrains", .array(b.constrains.map(JSONValue.string)))
                    record.append("depends", .array(b.depends.map(JSONValue.string)))
                    record.append("md5", .string(Self.hex(of: "md5 \(b.name) \(b.version) \(b.build)", length: 32)))
                    record.append("name", .string(b.name))
                    record.append("sha256", .string(Self.hex(of: "\(b.name) \(b.version) \(b.build)", length: 64)))
                    record.append("size", .number(JSONNumber(1000)))
                    record.append("subdir", .string(subdir))
                    if let t = b.timestamp { record.append("timestamp", .number(JSONNumber(t))) }
                    record.append("version", .string(b.version))
                    packages.append("\(b.name)-\(b.version)-\(b.build).conda", .object(record))
                }
                let document = JSONValue.object(
                    JSONObject([
                        "info": .object(JSONObject(["subdir": .string(subdir)])),
                        "packages": .object(JSONObject()),
                        "packages.conda": .object(packages),
                        "repodata_version": .number(JSONNumber(1))
                    ]))
                try put(document.serialized(), at: "\(channel)/\(subdir)/repodata.json")
            }
        }
        let projects = Dictionary(grouping: wheels) { NormalizedName($0.project).value }
        for (project, releases) in projects {
            var files: [JSONValue] = []
            for r in releases {
                let stem = "\(project.replacingOccurrences(of: "-", with: "_"))-\(r.version)"
                let filename = r.sdistOnly ? "\(stem).tar.gz" : "\(stem)-\(r.tag).whl"
                var metadata = "Metadata-Version: 2.1\nName: \(r.project)\nVersion: \(r.version)\n"
                if let p = r.requiresPython { metadata += "Requires-Python: \(p)\n" }
                for extra in r.extras { metadata += "Provides-Extra: \(extra)\n" }
                for line in r.requires { metadata += "Requires-Dist: \(line)\n" }
                let metadataBytes = [UInt8](metadata.utf8)
                var file = JSONObject()
                file.append("filename", .string(filename))
                file.append("url", .string("../../files/\(project)/\(filename)"))
                file.append("hashes", .object(JSONObject(["sha256": .string(Self.hex(of: filename, length: 64))])))
                if let p = r.requiresPython { file.append("requires-python", .string(p)) }
                file.append("yanked", r.yanked.map(JSONValue.string) ?? .bool(false))
                file.append(
                    "core-metadata", .object(JSONObject(["sha256": .string(Digester.hex(.sha256, of: metadataBytes))])))
                file.append("size", .number(JSONNumber(1000)))
                file.append("upload-time", .string("2024-01-01T00:00:00.000000Z"))
                files.append(.object(file))
                try put(metadata, at: "pypi/files/\(project)/\(filename).metadata")
            }
            let page = JSONValue.object(
                JSONObject([
                    "meta": .object(JSONObject(["api-version": .string("1.1")])),
                    "name": .string(project),
                    "files": .array(files)
                ]))
            try put(page.serialized(), at: "pypi/simple/\(project)/index.json")
        }
    }

    private func put(_ text: String, at relative: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Foundation.Data(text.utf8).write(to: url)
    }

    /// A stable stand-in digest (the scenarios never download files).
    private static func hex(of text: String, length: Int) -> String {
        let digest = Digester.hex(.sha256, of: [UInt8](text.utf8))
        return String((digest + digest).prefix(length))
    }
}
