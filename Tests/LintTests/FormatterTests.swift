// The four output formats, on one small report: text like a compiler's (with the offending
// line and a caret), JSON, SARIF 2.1.0 (validated against the OASIS schema with jsonschema from
// .venv-tools), and GitHub workflow commands.

import Deploy
import Foundation
import JSON
import Lint
import Solver
import Testing

enum SampleReport {
    static let rules = (try? RuleRegistry.descriptions(breakers: BreakerCatalog.builtIn())) ?? []

    static let report = LintReport(
        models: ["models/a b", "models/clean"],
        findings: [
            Finding(
                ruleID: "MLE033", ruleName: "PreferPackagesWithWheels", severity: .warning,
                message: "'pyyaml==5.4.1' has no wheel: 100% sdist, a,b:c",
                location: FindingLocation(model: "models/a b", file: "conda.yaml", line: 2, column: 5),
                notes: [
                    FindingNote("the newest release with a wheel for this target is 6.0.3"),
                    FindingNote(
                        "first required here",
                        at: FindingLocation(model: "models/a b", file: "requirements.txt", line: 1, column: 1))
                ],
                explanation: explanation),
            Finding(
                ruleID: "MLE050", ruleName: "RequireAzureMLAIMonitoring", severity: .error,
                message: "conda.yaml does not require azureml-ai-monitoring",
                location: FindingLocation(model: "models/a b", file: "conda.yaml", line: 1, column: 3)),
            Finding(
                ruleID: "MLE061", ruleName: "MatchTheInputExampleToTheSignature", severity: .info,
                message: "example note", location: FindingLocation(model: "models/a b", file: "input_example.json"))
        ],
        rules: rules, deployment: "azureml-online", solves: 1)

    /// What MLE033 tells of a dependency only sdists provide, as data.
    static let explanation = ExplanationData(
        causes: [
            [
                .request(origin: "requirements.txt:1:1", requirement: "app==1.0", provided: true),
                .dependency(
                    PackageVersions(name: "app", ecosystem: "pypi", versions: ["1.0"]), requirement: "pyyaml==5.4.1",
                    provided: false)
            ]
        ],
        hints: [.sourceOnly(name: "pyyaml", versions: ["5.4.1"])])

    static let source: [String: [Substring]] = [
        "models/a b/conda.yaml": ["- python=3.11.9", "  - pyyaml==5.4.1  # pinned for reasons"]
    ]
}

