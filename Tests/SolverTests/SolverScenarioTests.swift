// Named scenarios on the real embedded channels: each states the requests and what must come
// out (rattler's SolverCase style), including the explanation text word for word.

import Channels
import Requests
import Solver
import Specs
import Testing

@Suite struct SolverScenarioTests {
    func solve(_ request: SolveRequest, channels: ChannelSet) throws -> SolveOutcome {
        try Resolver(channels: channels).solve(request)
    }

    func resolved(_ outcome: SolveOutcome, sourceLocation: SourceLocation = #_sourceLocation) -> Resolution? {
        switch outcome {
        case .resolved(let r): return r
        case .unsatisfiable(let e):
            Issue.record("expected a resolution, got:\n\(e)", sourceLocation: sourceLocation)
            return nil
        }
    }

    @Test func aCondaPackageMeetsAPipRequirement() throws {
        let channels = try Data.channels()
        let request = SolveRequest(
            target: channels.target, mode: .conda,
            conda: [
                try Data.conda("python=3.11.9"), try Data.conda("pip"), try Data.conda("numpy=1.26.4", "conda.yaml:5:3")
            ],
            pip: [try Data.pip("scikit-learn==1.5.2", "conda.yaml:8:5")])
        guard let resolution = resolved(try solve(request, channels: channels)) else { return }
        // scikit-learn's numpy requirement is met by the conda build; no wheel of numpy.
        #expect(resolution.package("numpy", .conda)?.version == "1.26.4")
        #expect(resolution.package("numpy", .pypi) == nil)
        #expect(resolution.package("numpy", .conda)?.requestedBy.contains("scikit-learn") == true)
        #expect(resolution.package("scikit-learn", .pypi)?.version == "1.5.2")
    }

    @Test func extrasInstallTheirRequirements() throws {
        let channels = try Data.channels()
        let request = SolveRequest(
            target: channels.target, mode: .virtualenv, pip: [try Data.pip("inference-schema[numpy-support]==1.8")])
        guard let resolution = resolved(try solve(request, channels: channels)) else { return }
        let schema = try #require(resolution.package("inference-schema"))
        #expect(schema.extras == ["numpy-support"])
        #expect(resolution.package("numpy")?.requestedBy.contains("inference-schema[numpy-support]") == true)
        // Without the extra, numpy is not needed.
        let plain = SolveRequest(
            target: channels.target, mode: .virtualenv, pip: [try Data.pip("inference-schema==1.8")])
        guard let without = resolved(try solve(plain, channels: channels)) else { return }
        #expect(without.package("numpy") == nil)
    }

    @Test func markersAreEvaluatedForTheTarget() throws {
        let channels = try Data.channels()
        let request = SolveRequest(
            target: channels.target, mode: .virtualenv,
            pip: [
                try Data.pip("cloudpickle==3.1.0 ; python_version >= \"3.9\""),
                try Data.pip("pandas==1.3.5 ; python_version < \"3.9\"")
            ])
        guard let resolution = resolved(try solve(request, channels: channels)) else { return }
        #expect(resolution.package("cloudpickle") != nil)
        #expect(resolution.package("pandas") == nil)
    }

    @Test func yankedFilesOnlyForExactPins() throws {
        let channels = try Data.channels()
        let pinned = SolveRequest(target: channels.target, mode: .virtualenv, pip: [try Data.pip("flask-cors==6.0.4")])
        #expect(resolved(try solve(pinned, channels: channels))?.package("flask-cors")?.version == "6.0.4")
        let ranged = SolveRequest(
            target: channels.target, mode: .virtualenv,
            pip: [try Data.pip("flask-cors>=6.0.4,<6.0.5", "requirements.txt:3:1")])
        guard case .unsatisfiable(let explanation) = try solve(ranged, channels: channels) else {
            Issue.record("a range must not pick a yanked release")
            return
        }
        #expect(explanation.hints.contains("flask-cors 6.0.4: yanked: This accidentally broke MyPy for blueprints"))
    }

