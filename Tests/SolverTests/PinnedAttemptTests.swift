// The request's exact pins rule out releases no solution can take (see `PinnedVersions`): when
// the first attempt's conflict involves a project the pins decide or constrain, the resolver
// tries a universe whose limits walk past those, and takes its solution, which is the whole
// universe's. An old environment (numpy==1.19.5, sqlalchemy==1.3.24 and an unpinned mlflow)
// then resolves in that second small attempt instead of widening through thousands of wheels.

import Channels
import Requests
import Specs
import Testing

@testable import Solver

@Suite struct PinnedAttemptTests {
    /// `base==1.5` is pinned. helper's 25 newest releases need base>=2; app's 30 newest need
    /// one of those helpers (so they are ruled out one step further down).
    static func channel() -> ChannelBuilder {
        let b = ChannelBuilder().pypi("base", "1.5").pypi("base", "2.0").pypi("base", "2.1")
        for i in 0..<30 { b.pypi("helper", "1.\(i)", requires: [i < 5 ? "base<2" : "base>=2"]) }
        for i in 0..<40 { b.pypi("app", "1.\(i)", requires: [i < 10 ? "helper<1.5" : "helper>=1.5"]) }
        return b
    }

    static func request() throws -> [PipRequest] {
        [try Scenario.pip("app"), try Scenario.pip("base==1.5", "requirements.txt:2:1")]
    }

    @Test func pinsRuleOutReleasesDirectlyAndThroughRequirementsLeftWithNone() throws {
        let b = Self.channel()
        let channels = try b.channels(python: "3.11.9")
        let request = SolveRequest(target: channels.target, mode: .virtualenv, pip: try Self.request())
        let universe = Universe(
            channels: channels, request: request, limits: VersionLimits(base: 2), pinRule: PinnedVersions(request))
        try universe.build()
        func versions(_ name: String) -> [String] {
            (universe.pypi[NormalizedName(name)] ?? []).map(\.version.normalized).sorted()
        }
        // helper>=1.5 is dead (each needs base>=2), so app's 30 newest are ruled out too: the
        // walk goes on to 1.9 and 1.8. The two newest, loaded before that was known, stay (no
        // solution takes them); none in between is loaded.
        #expect(versions("app") == ["1.38", "1.39", "1.8", "1.9"])
        #expect(versions("helper") == ["1.3", "1.4"])
        #expect(versions("base") == ["1.5"])
    }

    @Test func theSecondAttemptResolvesAsTheWholeUniverseDoes() throws {
        let b = Self.channel()
        let (outcome, resolver) = try Scenario.solve(b, pip: try Self.request())
        #expect(Scenario.resolved(outcome) == ["app==1.9", "base==1.5", "helper==1.4"])
        // The first attempt's conflict involves the pinned base; the second one resolves.
        #expect(resolver.attemptedLimits == ["2", "2"])
        let (whole, _) = try Scenario.solveWholeUniverse(b, pip: try Self.request())
        #expect(Scenario.resolved(whole) == Scenario.resolved(outcome))
    }

    /// A pinned release's own requirements hold in every solution: `frame==1.0` needs
    /// `shared<2`, so tool's releases that need `shared>=2` are walked past too.
    @Test func aPinnedReleasesRequirementsRuleOutReleasesToo() throws {
        let b = ChannelBuilder().pypi("frame", "1.0", requires: ["shared<2"]).pypi("frame", "2.0")
        for v in ["1.0", "1.1", "2.0", "2.1"] { b.pypi("shared", v) }
        for i in 0..<30 { b.pypi("tool", "1.\(i)", requires: [i < 6 ? "shared<2" : "shared>=2"]) }
        let pip = [try Scenario.pip("frame==1.0"), try Scenario.pip("tool", "requirements.txt:2:1")]
        let (outcome, resolver) = try Scenario.solve(b, pip: pip)
        #expect(Scenario.resolved(outcome) == ["frame==1.0", "shared==1.1", "tool==1.5"])
        #expect(resolver.attemptedLimits == ["2", "2"])
        let (whole, _) = try Scenario.solveWholeUniverse(b, pip: pip)
        #expect(Scenario.resolved(whole) == Scenario.resolved(outcome))
    }

    /// Without a pin nothing is ruled out: the usual widening finds the same kind of answer.
    @Test func withoutAnExactPinTheWideningGoesOn() throws {
        let b = Self.channel()
        let pip = [try Scenario.pip("app"), try Scenario.pip("base<2", "requirements.txt:2:1")]
        let (outcome, resolver) = try Scenario.solve(b, pip: pip)
        #expect(Scenario.resolved(outcome) == ["app==1.9", "base==1.5", "helper==1.4"])
        #expect(resolver.attemptedLimits.first == "2")
        #expect(resolver.attemptedLimits.count > 2)
        let target = try b.channels(python: "3.11.9").target
        #expect(PinnedVersions(SolveRequest(target: target, mode: .virtualenv, pip: pip)) == nil)
    }

    /// A problem no universe changes (a request nothing provides) ends it before a second try.
    @Test func aCertainProblemSkipsThePinnedAttempt() throws {
        let b = Self.channel()
        let pip = try Self.request() + [try Scenario.pip("nowhere==1.0", "requirements.txt:3:1")]
        let (outcome, resolver) = try Scenario.solve(b, pip: pip)
        _ = Scenario.explanation(outcome)
        #expect(resolver.attemptedLimits.count(where: { $0 == "2" }) == 1)
    }
}