@Suite struct FormatterTests {
    @Test func textLooksLikeACompiler() {
        let text = TextFormatter(color: false).format(SampleReport.report) { SampleReport.source[$0] }
        #expect(
            text.contains(
                """
                models/a b/conda.yaml:2:5: warning[MLE033]: 'pyyaml==5.4.1' has no wheel: 100% sdist, a,b:c
                    2 |   - pyyaml==5.4.1  # pinned for reasons
                      |     ^~~~~~~~~~~~~
                  note: the newest release with a wheel for this target is 6.0.3
                  note: models/a b/requirements.txt:1:1: first required here
                """))
        #expect(text.contains("models/a b/input_example.json: info[MLE061]: example note\n"))
        #expect(
            text.hasSuffix("2 models checked for azureml-online: 1 error, 1 warning, 1 info (1 without findings)\n"))
        #expect(!text.contains("\u{1B}["))
    }

    @Test func colourOnlyWhenAsked() {
        let text = TextFormatter(color: true).format(SampleReport.report) { SampleReport.source[$0] }
        #expect(text.contains("\u{1B}[1;31merror\u{1B}[0m"))
    }

    @Test func jsonCarriesEveryField() throws {
        let json = JSONFormatter.format(SampleReport.report, toolVersion: "0.1.0")
        let parsed = try JSONValue.parse(string: json.serialized(pretty: true))
        #expect(parsed["summary"]?["errors"] == JSONValue.int(1))
        #expect(parsed["summary"]?["models"] == JSONValue.int(2))
        let first = parsed["findings"]?.arrayValue?.first
        #expect(first?["rule"] == "MLE033")
        #expect(first?["path"] == "models/a b/conda.yaml")
        #expect(first?["line"] == JSONValue.int(2))
        #expect(first?["notes"]?.arrayValue?.count == 2)
        #expect(parsed["findings"]?.arrayValue?.last?["line"] == JSONValue.null)
    }

    /// A finding that tells a solver explanation carries it as `resolve --format json` does;
    /// the others have no such keys.
    @Test func jsonCarriesTheExplanationAsData() throws {
        let json = JSONFormatter.format(SampleReport.report, toolVersion: "0.1.0")
        let findings = try JSONValue.parse(string: json.serialized())["findings"]?.arrayValue ?? []
        let causes = findings.first?["causes"]?.arrayValue?.first?.arrayValue ?? []
        #expect(causes.map { $0["kind"]?.stringValue } == ["request", "dependency"])
        #expect(causes.last?["package"]?["versions"] == .array(["1.0"]))
        #expect(
            causes.last?["text"] == "app 1.0 (pypi) requires pyyaml==5.4.1, which no package in the channels provides")
        #expect(
            findings.first?["hint_details"]
                == .array([
                    [
                        "kind": "source_only", "name": "pyyaml", "versions": .array(["5.4.1"]),
                        "text": "pyyaml 5.4.1 only as source distributions (a build would be needed)"
                    ]
                ]))
        #expect(findings.dropFirst().allSatisfy { $0["causes"] == nil && $0["hint_details"] == nil })
    }

    @Test func githubCommandsEscapeTheirValues() {
        let text = GitHubFormatter.format(SampleReport.report)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(
            lines[0]
                == "::warning file=models/a b/conda.yaml,line=2,col=5,title=MLE033 PreferPackagesWithWheels::'pyyaml==5.4.1' has no wheel: 100%25 sdist, a,b:c%0Athe newest release with a wheel for this target is 6.0.3%0Amodels/a b/requirements.txt:1:1: first required here"
        )
        #expect(
            lines[1].hasPrefix(
                "::error file=models/a b/conda.yaml,line=1,col=3,title=MLE050 RequireAzureMLAIMonitoring::"))
        #expect(
            lines[2]
                == "::notice file=models/a b/input_example.json,title=MLE061 MatchTheInputExampleToTheSignature::example note"
        )
    }

    @Test func sarifHasTheRuleTableAndResults() throws {
        let sarif = SARIFFormatter.format(SampleReport.report, toolVersion: "0.1.0")
        #expect(sarif["version"] == "2.1.0")
        let run = sarif["runs"]?.arrayValue?.first
        let rules = run?["tool"]?["driver"]?["rules"]?.arrayValue ?? []
        #expect(rules.count == SampleReport.rules.count)
        let results = run?["results"]?.arrayValue ?? []
        #expect(results.count == 3)
        let first = results[0]
        #expect(first["level"] == "warning")
        #expect(
            first["locations"]?.arrayValue?.first?["physicalLocation"]?["artifactLocation"]?["uri"]
                == "models/a%20b/conda.yaml")
        #expect(first["relatedLocations"]?.arrayValue?.count == 1)
        #expect(results[2]["level"] == "note")
        // The explanation as data in the result's property bag, as lint's JSON has it.
        let expected = JSONFormatter.format(SampleReport.report, toolVersion: "0.1.0")["findings"]?.arrayValue?.first
        #expect(first["properties"]?["causes"] == expected?["causes"])
        #expect(first["properties"]?["hint_details"] == expected?["hint_details"])
        #expect(results[1]["properties"] == nil)
        if let index = first["ruleIndex"]?.numberValue?.int {
            #expect(rules[Int(index)]["id"] == "MLE033")
        } else {
            Issue.record("no ruleIndex")
        }
    }

    @Test func sarifValidatesAgainstTheSchema() throws {
        let sarif = SARIFFormatter.format(SampleReport.report, toolVersion: "0.1.0").serialized(pretty: true)
        try SchemaValidator.validate(sarif)
    }
}

/// Runs jsonschema (from .venv-tools, made by scripts/python-tools) over a SARIF document.
enum SchemaValidator {
    static let python = Repo.path(".venv-tools/bin/python")
    static let schema = Repo.path("Tests/LintTests/Data/sarif-schema-2.1.0.json")

    static var available: Bool {
        guard FileManager.default.isExecutableFile(atPath: python) else { return false }
        return (try? run(["-c", "import jsonschema"], input: "").status) == 0
    }

    static func validate(_ document: String) throws {
        guard available else {
            if ProcessInfo.processInfo.environment["MLENV_REQUIRE_TOOLS"] != nil {
                Issue.record("jsonschema is not installed in .venv-tools (run scripts/python-tools)")
            }
            return
        }
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            document = json.load(sys.stdin)
            validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
            errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
            for e in errors[:20]:
                print("/".join(str(p) for p in e.path), e.message)
            sys.exit(1 if errors else 0)
            """
        let result = try run(["-c", script, schema], input: document)
        #expect(result.status == 0, "SARIF does not validate against sarif-schema-2.1.0.json:\n\(result.output)")
    }

    static func run(_ arguments: [String], input: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = arguments
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stdout
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