    @Test func preReleasesOnlyWhenNamed() throws {
        let channels = try Data.channels()
        let named = SolveRequest(target: channels.target, mode: .virtualenv, pip: [try Data.pip("beartype==0.23.0rc1")])
        #expect(resolved(try solve(named, channels: channels))?.package("beartype")?.version == "0.23.0rc1")
        let open = SolveRequest(target: channels.target, mode: .virtualenv, pip: [try Data.pip("beartype>=0.22")])
        let version = try #require(resolved(try solve(open, channels: channels))?.package("beartype")?.version)
        #expect(!(try PEP440Version(parsing: version)).isPrerelease)
    }

    @Test func strictChannelPriority() throws {
        let channels = try Data.channels(conda: ["fixtures/channels/local-overrides", "channels/conda-forge"])
        let request = SolveRequest(
            target: channels.target, mode: .conda,
            conda: [try Data.conda("python=3.11.9"), try Data.conda("cloudpickle")])
        guard let resolution = resolved(try solve(request, channels: channels)) else { return }
        // The higher-priority channel's cloudpickle hides conda-forge's newer ones.
        #expect(resolution.package("cloudpickle", .conda)?.version == "0.0.1")
        #expect(resolution.package("python", .conda)?.version == "3.11.9")
    }

    @Test func condaConstrainsAreConflicts() throws {
        let channels = try Data.channels()
        // python 3.11.9 constrains python_abi to 3.11.* *_cp311.
        let request = SolveRequest(
            target: channels.target, mode: .conda,
            conda: [
                try Data.conda("python=3.11.9", "conda.yaml:4:3"), try Data.conda("python_abi=3.10", "conda.yaml:5:3")
            ])
        guard case .unsatisfiable(let explanation) = try solve(request, channels: channels) else {
            Issue.record("expected a conflict through constrains")
            return
        }
        let text = explanation.description
        #expect(text.contains("conda.yaml:5:3 requires python_abi=3.10"))
        #expect(text.contains("constrains python_abi 3.11.* *_cp311"))
    }

    @Test func unknownPackagesAndPythonsAreDistinctErrors() throws {
        let channels = try Data.channels()
        let unknown = SolveRequest(
            target: channels.target, mode: .virtualenv,
            pip: [try Data.pip("no-such-package-anywhere==1.0", "requirements.txt:9:1")])
        guard case .unsatisfiable(let e1) = try solve(unknown, channels: channels) else {
            Issue.record("expected unsatisfiable")
            return
        }
        #expect(
            e1.description == """
                  - requirements.txt:9:1 requires no-such-package-anywhere==1.0, but no package in the channels provides it
                Hints:
                  - no-such-package-anywhere is not in the configured PyPI indexes
                """)
        let oldPython = try Data.channels(python: "3.5.2")
        let request = SolveRequest(
            target: oldPython.target, mode: .conda, conda: [try Data.conda("python=3.5.2", "conda.yaml:3:3")],
            pythonOrigin: Origin("conda.yaml:3:3"))
        guard case .unsatisfiable(let e2) = try solve(request, channels: oldPython) else {
            Issue.record("expected unsatisfiable")
            return
        }
        #expect(
            e2.description.contains("conda.yaml:3:3 requires python=3.5.2, but no package in the channels provides it"))
        #expect(e2.hints.contains { $0.hasPrefix("python in the conda channels: ") })
    }

    @Test func noCompatibleWheelSaysWhichTagsExist() throws {
        let channels = try Data.channels(python: "3.14.0")
        let request = SolveRequest(
            target: channels.target, mode: .virtualenv, pip: [try Data.pip("numpy==1.26.4", "requirements.txt:2:1")])
        guard case .unsatisfiable(let e) = try solve(request, channels: channels) else {
            Issue.record("expected unsatisfiable")
            return
        }
        #expect(e.hints.contains("numpy 1.26.4: wheels only for cp39, cp310, cp311, cp312, not CPython 3.14"))
        #expect(e.hints.contains("numpy 1.26.4 only as source distributions (a build would be needed)"))
    }

    @Test func isDeterministic() throws {
        let channels = try Data.channels()
        let request = SolveRequest(
            target: channels.target, mode: .virtualenv,
            pip: [try Data.pip("mlflow-skinny==2.17.2"), try Data.pip("scikit-learn")])
        let first = resolved(try solve(request, channels: channels))?.packages.map(\.filename)
        let second = resolved(try solve(request, channels: try Data.channels()))?.packages.map(\.filename)
        #expect(first != nil && first == second)
    }
}
