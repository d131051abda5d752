// Every rule against its fixtures (fixtures/lint/MLEnnn-Name/): each model under `triggers/`
// must produce exactly the rule's findings its markers show, and each under `clean/` none of
// that rule's. The whole tree is linted once (one solve per distinct environment), as CI would.

import Deploy
import Foundation
import Lint
import Testing

enum FixtureRun {
    /// One lint of every fixture model, by model directory; the error when the linter could not
    /// be made (the embedded channels did not load), which every test using it reports.
    static let run: Result<[String: [Finding]], any Error> = Result {
        let models = fixtureModels()
        let report = try TestChannels.linter().lint(paths: models)
        var byModel: [String: [Finding]] = [:]
        for model in models { byModel[model] = [] }
        for finding in report.findings { byModel[finding.location.model, default: []].append(finding) }
        return byModel
    }

    /// The findings of every fixture model; throws (failing the test) when the lint could not run.
    static func findings() throws -> [String: [Finding]] { try run.get() }

    static func fixtureModels() -> [String] {
        var models: [String] = []
        for rule in ruleDirectories() {
            for kind in ["triggers", "clean"] {
                let base = Repo.fixtures + "/" + rule + "/" + kind
                models += modelDirectories(base)
            }
        }
        return models + [Repo.fixtures + "/clean", Repo.fixtures + "/suppressed"]
    }

    static func ruleDirectories() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: Repo.fixtures)) ?? []).filter { $0.hasPrefix("MLE") }
            .sorted()
    }

    /// `base` itself when it is a model (or a directory meant to have none), else its children.
    static func modelDirectories(_ base: String) -> [String] {
        let fm = FileManager.default
        if fm.fileExists(atPath: base + "/MLmodel") || fm.fileExists(atPath: base + "/lint-expect.txt") {
            return [base]
        }
        return ((try? fm.contentsOfDirectory(atPath: base)) ?? []).sorted().map { base + "/" + $0 }
    }
}

@Suite struct RuleFixtureTests {
    @Test(arguments: FixtureRun.ruleDirectories())
    func triggersWhereTheMarkersSay(_ directory: String) throws {
        let rule = String(directory.prefix(6))
        let models = FixtureRun.modelDirectories(Repo.fixtures + "/" + directory + "/triggers")
        #expect(!models.isEmpty, "\(directory) has no triggering fixture")
        let findings = try FixtureRun.findings()
        for model in models {
            let expected = Set(Markers.expectations(in: model).filter { $0.rule == rule })
            #expect(!expected.isEmpty, "\(model): no \(rule) marker")
            let actual = Set((findings[model] ?? []).filter { $0.ruleID == rule }.map(ExpectedFinding.init))
            #expect(
                actual == expected,
                "\(model)\n  expected: \(expected.sorted { $0.description < $1.description })\n  actual:   \(actual.sorted { $0.description < $1.description })"
            )
        }
    }

    @Test(arguments: FixtureRun.ruleDirectories())
    func staysQuietOnTheCleanFixture(_ directory: String) throws {
        let rule = String(directory.prefix(6))
        let models = FixtureRun.modelDirectories(Repo.fixtures + "/" + directory + "/clean")
        #expect(!models.isEmpty, "\(directory) has no clean fixture")
        let findings = try FixtureRun.findings()
        for model in models {
            let found = (findings[model] ?? []).filter { $0.ruleID == rule }
            #expect(found.isEmpty, "\(model): \(found.map { "\($0.location): \($0.message)" })")
        }
    }

    @Test func theCleanModelHasNoFindingsAtAll() throws {
        let findings = try FixtureRun.findings()
        #expect(findings.count == FixtureRun.fixtureModels().count)
        let found = try #require(findings[Repo.fixtures + "/clean"], "the clean fixture was not linted")
        #expect(found.isEmpty, "\(found.map { "\($0.ruleID) \($0.location): \($0.message)" })")
    }

    @Test func everyRuleHasFixtures() throws {
        let ids = Set(RuleRegistry.descriptions(breakers: try BreakerCatalog.builtIn()).map(\.id))
        let covered = Set(FixtureRun.ruleDirectories().map { String($0.prefix(6)) })
        #expect(
            ids == covered,
            "rules without fixtures: \(ids.subtracting(covered).sorted()); fixtures without rules: \(covered.subtracting(ids).sorted())"
        )
    }

    @Test func fixtureDirectoriesAreNamedAfterTheirRules() throws {
        let rules = RuleRegistry.descriptions(breakers: try BreakerCatalog.builtIn())
        for directory in FixtureRun.ruleDirectories() {
            let id = String(directory.prefix(6))
            let name = String(directory.dropFirst(7))
            #expect(rules.contains { $0.id == id && $0.name == name }, "\(directory)")
        }
    }
}
