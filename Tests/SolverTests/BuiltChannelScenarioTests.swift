// Named solver scenarios on channels declared in code (Support/ChannelBuilder.swift), in the
// style of rattler's `solver_case.rs` and SwiftPM's `PubGrubTests.swift`: each declares the
// universe, the request, and exactly what must come out — the chosen names and versions, or
// the whole explanation text. The limited-universe → wider-universe fallback is checked through
// the resolver's record of its attempts (`Resolver.attemptedLimits`, a test hook).

import Channels
import Foundation
import Requests
import Specs
import Testing

@testable import Solver

enum Scenario {
    static func pip(_ text: String, _ origin: String = "requirements.txt:1:1") throws -> PipRequest {
        PipRequest(requirement: try Requirement(parsing: text), text: text, origin: Origin(origin))
    }

    static func conda(_ text: String, _ origin: String = "conda.yaml:1:3") throws -> CondaRequest {
        CondaRequest(spec: try MatchSpec(parsing: text), text: text, origin: Origin(origin))
    }

    /// `name==version` of every package, conda ones marked `conda:`, sorted.
    static func pins(_ resolution: Resolution) -> [String] {
        resolution.packages.map { ($0.ecosystem == .conda ? "conda:" : "") + "\($0.name)==\($0.version)" }.sorted()
    }

    static func solve(
        _ builder: ChannelBuilder, mode: EnvironmentMode = .virtualenv, python: String = "3.11.9",
        conda: [CondaRequest] = [], pip: [PipRequest] = []
    ) throws -> (SolveOutcome, Resolver) {
        let channels = try builder.channels(python: python)
        let resolver = Resolver(channels: channels)
        return (try resolver.solve(SolveRequest(target: channels.target, mode: mode, conda: conda, pip: pip)), resolver)
    }

    /// The whole universe's answer, from a resolver that goes straight to it (a debug
    /// directory does), to compare a limited attempt's answer with.
    static func solveWholeUniverse(_ builder: ChannelBuilder, pip: [PipRequest]) throws -> (SolveOutcome, Resolver) {
        let channels = try builder.channels(python: "3.11.9")
        let resolver = Resolver(channels: channels)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-whole-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let outcome = try resolver.solve(
            SolveRequest(target: channels.target, mode: .virtualenv, pip: pip), debugDirectory: directory.path)
        return (outcome, resolver)
    }

    static func resolved(_ outcome: SolveOutcome, sourceLocation: SourceLocation = #_sourceLocation) -> [String]? {
        switch outcome {
        case .resolved(let r): return pins(r)
        case .unsatisfiable(let e):
            Issue.record("expected a resolution, got:\n\(e)", sourceLocation: sourceLocation)
            return nil
        }
    }

    static func explanation(_ outcome: SolveOutcome, sourceLocation: SourceLocation = #_sourceLocation) -> Explanation?
    {
        switch outcome {
        case .unsatisfiable(let e): return e
        case .resolved(let r):
            Issue.record("expected no solution, got \(pins(r))", sourceLocation: sourceLocation)
            return nil
        }
    }
}

@Suite struct BuiltChannelScenarioTests {
    @Test func picksTheNewestRelease() throws {
        let b = ChannelBuilder().pypi("alpha", "1.0").pypi("alpha", "1.1").pypi("alpha", "2.0")
        let (outcome, _) = try Scenario.solve(b, pip: [try Scenario.pip("alpha")])
        #expect(Scenario.resolved(outcome) == ["alpha==2.0"])
    }

    @Test func anExactPinWinsOverNewer() throws {
        let b = ChannelBuilder()
            .pypi("alpha", "1.0", requires: ["beta>=1"]).pypi("alpha", "2.0", requires: ["beta>=1"])
            .pypi("beta", "1.0").pypi("beta", "1.5").pypi("beta", "3.0")
        let (outcome, _) = try Scenario.solve(b, pip: [try Scenario.pip("alpha==1.0")])
        #expect(Scenario.resolved(outcome) == ["alpha==1.0", "beta==3.0"])
    }

