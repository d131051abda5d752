// Real models: every saved input example of the repository's fixtures and the shared real models
// (../shared/models) must pass its own signature, as MLflow logged it; and large bodies stream.

import Foundation
import Inference
import JSON
import ModelFiles
import Testing

private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

private func modelDirectories() -> [String] {
    var dirs: [String] = []
    for parent in [repositoryRoot + "/fixtures/models", repositoryRoot + "/../shared/models"] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
        for entry in entries.sorted() where FileManager.default.fileExists(atPath: "\(parent)/\(entry)/MLmodel") {
            dirs.append("\(parent)/\(entry)")
        }
    }
    return dirs
}

@Suite struct FixtureModelTests {
    @Test func savedExamplesPassTheirOwnSignatures() throws {
        var checked = 0
        for dir in modelDirectories() {
            guard let files = try? ModelLoader.loadSignatureFiles(path: dir) else { continue }
            for check in InputExampleValidator.validate(files) {
                checked += 1
                #expect(check.report.isValid, "\(dir)/\(check.file): \(check.report.errors.map(\.description))")
            }
        }
        #expect(checked >= 3, "expected the fixtures' examples (sklearn-iris, sklearn-conda) to be checked")
    }

    @Test func sklearnIrisIsARealMLflowModel() throws {
        let files = try ModelLoader.loadSignatureFiles(path: repositoryRoot + "/fixtures/models/sklearn-iris")
        guard case .columns(let columns)? = files.mlmodel.signature?.inputs else {
            Issue.record("sklearn-iris has no column signature")
            return
        }
        #expect(
            columns.map(\.name) == ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"])
        #expect(files.servingInputExample?.value != nil)
    }

    @Test func loadingNeedsOnlyMLmodel() throws {
        // A model whose environment files are broken still validates payloads.
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-inference-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let mlmodel = """
            flavors:
              python_function:
                env: {conda: conda.yaml, virtualenv: python_env.yaml}
            signature:
              inputs: '[{"type": "long", "name": "n"}]'
            """
        try mlmodel.write(toFile: dir + "/MLmodel", atomically: true, encoding: .utf8)
        try "{{{ not yaml".write(toFile: dir + "/conda.yaml", atomically: true, encoding: .utf8)
        let files = try ModelLoader.loadSignatureFiles(path: dir)
        let report = PayloadValidator(signature: files.mlmodel.signature).validate(
            Array(#"{"inputs": {"n": [1, 2]}}"#.utf8))
        #expect(report.isValid)
    }

    @Test func largeSplitBodyStreams() {
        // 200,000 rows × 4 columns: checked cell by cell without a tree of the body.
        var body =
            #"{"dataframe_split": {"columns": ["sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)"], "data": ["#
        body.reserveCapacity(6_000_000)
        for i in 0..<200_000 {
            if i > 0 { body += "," }
            body += "[5.1,3.5,1.4,\(i % 3)]"
        }
        body += "]}}"
        let signature = Signatures.columns(
            #"[{"type": "double", "name": "sepal length (cm)"}, {"type": "double", "name": "sepal width (cm)"}, {"type": "double", "name": "petal length (cm)"}, {"type": "double", "name": "petal width (cm)"}]"#
        )
        let report = PayloadValidator(signature: signature).validate(Array(body.utf8))
        #expect(report.isValid, "\(report.findings.prefix(3))")
    }

    @Test func scoringCoreShipsAsAResource() throws {
        let bytes = try #require(ScoringCore.contents(of: "score.py"))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.contains("def init("))
        #expect(text.contains("def run("))
    }
}
