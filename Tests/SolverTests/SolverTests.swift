// The solver on the real embedded channels (channels/conda-forge, channels/pypi).

import Channels
import Foundation
import Requests
import Solver
import Specs
import Testing

enum Data {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static func path(_ relative: String) -> String { repository.appendingPathComponent(relative).path }

    static func channels(python: String = "3.11.9", conda: [String] = ["channels/conda-forge"]) throws -> ChannelSet {
        try ChannelSet(
            condaChannels: conda.map { CondaChannel(path($0)) }, pypiIndexes: [PyPIIndex(path("channels/pypi"))],
            target: Target(python: PythonVersion(python)!))
    }

    static func pip(_ text: String, _ origin: String = "requirements.txt:1:1", constraint: Bool = false) throws
        -> PipRequest
    {
        PipRequest(
            requirement: try Requirement(parsing: text), text: text, origin: Origin(origin), isConstraint: constraint)
    }

    static func conda(_ text: String, _ origin: String = "conda.yaml:1:3") throws -> CondaRequest {
        CondaRequest(spec: try MatchSpec(parsing: text), text: text, origin: Origin(origin))
    }
}

@Suite struct VirtualenvSolveTests {
    @Test func resolvesAPinnedScikitLearnModel() throws {
        let channels = try Data.channels()
        let request = SolveRequest(
            target: channels.target, mode: .virtualenv,
            pip: [try Data.pip("scikit-learn==1.5.2"), try Data.pip("pandas==2.2.3"), try Data.pip("numpy==1.26.4")])
        guard case .resolved(let resolution) = try Resolver(channels: channels).solve(request) else {
            Issue.record("expected a resolution")
            return
        }
        let sklearn = try #require(resolution.package("scikit-learn"))
        #expect(sklearn.version == "1.5.2")
        #expect(sklearn.filename == "scikit_learn-1.5.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl")
        #expect(sklearn.requestedBy == ["requirements.txt:1:1"])
        #expect(resolution.package("numpy")?.version == "1.26.4")
        #expect(resolution.package("numpy")?.requestedBy.contains("scikit-learn") == true)
        #expect(resolution.package("scipy") != nil)
        #expect(resolution.package("joblib") != nil)
        #expect(resolution.package("threadpoolctl") != nil)
        #expect(resolution.packages.allSatisfy { $0.ecosystem == .pypi })
        // Exactly one version per project.
        #expect(Set(resolution.packages.map(\.name)).count == resolution.packages.count)
    }

    @Test func explainsAConflictBetweenPins() throws {
        let channels = try Data.channels()
        let request = SolveRequest(
            target: channels.target, mode: .virtualenv,
            pip: [
                try Data.pip("scikit-learn==1.5.2", "requirements.txt:4:1"),
                try Data.pip("numpy==1.18.5", "requirements.txt:2:1")
            ])
        guard case .unsatisfiable(let explanation) = try Resolver(channels: channels).solve(request) else {
            Issue.record("expected a conflict")
            return
        }
        print(explanation)
        #expect(explanation.description.contains("requirements.txt:2:1 requires numpy==1.18.5"))
    }
}

@Suite struct CondaSolveTests {
    @Test func resolvesPythonFromCondaAndPackagesFromPip() throws {
        let channels = try Data.channels()
        let request = SolveRequest(
            target: channels.target, mode: .conda,
            conda: [try Data.conda("python=3.11.9"), try Data.conda("pip<=24.2")],
            pip: [try Data.pip("scikit-learn==1.5.2", "conda.yaml:8:5")])
        let outcome = try Resolver(channels: channels).solve(request)
        guard case .resolved(let resolution) = outcome else {
            if case .unsatisfiable(let e) = outcome { Issue.record("\(e)") }
            return
        }
        #expect(resolution.package("python", .conda)?.version == "3.11.9")
        #expect(resolution.package("pip", .conda) != nil)
        #expect(resolution.package("scikit-learn", .pypi)?.version == "1.5.2")
        #expect(resolution.package("openssl", .conda) != nil)
    }
}

/// `--debug-solver`: libsolvext's testcase writer, opened on first use (CSolvExt).
@Suite struct DebugTestcaseTests {
    @Test func writesALibsolvTestcase() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-testcase-\(getpid())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let channels = try Data.channels()
        let request = SolveRequest(target: channels.target, mode: .virtualenv, pip: [try Data.pip("joblib==1.4.2")])
        guard case .resolved = try Resolver(channels: channels).solve(request, debugDirectory: directory) else {
            Issue.record("expected a resolution")
            return
        }
        let testcase = try String(contentsOfFile: directory + "/testcase.t", encoding: .utf8)
        #expect(testcase.contains("job install provides pypi\\20joblib\\20==1.4.2"))
        #expect(FileManager.default.fileExists(atPath: directory + "/pypi.repo.gz"))
        #expect(testcase.contains("result transaction,problems"))
    }
}
