// A newer-release probe (see `Resolver.solve`) whose requirement brings no release into the
// universe solves on the pool the attempt before it built (`Resolver.attempt(_:reusing:…)`):
// the same candidates make the same pool, so only the jobs differ. Checked through the
// resolver's test hooks (`attemptedLimits`, `poolsBuilt`) and against the whole universe's
// answer, which a solve with a debug directory gives directly.

import Channels
import Requests
import Specs
import Testing

@testable import Solver

@Suite struct ProbePoolTests {
    /// `app` has 40 releases; the 30 newest need lib>=2, which `lib<2` rules out. The
    /// attempts at 2 and 8 releases fail, the one at 32 installs app 1.9 (older than the newest
    /// it admits), and each probe `app>1.9` (the releases it admits are loaded already) proves
    /// the conflict on the pool already built: six attempts, four pools.
    static func channel() -> ChannelBuilder {
        let b = ChannelBuilder().pypi("lib", "1.0").pypi("lib", "1.9").pypi("lib", "2.0")
        for i in 0..<40 { b.pypi("app", "1.\(i)", requires: [i < 10 ? "lib<2" : "lib>=2"]) }
        return b
    }

    @Test func aProbeThatBringsNoReleaseSolvesOnTheLatestPool() throws {
        let b = Self.channel()
        let pip = [try Scenario.pip("app"), try Scenario.pip("lib<2", "requirements.txt:2:1")]
        let (outcome, resolver) = try Scenario.solve(b, pip: pip)
        #expect(Scenario.resolved(outcome) == ["app==1.9", "lib==1.9"])
        let raised = "32, raised for app to 128"
        #expect(resolver.attemptedLimits == ["2", "8", "32", "32", raised, raised])
        #expect(resolver.poolsBuilt == 4)

        // The whole universe (a debug directory goes straight to it) gives the same answer.
        let (answer, whole) = try Scenario.solveWholeUniverse(b, pip: pip)
        #expect(Scenario.resolved(answer) == ["app==1.9", "lib==1.9"])
        #expect(whole.attemptedLimits == ["none"])
    }

    /// Without a probe every attempt builds its pool.
    @Test func everyWideningBuildsItsPool() throws {
        let b = ChannelBuilder()
            .pypi("app", "1.0", requires: ["lib<2"]).pypi("app", "2.0", requires: ["lib<2"])
            .pypi("app", "3.0", requires: ["lib<2"]).pypi("app", "4.0", requires: ["lib>=2"])
            .pypi("app", "5.0", requires: ["lib>=2"]).pypi("lib", "1.0").pypi("lib", "1.9").pypi("lib", "2.0")
        let (outcome, resolver) = try Scenario.solve(b, pip: [try Scenario.pip("app"), try Scenario.pip("lib<2")])
        #expect(Scenario.resolved(outcome) == ["app==3.0", "lib==1.9"])
        #expect(resolver.attemptedLimits == ["2", "8"])
        #expect(resolver.poolsBuilt == 2)
    }
}
