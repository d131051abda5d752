// A problem no wider universe changes ends the widening (see `Resolver.attempt`): a request
// nothing provides, or a pinned request whose release requires what nothing provides, among
// projects whose admitted releases are all loaded. The answer is the one the whole universe
// gives (a solve with a debug directory goes straight to it), explanation text included, and
// libsolv's job rules name no solvable (a job's index once passed for one, and pulled an
// unrelated project into the conflict, which then widened for nothing).

import Channels
import Requests
import Specs
import Testing

@testable import Solver

@Suite struct CertainProblemTests {
    /// `app` has 40 releases; the 30 newest need lib>=2, which `lib<2` rules out, so the
    /// attempts at 2 and 8 releases also meet that conflict. `holidays` 0.22 requires
    /// `pymeeus`, which the index does not have.
    static func channel() -> ChannelBuilder {
        let b = ChannelBuilder().pypi("lib", "1.0").pypi("lib", "1.9").pypi("lib", "2.0")
        for i in 0..<40 { b.pypi("app", "1.\(i)", requires: [i < 10 ? "lib<2" : "lib>=2"]) }
        b.pypi("holidays", "0.21").pypi("holidays", "0.22", requires: ["pymeeus"]).pypi("holidays", "0.23")
        return b
    }

    static func request() throws -> [PipRequest] {
        [
            try Scenario.pip("app", "requirements.txt:1:1"), try Scenario.pip("lib<2", "requirements.txt:2:1"),
            try Scenario.pip("holidays==0.22", "requirements.txt:3:1")
        ]
    }

    @Test func aPinnedReleaseRequiringWhatNothingProvidesEndsTheWidening() throws {
        let b = Self.channel()
        let (outcome, resolver) = try Scenario.solve(b, pip: try Self.request())
        let explanation = try #require(Scenario.explanation(outcome))
        // Once the app/lib conflict is gone (32 releases), only the certain problem is left.
        #expect(resolver.attemptedLimits == ["2", "8", "32"])

        let (answer, wholeResolver) = try Scenario.solveWholeUniverse(b, pip: try Self.request())
        #expect(wholeResolver.attemptedLimits == ["none"])
        let expected = try #require(Scenario.explanation(answer))
        #expect(explanation.description == expected.description)
        #expect(explanation.description.contains("holidays 0.22 (pypi) requires pymeeus"))
    }

    /// Where the limits leave out many releases (a mirror with every release, or any remote
    /// index), a problem no universe changes is the answer at once, other conflicts unproven:
    /// the explanation is the whole universe's for it, with a hint that more may show.
    @Test func manyReleasesLeftOutReportTheCertainProblemAtTheFirstAttempt() throws {
        let b = Self.channel()
        let channels = try b.channels(python: "3.11.9")
        var resolver = Resolver(channels: channels)
        resolver.releasesLeftOutLimit = 10
        let outcome = try resolver.solve(
            SolveRequest(target: channels.target, mode: .virtualenv, pip: try Self.request()))
        let explanation = try #require(Scenario.explanation(outcome))
        #expect(resolver.attemptedLimits == ["2"])
        #expect(explanation.description.contains("holidays 0.22 (pypi) requires pymeeus"))
        #expect(explanation.description.contains("further conflicts may show once these are fixed"))
        // The app/lib conflict, which a wider universe removes, is not reported.
        #expect(!explanation.description.contains("app"))
        let (answer, _) = try Scenario.solveWholeUniverse(b, pip: try Self.request())
        let whole = try #require(Scenario.explanation(answer))
        #expect(explanation.problems == whole.problems)
    }

    @Test func aRequestNothingProvidesEndsTheWideningAtTheFirstAttemptWithoutOtherProblems() throws {
        let b = Self.channel()
        let pip = [try Scenario.pip("app"), try Scenario.pip("nowhere==1.0", "requirements.txt:2:1")]
        let (outcome, resolver) = try Scenario.solve(b, pip: pip)
        let explanation = try #require(Scenario.explanation(outcome))
        #expect(resolver.attemptedLimits == ["2"])
        let (answer, _) = try Scenario.solveWholeUniverse(b, pip: pip)
        #expect(explanation.description == Scenario.explanation(answer)?.description)
    }

    /// On a mirror where the requested projects alone leave out many releases, a request
    /// nothing provides is found from their pages and answered from them alone: the same
    /// problem as the whole universe's, with a hint counting what they left out.
    @Test func manyReleasesOfTheRequestedProjectsAnswerAnUnprovidedRequestFromThemAlone() throws {
        let b = Self.channel()
        let pip = [try Scenario.pip("app"), try Scenario.pip("nowhere==1.0", "requirements.txt:2:1")]
        let channels = try b.channels(python: "3.11.9")
        var resolver = Resolver(channels: channels)
        resolver.releasesLeftOutLimit = 10
        let outcome = try resolver.solve(SolveRequest(target: channels.target, mode: .virtualenv, pip: pip))
        let explanation = try #require(Scenario.explanation(outcome))
        #expect(resolver.attemptedLimits == ["2"])
        // app's 38 releases not loaded; lib (what app requires) was never met.
        #expect(
            explanation.description.contains(
                "only the requests nothing provides are shown: mlenv loaded releases newest first as far as the solve needed and left out 38 releases of 1 projects"
            ), "\(explanation.description)")
        let (answer, _) = try Scenario.solveWholeUniverse(b, pip: pip)
        #expect(explanation.problems == Scenario.explanation(answer)?.problems)
    }

    /// A release of a project the limits cut is not certain: an older release of the
    /// requirement's project could do without what the newest lack.
    @Test func anUnpinnedRequestWhoseNewestReleasesNeedWhatNothingProvidesWidens() throws {
        let b = ChannelBuilder()
        for i in 0..<12 { b.pypi("tool", "1.\(i)", requires: i < 3 ? [] : ["missing"]) }
        let (outcome, resolver) = try Scenario.solve(b, pip: [try Scenario.pip("tool")])
        #expect(Scenario.resolved(outcome) == ["tool==1.2"])
        // Only tool widens (nothing else can change a missing requirement), and far.
        #expect(resolver.attemptedLimits == ["2", "2, raised for tool to 128"])
    }

    @Test func jobRulesNameNoSolvable() {
        let job = SolvPool.RuleInfo(kind: .job, source: 3, target: 5, dep: 7)
        let nothing = SolvPool.RuleInfo(kind: .jobNothingProvides, source: 4, target: 5, dep: 7)
        #expect(job.solvables.isEmpty)
        #expect(nothing.solvables.isEmpty)
        #expect(SolvPool.RuleInfo(kind: .requires, source: 3, target: 0, dep: 7).solvables == [3])
    }
}
