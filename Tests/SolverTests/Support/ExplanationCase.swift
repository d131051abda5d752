// A named explanation scenario (rattler's `solver_case.rs`, SwiftPM's `PubGrubTests`): the
// channels (ChannelBuilder), the request as the model's lines give it, and the whole text the
// explanation must be. A case with conda requests is a conda environment, one without a
// virtualenv; the explanation comes back for checks of its data.

import Requests
import Solver
import Specs
import Testing

struct ExplanationCase {
    let channels: ChannelBuilder
    var python = "3.11.9"
    var excludeNewer: String?
    private(set) var conda: [CondaRequest] = []
    private(set) var pip: [PipRequest] = []

    init(_ channels: ChannelBuilder, python: String = "3.11.9", excludeNewer: String? = nil) {
        self.channels = channels
        self.python = python
        self.excludeNewer = excludeNewer
    }

    /// A conda requirement from a conda.yaml line (`conda.yaml:5:3`).
    func conda(_ text: String, at origin: String) throws -> Self {
        var next = self
        next.conda.append(try Scenario.conda(text, origin))
        return next
    }

    /// A pip requirement from a requirements file line.
    func pip(_ text: String, at origin: String = "requirements.txt:1:1") throws -> Self {
        var next = self
        next.pip.append(try Scenario.pip(text, origin))
        return next
    }

    /// Solves; records an issue (and gives nil) when the request resolves.
    func explanation(sourceLocation: SourceLocation = #_sourceLocation) throws -> Explanation? {
        let set = try channels.channels(python: python, excludeNewer: excludeNewer)
        let outcome = try Resolver(channels: set).solve(
            SolveRequest(target: set.target, mode: conda.isEmpty ? .virtualenv : .conda, conda: conda, pip: pip))
        return Scenario.explanation(outcome, sourceLocation: sourceLocation)
    }

    /// Solves and checks the explanation's whole text.
    @discardableResult
    func expect(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Explanation? {
        let e = try explanation(sourceLocation: sourceLocation)
        #expect(e?.description == text, sourceLocation: sourceLocation)
        return e
    }
}
