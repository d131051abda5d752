// The bundled Python scoring core (Sources/Inference/Resources/score.py) with real MLflow on the
// real scikit-learn fixture. Runs when the pinned environment exists (scripts/python-env makes
// .venv-mlflow); otherwise it records nothing and passes, so `swift test` works without Python.

import Foundation
import Testing

private let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

@Suite struct ScoringCoreTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: root + "/.venv-mlflow/bin/python")))
    func scorePyWithRealMLflow() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: root + "/.venv-mlflow/bin/python")
        process.arguments = [root + "/Tests/InferenceTests/Python/test_score.py"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        #expect(output.contains(" passed, 0 failed"), "\(output)")
    }
}