    @Test func aDependencysBoundPicksAnOlderRelease() throws {
        let b = ChannelBuilder()
            .pypi("app", "1.0", requires: ["lib<2,>=1"])
            .pypi("lib", "0.9").pypi("lib", "1.0").pypi("lib", "1.5").pypi("lib", "2.0")
        let (outcome, _) = try Scenario.solve(b, pip: [try Scenario.pip("app")])
        #expect(Scenario.resolved(outcome) == ["app==1.0", "lib==1.5"])
    }

    @Test func conflictingRequirementsExplainTheChain() throws {
        let b = ChannelBuilder()
            .pypi("app", "1.0", requires: ["lib<2"])
            .pypi("lib", "1.0").pypi("lib", "2.0")
        let (outcome, _) = try Scenario.solve(
            b,
            pip: [
                try Scenario.pip("app==1.0", "requirements.txt:1:1"),
                try Scenario.pip("lib>=2", "requirements.txt:2:1")
            ])
        let e = try #require(Scenario.explanation(outcome))
        #expect(
            e.description == """
                  - requirements.txt:2:1 requires lib>=2
                  - requirements.txt:1:1 requires app==1.0
                  - app 1.0 (pypi) requires lib<2
                """)
        #expect(e.cause == .conflict)
    }

    @Test func aMissingProjectIsNamed() throws {
        let b = ChannelBuilder().pypi("alpha", "1.0")
        let (outcome, _) = try Scenario.solve(b, pip: [try Scenario.pip("gamma>=1", "requirements.txt:3:1")])
        let e = try #require(Scenario.explanation(outcome))
        #expect(
            e.description == """
                  - requirements.txt:3:1 requires gamma>=1, but no package in the channels provides it
                Hints:
                  - gamma is not in the configured PyPI indexes
                """)
        #expect(e.cause == .missing)
    }

    @Test func requiresPythonLeavesOutNewerReleases() throws {
        let b = ChannelBuilder().pypi("alpha", "1.0", requiresPython: ">=3.8").pypi(
            "alpha", "2.0", requiresPython: ">=3.12")
        let (open, _) = try Scenario.solve(b, pip: [try Scenario.pip("alpha")])
        #expect(Scenario.resolved(open) == ["alpha==1.0"])
        let (pinned, _) = try Scenario.solve(b, pip: [try Scenario.pip("alpha==2.0", "requirements.txt:1:1")])
        let e = try #require(Scenario.explanation(pinned))
        #expect(
            e.description == """
                  - requirements.txt:1:1 requires alpha==2.0, but no package in the channels provides it
                Hints:
                  - alpha 2.0: requires Python >=3.12, the target is 3.11.9
                  - alpha versions that install on CPython 3.11.9 on Linux x86_64, glibc 2.35: 1.0
                """)
    }

    @Test func yankedReleasesOnlyForExactPins() throws {
        let b = ChannelBuilder().pypi("alpha", "1.0").pypi("alpha", "1.1", yanked: "broken import")
        let (open, _) = try Scenario.solve(b, pip: [try Scenario.pip("alpha>=1")])
        #expect(Scenario.resolved(open) == ["alpha==1.0"])
        let (pinned, _) = try Scenario.solve(b, pip: [try Scenario.pip("alpha==1.1")])
        #expect(Scenario.resolved(pinned) == ["alpha==1.1"])
        let (ranged, _) = try Scenario.solve(b, pip: [try Scenario.pip("alpha>1.0", "requirements.txt:2:1")])
        let e = try #require(Scenario.explanation(ranged))
        #expect(
            e.description == """
                  - requirements.txt:2:1 requires alpha>1.0, but no package in the channels provides it
                Hints:
                  - alpha 1.1: yanked: broken import
                  - alpha versions that install on CPython 3.11.9 on Linux x86_64, glibc 2.35: 1.0
                """)
    }

    @Test func preReleasesOnlyWhenAsked() throws {
        let b = ChannelBuilder().pypi("alpha", "1.0").pypi("alpha", "2.0b1")
        let (open, _) = try Scenario.solve(b, pip: [try Scenario.pip("alpha")])
        #expect(Scenario.resolved(open) == ["alpha==1.0"])
        let (named, _) = try Scenario.solve(b, pip: [try Scenario.pip("alpha==2.0b1")])
        #expect(Scenario.resolved(named) == ["alpha==2.0b1"])
    }

    @Test func markersAreEvaluatedForTheTarget() throws {
        let b = ChannelBuilder()
            .pypi(
                "app", "1.0",
                requires: [
                    "old-backport; python_version < \"3.10\"", "linux-only; sys_platform == \"linux\"",
                    "windows-only; sys_platform == \"win32\""
                ]
            )
            .pypi("old-backport", "1.0").pypi("linux-only", "1.0").pypi("windows-only", "1.0")
        let (outcome, _) = try Scenario.solve(b, pip: [try Scenario.pip("app")])
        #expect(Scenario.resolved(outcome) == ["app==1.0", "linux-only==1.0"])
    }

    @Test func extrasBringTheirRequirements() throws {
        let b = ChannelBuilder()
            .pypi("app", "1.0", requires: ["speedups>=2; extra == \"fast\""], extras: ["fast"])
            .pypi("speedups", "1.0").pypi("speedups", "2.0")
        let (plain, _) = try Scenario.solve(b, pip: [try Scenario.pip("app")])
        #expect(Scenario.resolved(plain) == ["app==1.0"])
        let (fast, _) = try Scenario.solve(b, pip: [try Scenario.pip("app[fast]")])
        #expect(Scenario.resolved(fast) == ["app==1.0", "speedups==2.0"])
    }

    @Test func wheelTagsDecideWhatInstalls() throws {
        let b = ChannelBuilder()
            .pypi("native", "1.0", tag: "cp311-cp311-manylinux_2_17_x86_64")
            .pypi("native", "2.0", tag: "cp311-cp311-win_amd64")
        let (open, _) = try Scenario.solve(b, pip: [try Scenario.pip("native")])
        #expect(Scenario.resolved(open) == ["native==1.0"])
        let (pinned, _) = try Scenario.solve(b, pip: [try Scenario.pip("native==2.0", "requirements.txt:1:1")])
        let e = try #require(Scenario.explanation(pinned))
        #expect(
            e.description == """
                  - requirements.txt:1:1 requires native==2.0, but no package in the channels provides it
                Hints:
                  - native 2.0: built for win_amd64, not Linux
                  - native versions that install on CPython 3.11.9 on Linux x86_64, glibc 2.35: 1.0
                """)
    }

    @Test func condaPicksTheNewestBuild() throws {
        let b = ChannelBuilder().python("3.11.9")
            .conda("zlib", "1.2.13", build: "h0_0", buildNumber: 0)
            .conda("zlib", "1.3.1", build: "h0_0", buildNumber: 0)
            .conda("zlib", "1.3.1", build: "h0_2", buildNumber: 2)
        let (outcome, _) = try Scenario.solve(
            b, mode: .conda, conda: [try Scenario.conda("python=3.11.9"), try Scenario.conda("zlib")])
        #expect(Scenario.resolved(outcome) == ["conda:python==3.11.9", "conda:zlib==1.3.1"])
        if case .resolved(let r) = outcome { #expect(r.package("zlib", .conda)?.build == "h0_2") }
    }

    /// A package built only for another Python is left out through python_abi, and asking for
    /// it explains why.
    @Test func pythonAbiExcludesBuildsForAnotherPython() throws {
        let b = ChannelBuilder().python("3.10.14").python("3.11.9")
            .conda(
                "fastlib", "2.0", build: "py310_0", depends: ["python >=3.10,<3.11.0a0", "python_abi 3.10.* *_cp310"]
            )
            .conda(
                "fastlib", "1.0", build: "py311_0", depends: ["python >=3.11,<3.12.0a0", "python_abi 3.11.* *_cp311"])
        let (open, _) = try Scenario.solve(
            b, mode: .conda, conda: [try Scenario.conda("python=3.11.9"), try Scenario.conda("fastlib")])
        #expect(Scenario.resolved(open) == ["conda:fastlib==1.0", "conda:python==3.11.9", "conda:python_abi==3.11"])
        let (pinned, _) = try Scenario.solve(
            b, mode: .conda,
            conda: [
                try Scenario.conda("python=3.11.9", "conda.yaml:4:3"),
                try Scenario.conda("fastlib=2.0", "conda.yaml:5:3")
            ])
        let e = try #require(Scenario.explanation(pinned))
        #expect(
            e.description == """
                  - conda.yaml:5:3 requires fastlib=2.0
                  - conda.yaml:4:3 requires python=3.11.9
                  - fastlib 2.0 (conda) requires python >=3.10,<3.11.0a0
                Hints:
                  - fastlib=2.0 (conda.yaml:5:3) is built in the channels only for Python 3.10; the target is Python 3.11
                """)
    }

    /// In a conda environment a pip requirement is met by the conda build of the same project:
    /// no wheel of it is installed beside it.
    @Test func condaAndPipInOneSolve() throws {
        let b = ChannelBuilder().python("3.11.9")
            .conda(
                "numpy", "1.26.4", build: "py311_0", depends: ["python >=3.11,<3.12.0a0", "python_abi 3.11.* *_cp311"]
            )
            .pypi("numpy", "2.1.0", tag: "cp311-cp311-manylinux_2_17_x86_64")
            .pypi("numpy", "1.26.4", tag: "cp311-cp311-manylinux_2_17_x86_64")
            .pypi("sklearnish", "1.0", requires: ["numpy>=1.20"])
        let (outcome, _) = try Scenario.solve(
            b, mode: .conda, conda: [try Scenario.conda("python=3.11.9"), try Scenario.conda("numpy=1.26.4")],
            pip: [try Scenario.pip("sklearnish==1.0")])
        #expect(
            Scenario.resolved(outcome) == [
                "conda:numpy==1.26.4", "conda:python==3.11.9", "conda:python_abi==3.11", "sklearnish==1.0"
            ])
    }
}

