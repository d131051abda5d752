// `mlenv lint` as users and CI see it: exit codes, formats, --max-warnings, --list-rules, and
// the SARIF of a real run validated against the schema.

import Foundation
import JSON
import Testing

enum MLEnvBinary {
    /// The mlenv built next to the test bundle.
    static var url: URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("mlenv")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return URL(fileURLWithPath: Repo.path(".build/debug/mlenv"))
    }

    static func run(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Repo.root)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return (
            process.terminationStatus, String(decoding: outData, as: UTF8.self),
            String(decoding: errData, as: UTF8.self)
        )
    }
}

@Suite struct LintCommandTests {
    let asOf = ["--as-of", Repo.today]

    @Test func aCleanModelExitsZero() throws {
        let result = try MLEnvBinary.run(["lint", "fixtures/lint/clean"] + asOf)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.hasSuffix(
                "1 model checked for azureml-online: 0 errors, 0 warnings, 0 info (1 without findings)\n"))
    }

    @Test func errorsExitOne() throws {
        let result = try MLEnvBinary.run(["lint", "fixtures/lint/MLE050-RequireAzureMLAIMonitoring/triggers"] + asOf)
        #expect(result.status == 1)
        #expect(
            result.stdout.contains(
                "fixtures/lint/MLE050-RequireAzureMLAIMonitoring/triggers/conda.yaml:7:5: error[MLE050]:"))
        #expect(result.stdout.contains("    7 |   - mlflow==2.17.2\n      |     ^~~~~~~~~~~~~"))
    }

    @Test func warningsExitZeroUnlessOverTheLimit() throws {
        let model = "fixtures/lint/MLE030-PinRequirementsExactly/triggers"
        #expect(try MLEnvBinary.run(["lint", model] + asOf).status == 0)
        #expect(try MLEnvBinary.run(["lint", model, "--max-warnings", "1"] + asOf).status == 0)
        let over = try MLEnvBinary.run(["lint", model, "--max-warnings", "0"] + asOf)
        #expect(over.status == 1)
        #expect(over.stderr.contains("more than --max-warnings 0"))
    }

    @Test func aMissingPathOrBadConfigurationExitsTwo() throws {
        #expect(try MLEnvBinary.run(["lint", "fixtures/lint/does-not-exist"]).status == 2)
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-badconfig-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try "lint:\n  rules:\n    MLE999: off\n".write(toFile: root + "/.mlenv.yaml", atomically: true, encoding: .utf8)
        let result = try MLEnvBinary.run(["lint", root])
        #expect(result.status == 2)
        #expect(result.stderr.contains(".mlenv.yaml:3:5: rules: no rule 'MLE999'"), "\(result.stderr)")
    }

    @Test func aDirectoryWithoutModelsIsAnError() throws {
        let result = try MLEnvBinary.run(
            ["lint", "fixtures/lint/MLE001-ProvideAReadableMLmodel/triggers/no-mlmodel"] + asOf)
        #expect(result.status == 1)
        #expect(result.stdout.contains("error[MLE001]: no MLmodel file here or in any directory below"))
    }

    /// A file stands for its model (a pre-commit hook passes the files a commit touched): the
    /// same findings as the directory, each model once however many of its files are named.
    @Test func aFileStandsForTheModelItIsIn() throws {
        let model = "fixtures/lint/MLE050-RequireAzureMLAIMonitoring/triggers"
        let result = try MLEnvBinary.run(["lint", model + "/conda.yaml", model + "/MLmodel"] + asOf)
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(model)/conda.yaml:7:5: error[MLE050]:"), "\(result.stdout)")
        #expect(result.stdout.contains("1 model checked for azureml-online: 1 error"), "\(result.stdout)")
        let clean = try MLEnvBinary.run(
            [
                "lint", "fixtures/lint/clean/conda.yaml", "fixtures/lint/clean/requirements.txt",
                "./fixtures/lint/clean/MLmodel"
            ] + asOf)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(
            clean.stdout.hasSuffix(
                "1 model checked for azureml-online: 0 errors, 0 warnings, 0 info (1 without findings)\n"),
            "\(clean.stdout)")
    }

    @Test func aFileInNoModelIsSkipped() throws {
        let result = try MLEnvBinary.run(["lint", "README.md", "Package.swift"] + asOf)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(
            result.stdout.hasSuffix("0 models checked for azureml-online: 0 errors, 0 warnings, 0 info\n"),
            "\(result.stdout)")
        // Beside a model's file, only that model.
        let mixed = try MLEnvBinary.run(["lint", "README.md", "fixtures/lint/clean/conda.yaml"] + asOf)
        #expect(mixed.status == 0 && mixed.stdout.contains("1 model checked"), "\(mixed.stdout)")
    }

    /// Not a terminal (a pipe, a CI log): no progress at all on standard error, and never a \r.
    @Test func noProgressWhenStandardErrorIsNotATerminal() throws {
        let result = try MLEnvBinary.run(
            ["lint", "fixtures/lint/clean", "fixtures/lint/MLE030-PinRequirementsExactly"] + asOf)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(!result.stdout.contains("\r"))
    }

    /// On a terminal (script(1) gives lint one), one line redrawn with `[n/N] path` and erased
    /// before the report; with CI set, none of it.
    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: "/usr/bin/script"),
            "script(1) from util-linux makes the terminal"))
    func progressIsOneRedrawnLineOnATerminal() throws {
        let command =
            "\(MLEnvBinary.url.path) lint fixtures/lint/clean fixtures/lint/MLE030-PinRequirementsExactly --as-of \(Repo.today)"
        func underATerminal(ci: String?) throws -> String {
            var environment = ProcessInfo.processInfo.environment
            environment["CI"] = ci
            environment["TERM"] = "xterm"
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
            process.arguments = ["-qec", command, "/dev/null"]
            process.currentDirectoryURL = URL(fileURLWithPath: Repo.root)
            process.environment = environment
            let out = Pipe()
            process.standardOutput = out
            process.standardError = out
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(String(decoding: data, as: UTF8.self))")
            return String(decoding: data, as: UTF8.self)
        }
        let live = try underATerminal(ci: nil)
        #expect(live.contains("\r[3/3] checked "), "\(live.debugDescription)")
        // Erased before the report: the report's first line starts clean.
        #expect(live.contains("\r\u{1B}[KSources: "), "\(live.debugDescription)")
        let ci = try underATerminal(ci: "true")
        #expect(!ci.contains("\u{1B}[K") && !ci.contains("[3/3]"), "\(ci.debugDescription)")
        #expect(ci.contains("3 models checked"), "\(ci.debugDescription)")
    }

    @Test func jsonAndGithubFormats() throws {
        let model = "fixtures/lint/MLE050-RequireAzureMLAIMonitoring/triggers"
        let json = try MLEnvBinary.run(["lint", model, "--format", "json"] + asOf)
        let parsed = try JSONValue.parse(string: json.stdout)
        #expect(parsed["summary"]?["errors"] == JSONValue.int(1))
        #expect(parsed["findings"]?.arrayValue?.first?["rule"] == "MLE050")
        let github = try MLEnvBinary.run(["lint", model, "--format", "github"] + asOf)
        #expect(
            github.stdout.hasPrefix(
                "::error file=fixtures/lint/MLE050-RequireAzureMLAIMonitoring/triggers/conda.yaml,line=7,col=5,title=MLE050 RequireAzureMLAIMonitoring::"
            ))
    }

    @Test func sarifOfARealRunValidates() throws {
        let result = try MLEnvBinary.run(
            [
                "lint", "fixtures/lint/MLE041-KeepProfilePackagesCompatible",
                "fixtures/lint/MLE033-PreferPackagesWithWheels", "--format", "sarif"
            ] + asOf)
        #expect(result.status == 1)
        let parsed = try JSONValue.parse(string: result.stdout)
        #expect(parsed["runs"]?.arrayValue?.first?["results"]?.arrayValue?.isEmpty == false)
        try SchemaValidator.validate(result.stdout)
    }

    @Test func listsTheRules() throws {
        let result = try MLEnvBinary.run(["lint", "--list-rules"])
        #expect(result.status == 0)
        #expect(
            result.stdout.contains(
                "MLE030  warning  PinRequirementsExactly: a requirement is unpinned or loosely pinned (no ==)"))
        #expect(result.stdout.contains("MLE050  error    RequireAzureMLAIMonitoring:"))
    }
}
