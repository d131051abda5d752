// A model whose requirement exists only as an sdist (fixtures/indexes/sdists), through every
// command that meets it: resolve marks it and --no-build refuses it, lock marks it, package
// builds its wheel once into the bundle (MANIFEST.json says from what), and the bundle's
// requirements install with pip and no index.

import Foundation
import JSON
import Testing

@Suite(.serialized) struct SourceBuildTests {
    let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-sdist-cli-\(getpid())").path

    func model() throws -> String {
        let model = scratch + "/model"
        try FileManager.default.createDirectory(atPath: model, withIntermediateDirectories: true)
        try """
        flavors:
          python_function:
            loader_module: mlflow.pyfunc.model
            env:
              virtualenv: python_env.yaml
            python_version: 3.11.7
        mlflow_version: 2.12.1
        """.write(toFile: model + "/MLmodel", atomically: true, encoding: .utf8)
        try "python: 3.11.7\nbuild_dependencies: []\ndependencies:\n  - -r requirements.txt\n".write(
            toFile: model + "/python_env.yaml", atomically: true, encoding: .utf8)
        try "dynamicdep\n".write(toFile: model + "/requirements.txt", atomically: true, encoding: .utf8)
        return model
    }

    var sources: [String] {
        [
            "--deployment", "none", "--env-manager", "virtualenv", "--index", "fixtures/indexes/sdists", "--cache-dir",
            scratch + "/cache"
        ]
    }

    @Test func anSdistOnlyRequirementGoesThroughEveryCommand() throws {
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let model = try model()

        let resolved = try CLI.run(["resolve", model, "--format", "json"] + sources)
        #expect(resolved.status == 0, "\(resolved.stdout)\(resolved.stderr)")
        let packages = try JSONValue.parse(string: resolved.stdout)["packages"]?.arrayValue ?? []
        let built = packages.filter { $0["built_from_source"]?.boolValue == true }.compactMap {
            $0["name"]?.stringValue
        }.sorted()
        #expect(built == ["dynamicdep", "staticdep"])
        #expect(packages.first { $0["name"]?.stringValue == "six" }?["built_from_source"] == nil)
        let text = try CLI.run(["resolve", model] + sources)
        #expect(text.stdout.contains("sdist (built from source)"), "\(text.stdout)")

        let refused = try CLI.run(["resolve", model, "--no-build"] + sources)
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.contains("sdist"), "\(refused.stdout)")
        let onlyBinary = try CLI.run(["resolve", model, "--only-binary", "staticdep"] + sources)
        #expect(onlyBinary.status == 1, "\(onlyBinary.stdout)")

        let lock = try CLI.run(["lock", model, "-o", scratch + "/lock"] + sources)
        #expect(lock.status == 0, "\(lock.stderr)")
        let requirements = try String(contentsOfFile: scratch + "/lock/requirements.lock.txt", encoding: .utf8)
        #expect(
            requirements.contains("# dynamicdep-2.0.tar.gz: an sdist, built from source where it is installed"),
            "\(requirements)")

        let bundle = scratch + "/bundle/"
        let package = try CLI.run(["package", model, "-o", bundle] + sources)
        #expect(package.status == 0, "\(package.stderr)")
        let wheels = try FileManager.default.contentsOfDirectory(atPath: bundle + "pkgs/wheels").sorted()
        #expect(
            wheels == [
                "dynamicdep-2.0-py3-none-any.whl", "six-1.17.0-py2.py3-none-any.whl", "staticdep-1.0-py3-none-any.whl"
            ])
        let manifest = try JSONValue.parse(
            Array(try Foundation.Data(contentsOf: URL(fileURLWithPath: bundle + "MANIFEST.json"))))
        let sources = manifest["built_from_source"]?.arrayValue ?? []
        #expect(
            sources.compactMap { $0["sdist"]?.stringValue }.sorted() == [
                "dynamicdep-2.0.tar.gz", "staticdep-1.0.tar.gz"
            ])
        #expect(sources.allSatisfy { $0["build_backend"]?.stringValue == "backend" })
        let wheelHash = manifest["files"]?["pkgs/wheels/dynamicdep-2.0-py3-none-any.whl"]?.stringValue
        #expect(
            sources.first { $0["sdist"]?.stringValue == "dynamicdep-2.0.tar.gz" }?["sha256"]?.stringValue == wheelHash)
        let bundleRequirements = try String(contentsOfFile: bundle + "env/requirements.bundle.txt", encoding: .utf8)
        #expect(bundleRequirements.contains("--hash=sha256:\(wheelHash ?? "?")"), "\(bundleRequirements)")
        let dockerfile = try String(contentsOfFile: bundle + "Dockerfile", encoding: .utf8)
        #expect(
            dockerfile.contains(
                "dynamicdep-2.0-py3-none-any.whl was built from dynamicdep-2.0.tar.gz by mlenv package"),
            "\(dockerfile)")

        // The bundle installs with pip alone: no index, every hash checked.
        let install = Process()
        install.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        install.arguments = [
            "python3", "-m", "pip", "install", "--no-index", "--no-deps", "--require-hashes", "--quiet",
            "--disable-pip-version-check",
            "--target", scratch + "/installed", "--find-links", bundle + "pkgs/wheels", "-r",
            bundle + "env/requirements.bundle.txt"
        ]
        try install.run()
        install.waitUntilExit()
        #expect(install.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: scratch + "/installed/dynamicdep/__init__.py"))

        // Built once: a second package takes the wheels from the cache (same bytes).
        let again = try CLI.run(["package", model, "-o", scratch + "/bundle2/"] + self.sources)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(
            try Foundation.Data(contentsOf: URL(fileURLWithPath: scratch + "/bundle2/MANIFEST.json"))
                == Foundation.Data(contentsOf: URL(fileURLWithPath: bundle + "MANIFEST.json")))
    }
}
