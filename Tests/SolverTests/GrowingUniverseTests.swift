// The widening attempts of one solve share a universe grown in place (`Universe.widen(to:)`),
// and a newer-release probe takes a copy with its requirement added (`Universe.adding`): each
// must be the universe a new build with the same limits and request gives, or the answers of a
// widened solve would depend on the attempts before it.

import Channels
import Foundation
import Requests
import Specs
import Testing

@testable import Solver

@Suite struct GrowingUniverseTests {
    /// An index deep enough that every limit leaves releases out: `app` (200 releases, the old
    /// ones on `base<2`), `helper` (300, each newer one on a narrower `leaf` range), `leaf` (40).
    static func writeIndex(_ root: URL) throws {
        var app: [(version: String, requires: [String])] = []
        for i in 0..<200 { app.append(("1.\(i)", [i < 50 ? "base<2" : "base>=2", "helper>=1.\(i / 2)"])) }
        let helper = (0..<300).map { (version: "1.\($0)", requires: ["leaf>=0.\($0 / 10),<=0.\($0 / 10 + 3)"]) }
        let leaf = (0..<40).map { (version: "0.\($0)", requires: [String]()) }
        let base = [
            (version: "1.0", requires: [String]()), (version: "2.0", requires: []), (version: "2.1", requires: [])
        ]
        try DeepHistoryTests.writeIndex(root, ["app": app, "helper": helper, "leaf": leaf, "base": base])
    }

    static func request(_ channels: ChannelSet, _ requirements: [String], constraints: [String] = []) throws
        -> SolveRequest
    {
        let pip =
            try requirements.map {
                PipRequest(requirement: try Requirement(parsing: $0), text: $0, origin: Origin("requirements.txt"))
            }
            + constraints.map {
                PipRequest(
                    requirement: try Requirement(parsing: $0), text: $0, origin: Origin("probe"), isConstraint: true)
            }
        return SolveRequest(target: channels.target, mode: .virtualenv, pip: pip)
    }

    /// What a universe holds: each project's files, and the projects it left releases out of.
    static func contents(_ universe: Universe) -> (files: [String: [String]], truncated: Set<String>) {
        var files: [String: [String]] = [:]
        for (name, candidates) in universe.pypi { files[name.value] = candidates.map(\.file.filename).sorted() }
        return (files, Set(universe.truncatedProjects.map(\.value)))
    }

    @Test func aUniverseGrownInPlaceIsTheOneBuiltWithItsLimits() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-growing-\(getpid())-widen")
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.writeIndex(root)
        let channels = try ChannelSet(
            condaChannels: [], pypiIndexes: [PyPIIndex(root.path)],
            target: Target(python: PythonVersion(major: 3, minor: 11)))
        let request = try Self.request(channels, ["app", "base==1.0"])
        let grown = Universe(channels: channels, request: request, limits: VersionLimits(base: 2))
        try grown.build()
        var raised = VersionLimits(base: 32)
        raised.widen([NormalizedName("helper")], requested: [NormalizedName("app")], by: 4)
        var bigger = raised
        bigger.widen([NormalizedName("app"), NormalizedName("leaf")], requested: [NormalizedName("app")], by: 4)
        var sizes: [Int] = []
        for limits in [VersionLimits(base: 8), VersionLimits(base: 32), raised, bigger, .whole] {
            try grown.widen(to: limits)
            let built = Universe(channels: channels, request: request, limits: limits)
            try built.build()
            let (mine, theirs) = (Self.contents(grown), Self.contents(built))
            #expect(mine.files == theirs.files, "limits \(limits.description)")
            #expect(mine.truncated == theirs.truncated, "limits \(limits.description)")
            sizes.append(mine.files.values.reduce(0) { $0 + $1.count })
        }
        // The steps only added, and the last one everything a requirement admits.
        #expect(sizes == sizes.sorted())
        #expect(sizes.first! < sizes.last!)
        #expect(Self.contents(grown).truncated.isEmpty)
    }

    @Test func aProbeOnACopyIsTheUniverseOfTheWiderRequestAndLeavesTheOriginal() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-growing-\(getpid())-probe")
        defer { try? FileManager.default.removeItem(at: root) }
        try Self.writeIndex(root)
        let channels = try ChannelSet(
            condaChannels: [], pypiIndexes: [PyPIIndex(root.path)],
            target: Target(python: PythonVersion(major: 3, minor: 11)))
        let request = try Self.request(channels, ["app", "base==1.0"])
        let grown = Universe(channels: channels, request: request, limits: VersionLimits(base: 2))
        try grown.build()
        try grown.widen(to: VersionLimits(base: 8))
        let before = Self.contents(grown)
        // A constraint whose newest releases the universe does not hold yet.
        let probe = try Self.request(channels, [], constraints: ["helper<1.150"]).pip[0]
        let copy = try #require(try grown.adding([probe]))
        let built = Universe(
            channels: channels,
            request: try Self.request(channels, ["app", "base==1.0"], constraints: ["helper<1.150"]),
            limits: VersionLimits(base: 8))
        try built.build()
        let (mine, theirs) = (Self.contents(copy), Self.contents(built))
        #expect(mine.files == theirs.files)
        #expect(mine.truncated == theirs.truncated)
        let helpers = (mine: mine.files["helper"]?.count ?? 0, before: before.files["helper"]?.count ?? 0)
        #expect(helpers.mine > helpers.before)
        #expect(copy.request.pip.count == 3)
        // The original is as it was.
        #expect(Self.contents(grown).files == before.files)
        #expect(grown.request.pip.count == 2)
        // A pin is not added on a copy (it would admit yanked files the copy did not judge).
        #expect(try grown.adding([try Self.request(channels, [], constraints: ["helper==1.3"]).pip[0]]) == nil)
    }
}
