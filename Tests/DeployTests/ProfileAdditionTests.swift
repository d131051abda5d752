// A profile never adds what its own breaker catalogue says breaks its deployment: for every
// built-in profile, every MLflow version a model may have been saved with (or none), and every
// release of each added package in the embedded PyPI snapshot, a release the added requirement
// admits is in no single-package range the catalogue names for that deployment.

import Foundation
import JSON
import ModelFiles
import Specs
import Testing

@testable import Deploy

@Suite struct ProfileAdditionTests {
    static func releases(_ name: String) throws -> [String] {
        let path = Fixtures.repository.appendingPathComponent(
            "channels/pypi/simple/\(NormalizedName(name).value)/index.json")
        let page = try JSONValue.parse([UInt8](Data(contentsOf: path)))
        return page["versions"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    static func model(savedWith mlflow: String?, in root: URL) throws -> DeclaredEnvironment {
        let dir = root.appendingPathComponent("saved-\(mlflow ?? "unknown")")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let mlmodel = """
            flavors:
              python_function:
                env:
                  conda: conda.yaml
                loader_module: mlflow.sklearn
                python_version: 3.11.9
            \(mlflow.map { "mlflow_version: \($0)" } ?? "")

            """
        try mlmodel.write(to: dir.appendingPathComponent("MLmodel"), atomically: true, encoding: .utf8)
        try "dependencies:\n- python=3.11.9\n- pip\n- pip:\n  - numpy==1.26.4\n".write(
            to: dir.appendingPathComponent("conda.yaml"), atomically: true, encoding: .utf8)
        return try ModelLoader.load(path: dir.path)
    }

    @Test func noAdditionAdmitsABreakingRelease() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-additions-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        let catalog = try BreakerCatalog.builtIn()
        var checked = 0
        for saved in [nil, "2.16.2", "3.5.1", "3.6.0", "3.17.2"] {
            let environment = try Self.model(savedWith: saved, in: root)
            for profile in try Profiles.all() {
                let plan = try DeploymentPlanner.plan(environment, profile: profile)
                for request in plan.request.pip where !request.origin.isModel {
                    let name = request.requirement.normalizedName
                    for version in try Self.releases(name.value) {
                        guard let parsed = try? PEP440Version(parsing: version),
                            request.requirement.specifier.contains(parsed, prereleases: false)
                        else { continue }
                        checked += 1
                        for rule in catalog.rules where rule.deployments?.contains(profile.name) ?? true {
                            for c in rule.cases
                            where c.installs.count == 1 && c.any.isEmpty && c.missing.isEmpty && c.declares.isEmpty {
                                #expect(
                                    !c.installs[0].matches(name: name, version: version, ecosystem: .pypi),
                                    "profile \(profile.name) adds '\(request.text)' (saved with \(saved ?? "?")), which admits \(name.value) \(version): \(rule.header.id)"
                                )
                            }
                        }
                    }
                }
            }
        }
        #expect(checked > 100)
    }

    @Test func theCoupledMLflowIsKeptWhenTheDeploymentAllowsIt() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mlenv-additions-c-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        let online = try Profiles.builtIn("azureml-online")
        func added(_ saved: String?, _ profile: Profile) throws -> String? {
            try DeploymentPlanner.plan(try Self.model(savedWith: saved, in: root), profile: profile).request.pip
                .first { $0.text.hasPrefix("mlflow") }?.text
        }
        #expect(try added("2.16.2", online) == "mlflow-skinny==2.16.*")
        #expect(try added("3.17.2", online) == "mlflow-skinny<3")
        #expect(try added(nil, online) == "mlflow-skinny<3")
        // No rule for kubernetes-online: the coupling stands.
        #expect(try added("3.17.2", try Profiles.builtIn("kubernetes-online")) == "mlflow-skinny==3.17.*")
    }

    @Test func rangesAreKeptOutAsIntervals() throws {
        func interval(_ text: String) throws -> VersionInterval {
            try #require(VersionInterval(try SpecifierSet(parsing: text)))
        }
        let left = VersionInterval.everything.subtracting(try interval(">=3.7")).flatMap {
            $0.subtracting(try! interval(">=3,<3.7"))
        }
        #expect(left.map(\.clauses) == [["<3"]])
        #expect(try interval("==3.7.*").clauses == [">=3.7", "<3.8"])
        #expect(try interval("~=1.4.2").clauses == [">=1.4.2", "<1.5"])
        #expect(try interval(">=2,<4").contains(try interval("==3.1.*")))
        #expect(try !interval(">=2,<3").contains(try interval("==3.1.*")))
        #expect(VersionInterval(try SpecifierSet(parsing: "!=1.0")) == nil)
    }
}
