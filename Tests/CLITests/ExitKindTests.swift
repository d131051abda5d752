// Exit codes are decided in one place: errors say their kind (Specs' `FailureKind`) and the
// executable's `ExitStatus` maps kinds to codes. The mapping is read directly; the package case
// (a direct URL requirement is bad input, not an unsatisfiable model) through the binary.

import Foundation
import Solver
import Specs
import Testing

@testable import mlenv

@Suite struct ExitKindTests {
    private struct Unclassified: Error {}

    @Test func kindsMapToCodesInOnePlace() {
        #expect(ExitStatus.code(for: FailureKind.verdict) == 1)
        #expect(ExitStatus.code(for: FailureKind.badInput) == 2)
        #expect(ExitStatus.code(for: ReportedFailure.verdict) == 1)
        #expect(ExitStatus.code(for: ReportedFailure.badInput) == 2)
        #expect(ExitStatus.code(for: CommandError("no such file")) == 2)
        #expect(ExitStatus.code(for: SolveError("nothing satisfies numpy>=99")) == 1)
        #expect(ExitStatus.code(for: SolveError("a direct URL", kind: .badInput)) == 2)
        // An error nobody classified is input mlenv could not use.
        #expect(ExitStatus.code(for: Unclassified()) == 2)
    }

    /// A model whose requirements.txt holds a direct URL requirement (sklearn-iris otherwise).
    private func modelWithDirectURL() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-url-\(UUID().uuidString)")
        try FileManager.default.copyItem(
            at: CLI.repository.appendingPathComponent("fixtures/models/sklearn-iris"), to: directory)
        let requirements =
            "mlflow==3.7.0\nscikit-learn @ https://files.example.invalid/scikit_learn-1.7.2-cp311-cp311-manylinux_2_17_x86_64.whl\n"
        try Data(requirements.utf8).write(to: directory.appendingPathComponent("requirements.txt"))
        return directory.path
    }

    @Test(arguments: ["package", "resolve", "lock"])
    func aDirectURLRequirementIsBadInput(command: String) throws {
        let model = try modelWithDirectURL()
        defer { try? FileManager.default.removeItem(atPath: model) }
        let output = model + ".out"
        defer { try? FileManager.default.removeItem(atPath: output) }
        var arguments = [command, model, "--env-manager", "virtualenv"]
        if command != "resolve" { arguments += ["-o", command == "package" ? output + ".tar.gz" : output] }
        let result = try CLI.run(arguments)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(
            result.stderr.contains("requirements.txt:2:1: 'scikit-learn @ https://files.example.invalid/"),
            "\(result.stderr)")
        #expect(result.stderr.contains("is a direct URL requirement; mlenv resolves from mirrors only"))
        #expect(
            !FileManager.default.fileExists(atPath: output + ".tar.gz")
                && !FileManager.default.fileExists(atPath: output))
    }
}