/// The first attempt loads only the newest few releases each requirement admits
/// (`Resolver.firstVersionLimit`); without a solution there, the universe widens.
@Suite struct UniverseWideningTests {
    /// app's two newest releases need lib>=2, which the request rules out; only app 3.0, the
    /// third newest, fits. The first universe (app 5.0 and 4.0) has no solution; the widened
    /// one finds app 3.0.
    @Test func aConflictInTheFirstUniverseWidensIt() throws {
        #expect(Resolver.firstVersionLimit == 2)
        let b = ChannelBuilder()
            .pypi("app", "1.0", requires: ["lib<2"]).pypi("app", "2.0", requires: ["lib<2"]).pypi(
                "app", "3.0", requires: ["lib<2"]
            )
            .pypi("app", "4.0", requires: ["lib>=2"]).pypi("app", "5.0", requires: ["lib>=2"])
            .pypi("lib", "1.0").pypi("lib", "1.9").pypi("lib", "2.0")
        let (outcome, resolver) = try Scenario.solve(b, pip: [try Scenario.pip("app"), try Scenario.pip("lib<2")])
        #expect(Scenario.resolved(outcome) == ["app==3.0", "lib==1.9"])
        #expect(resolver.attemptedLimits == ["2", "8"])
    }

    /// What the first universe solves is not widened.
    @Test func aSolutionInTheFirstUniverseStays() throws {
        let b = ChannelBuilder().pypi("app", "1.0").pypi("app", "2.0").pypi("app", "3.0")
        let (outcome, resolver) = try Scenario.solve(b, pip: [try Scenario.pip("app")])
        #expect(Scenario.resolved(outcome) == ["app==3.0"])
        #expect(resolver.attemptedLimits == ["2"])
    }

    /// A conflict no release can fix goes on to the whole universe, which explains it.
    @Test func aTrueConflictEndsInTheWholeUniverse() throws {
        let b = ChannelBuilder()
            .pypi("app", "1.0", requires: ["lib>=2"]).pypi("app", "2.0", requires: ["lib>=2"]).pypi(
                "app", "3.0", requires: ["lib>=2"]
            )
            .pypi("lib", "1.0").pypi("lib", "2.0")
        let (outcome, resolver) = try Scenario.solve(
            b, pip: [try Scenario.pip("app", "requirements.txt:1:1"), try Scenario.pip("lib<2", "requirements.txt:2:1")]
        )
        let e = try #require(Scenario.explanation(outcome))
        #expect(
            e.description == """
                  - requirements.txt:1:1 requires app
                  - requirements.txt:2:1 requires lib<2
                  - app 1.0, 2.0, 3.0 (pypi) require lib>=2
                """)
        #expect(resolver.attemptedLimits.last == "none")
        #expect(resolver.attemptedLimits.first == "2")
    }
}
