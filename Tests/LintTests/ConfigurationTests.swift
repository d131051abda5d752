// .mlenv.yaml: what it sets, the errors it gives (with line and column), per-path overrides,
// and inline suppression comments.

import Deploy
import Foundation
import Lint
import Testing

@Suite struct ConfigurationTests {
    static let rules: [RuleDescription] = (try? RuleRegistry.descriptions(breakers: BreakerCatalog.builtIn())) ?? []

    func parse(_ text: String) throws(ConfigurationError) -> LintConfiguration {
        try LintConfiguration.parse(Array(text.utf8), file: "/project/.mlenv.yaml", rules: Self.rules)
    }

    @Test func readsEveryKey() throws {
        let configuration = try parse(
            """
            deployment: mlflow-serve
            channels: [mirror/conda-forge]
            indexes: [mirror/pypi, /srv/pypi]
            exclude-newer: 2026-11-01
            lint:
              max-warnings: 20
              rules:
                MLE030: off
                AvoidEndOfLifePython: error
              overrides:
                - paths: ["legacy/**"]
                  deployment: azureml-batch
                  rules: {MLE012: off}
            """)
        #expect(configuration.deployment == "mlflow-serve")
        #expect(configuration.channels == ["mirror/conda-forge"])
        #expect(configuration.resolve("mirror/pypi") == "/project/mirror/pypi")
        #expect(configuration.resolve("/srv/pypi") == "/srv/pypi")
        #expect(configuration.excludeNewer == "2026-11-01")
        #expect(configuration.maxWarnings == 20)
        #expect(configuration.rules["MLE030"] == .off)
        #expect(configuration.rules["MLE012"] == .severity(.error))

        let legacy = configuration.settings(forModel: "/project/legacy/a/b")
        #expect(legacy.deployment == "azureml-batch")
        #expect(legacy.rules["MLE012"] == .off)
        #expect(legacy.rules["MLE030"] == .off)
        let other = configuration.settings(forModel: "/project/models/a")
        #expect(other.deployment == "mlflow-serve")
        #expect(other.rules["MLE012"] == .severity(.error))
    }

    @Test func rejectsUnknownRulesWithTheirLocation() {
        #expect {
            _ = try parse("lint:\n  rules:\n    MLE999: off\n")
        } throws: { error in
            let e = error as? ConfigurationError
            return e?.line == 3 && e?.column == 5 && e?.message.contains("no rule 'MLE999'") == true
        }
    }

    @Test func rejectsUnknownKeys() {
        #expect(throws: ConfigurationError.self) { try parse("deploymnet: azureml-online\n") }
        #expect(throws: ConfigurationError.self) { try parse("lint:\n  rulez: {}\n") }
        #expect(throws: ConfigurationError.self) { try parse("lint:\n  rules:\n    MLE030: loud\n") }
        #expect(throws: ConfigurationError.self) { try parse("lint:\n  overrides:\n    - rules: {}\n") }
    }

    @Test func findsTheNearestAncestor() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-config-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: root + "/a/b/c", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "deployment: none\n".write(toFile: root + "/a/.mlenv.yaml", atomically: true, encoding: .utf8)
        #expect(
            LintConfiguration.find(from: root + "/a/b/c").map { URL(fileURLWithPath: $0).standardizedFileURL.path }
                == URL(fileURLWithPath: root + "/a/.mlenv.yaml").standardizedFileURL.path)
    }

    @Test(arguments: [
        ("legacy/**", "legacy/a/b", true),
        ("legacy", "legacy/a", true),
        ("legacy/*", "legacy/a/b", true),
        ("legacy/*", "other/a", false),
        ("**/sklearn-*", "team/x/sklearn-iris", true),
        ("models/?-old", "models/a-old", true),
        ("models/?-old", "models/ab-old", false),
        ("**", "a/b", true),
        ("a/**/b/**/c", "a/x/b/y/z/c", true),
        ("a/**/b/**/c", "a/x/c/y/b", false),
        ("**/**/x", "x", true),
        // Many `**` before a segment that never matches: decided segment by segment (this once
        // took time exponential in the number of `**`).
        (
            Array(repeating: "**", count: 40).joined(separator: "/") + "/zzz",
            Array(repeating: "d", count: 60).joined(separator: "/"), false
        )
    ])
    func pathPatterns(_ pattern: String, _ path: String, _ matches: Bool) {
        #expect(PathPattern(pattern).matches(directoryOrAncestor: path) == matches, "\(pattern) vs \(path)")
    }

    @Test func configurationTurnsRulesOffAndRelevelsThem() throws {
        var configuration = LintConfiguration()
        configuration.rules = ["MLE030": .off, "MLE050": .severity(.info)]
        let model = Repo.fixtures + "/MLE030-PinRequirementsExactly/triggers"
        let report = try TestChannels.linter(configuration: configuration).lint(paths: [model])
        #expect(!report.findings.contains { $0.ruleID == "MLE030" })

        let unmonitored = Repo.fixtures + "/MLE050-RequireAzureMLAIMonitoring/triggers"
        let second = try TestChannels.linter(configuration: configuration).lint(paths: [unmonitored])
        #expect(second.findings.filter { $0.ruleID == "MLE050" }.map(\.severity) == [.info])
    }
}

@Suite struct SuppressionTests {
    @Test func anInlineCommentSilencesItsLine() throws {
        let found = try #require(
            try FixtureRun.findings()[Repo.fixtures + "/suppressed"], "the suppressed fixture was not linted")
        #expect(!found.contains { $0.ruleID == "MLE030" }, "\(found.map(\.message))")
    }

    @Test func directivesNameRulesByIdOrName() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-suppress-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        let source = Repo.fixtures + "/MLE030-PinRequirementsExactly/triggers"
        for name in try FileManager.default.contentsOfDirectory(atPath: source) {
            try FileManager.default.copyItem(atPath: source + "/" + name, toPath: root + "/" + name)
        }
        // A comment line of its own covers the next line; names work like ids.
        let conda = try String(contentsOfFile: root + "/conda.yaml", encoding: .utf8)
            .replacingOccurrences(
                of: "  - pandas>=2.2\n", with: "  # mlenv: ignore PinRequirementsExactly\n  - pandas>=2.2\n")
        try conda.write(toFile: root + "/conda.yaml", atomically: true, encoding: .utf8)
        let report = try TestChannels.linter().lint(paths: [root])
        #expect(!report.findings.contains { $0.ruleID == "MLE030" })
        // ignore-file covers the whole file, for the rules it names only.
        try ("# mlenv: ignore-file MLE012\n" + conda.replacingOccurrences(of: "python=3.11.9", with: "python=3.9.23"))
            .write(toFile: root + "/conda.yaml", atomically: true, encoding: .utf8)
        let second = try TestChannels.linter().lint(paths: [root])
        #expect(!second.findings.contains { $0.ruleID == "MLE012" })
        #expect(second.findings.contains { $0.ruleID == "MLE010" })
    }
}
