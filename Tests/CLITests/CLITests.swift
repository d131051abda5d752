// The command line as users see it: output, exit codes, help.

import Foundation
import JSON
import Testing

enum CLI {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The mlenv binary built next to the test bundle.
    static var binary: URL {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0])
        var directory = runner.deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("mlenv")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return repository.appendingPathComponent(".build/debug/mlenv")
    }

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static func run(_ arguments: [String], stdin: String? = nil, environment extra: [String: String] = [:]) throws
        -> Result
    {
        // The tests read the embedded snapshot unless a test says otherwise.
        var environment = ProcessInfo.processInfo.environment
        if environment["MLENV_SOURCES"] == nil { environment["MLENV_SOURCES"] = "embedded" }
        environment.merge(extra) { $1 }
        return try runProcess(binary.path, arguments, in: repository.path, environment: environment, stdin: stdin)
    }

    /// Any program run to its end, its output and errors read apart (both pipes at once, so a
    /// large output cannot block the child). `environment` nil: this process's.
    static func runProcess(
        _ executable: String, _ arguments: [String], in directory: String, environment: [String: String]? = nil,
        stdin: String? = nil
    ) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        if let environment { process.environment = environment }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        let input = Pipe()
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
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
        return Result(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }
}

@Suite struct InspectCommandTests {
    @Test func printsATextSummary() throws {
        let result = try CLI.run(["inspect", "fixtures/models/sklearn-conda"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Python: 3.11.9"))
        #expect(result.stdout.contains("scikit-learn==1.5.2"))
    }

    @Test func printsJSON() throws {
        let result = try CLI.run(["inspect", "fixtures/models/sklearn-conda", "--format", "json"])
        #expect(result.status == 0)
        let json = try JSONValue.parse(string: result.stdout)
        #expect(json["python"]?["target"] == "3.11.9")
    }

    @Test(arguments: [
        "no-mlmodel", "malformed-yaml", "missing-env-file", "non-utf8", "bad-signature",
        "include-escapes", "include-loop", "symlink-outside", "invalid-requirement", "does-not-exist"
    ])
    func badInputExitsTwoWithALocatedMessage(_ fixture: String) throws {
        let result = try CLI.run(["inspect", "fixtures/bad/\(fixture)"])
        #expect(result.status == 2, "\(fixture): \(result.stderr)")
        #expect(result.stderr.contains("fixtures/bad/\(fixture)"), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error"))
    }

    @Test func malformedYAMLNamesFileLineAndColumn() throws {
        let result = try CLI.run(["inspect", "fixtures/bad/malformed-yaml"])
        #expect(
            result.stderr.hasPrefix("error: fixtures/bad/malformed-yaml/MLmodel:5:4: invalid YAML:"), "\(result.stderr)"
        )
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try CLI.run(["inspect"]).status == 2)
        #expect(try CLI.run(["inspect", "x", "--format", "xml"]).status == 2)
        #expect(try CLI.run(["no-such-command"]).status == 2)
    }

    @Test func helpHasExamplesAndExitsZero() throws {
        let result = try CLI.run(["inspect", "--help"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Examples:"))
    }
}

@Suite struct ResolveCommandTests {
    static func report(_ json: String) throws -> JSONValue { try JSONValue.parse(string: json) }

    @Test func resolvesAFixtureAndExitsZero() throws {
        let result = try CLI.run([
            "resolve", "fixtures/models/sklearn-iris", "--deployment", "mlflow-serve", "--format", "json"
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try Self.report(result.stdout)
        #expect(report["status"]?.stringValue == "ok")
        let names = report["packages"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? []
        #expect(names.contains("scikit-learn") && names.contains("mlflow-skinny"))
    }

    /// Several models are solved concurrently, but the reports keep the order given, each the
    /// same as resolving that model alone; one unsatisfiable model makes the exit code 1 and a
    /// directory that is not a model makes it 2 without hiding the others.
    @Test func severalModelsKeepTheirOrderAndExitCodes() throws {
        let models = [
            "fixtures/models/sklearn-iris", "fixtures/models/conflict-pandas-monitoring",
            "fixtures/models/sklearn-conda"
        ]
        let alone = try models.map { model -> JSONValue in
            try Self.report(CLI.run(["resolve", model, "--deployment", "azureml-online", "--format", "json"]).stdout)
        }
        let together = try CLI.run(
            ["resolve"] + models + ["--deployment", "azureml-online", "--format", "json", "--jobs", "2"])
        #expect(together.status == 1)
        let reports = try Self.report(together.stdout).arrayValue ?? []
        // The same reports but for the time each was made.
        func timeless(_ report: JSONValue) -> String {
            report.serialized(pretty: true).split(separator: "\n").filter { !$0.contains("\"resolved_at\"") }.joined(
                separator: "\n")
        }
        #expect(reports.map(timeless) == alone.map(timeless))
        #expect(reports.map { $0["status"]?.stringValue } == ["ok", "unsatisfiable", "ok"])

        let withBad = try CLI.run([
            "resolve", models[0], "fixtures/bad/no-mlmodel", "--deployment", "mlflow-serve", "--format", "json"
        ])
        #expect(withBad.status == 2)
        #expect(withBad.stderr.contains("fixtures/bad/no-mlmodel"))
        #expect((try Self.report(withBad.stdout).arrayValue ?? []).count == 1)
    }

    /// `--tree`: every package is drawn under what asked for it; a sibling group ends with
    /// `└── ` and the column of a parent with later siblings continues with `│`.
    @Test func treeDrawsEveryPackageWithWellFormedBranches() throws {
        let json = try Self.report(
            CLI.run(["resolve", "fixtures/models/sklearn-iris", "--deployment", "mlflow-serve", "--format", "json"])
                .stdout)
        let names = Set(json["packages"]?.arrayValue?.compactMap { $0["name"]?.stringValue } ?? [])
        let result = try CLI.run(["resolve", "fixtures/models/sklearn-iris", "--deployment", "mlflow-serve", "--tree"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init).filter { $0.contains("── ") }
        let drawn = Set(
            lines.compactMap { line in
                line.components(separatedBy: "── ").last?.split(separator: " ").first.map(String.init)
            })
        #expect(!names.isEmpty && names.isSubset(of: drawn))
        // Each line: a prefix of 4-character columns ("│   " or "    "), then "├── " or "└── ".
        let rows = lines.map { Array($0) }
        func depth(_ row: [Character]) -> Int { (row.firstIndex { $0 == "├" || $0 == "└" } ?? 0) / 4 }
        for (i, row) in rows.enumerated() {
            let d = depth(row)
            let isLast = row[d * 4] == "└"
            let descendants = rows[(i + 1)...].prefix { depth($0) > d }
            // Below a last child its column is blank; below a child with later siblings it is a rule.
            for child in descendants {
                #expect(String(child[(d * 4)..<(d * 4 + 4)]) == (isLast ? "    " : "│   "), "\(lines[i])")
            }
            // A child with later siblings has one: the next line at its depth or above is at its depth.
            if !isLast {
                let next = rows[(i + 1)...].first { depth($0) <= d }
                #expect(next.map { depth($0) == d } ?? false, "\(lines[i])")
            }
        }
    }
}

/// A binary copied away from its checkout, told to use the embedded snapshot, finds none: that is
/// bad input (exit 2) with what to do, not an empty source that reads as "nothing matches".
@Suite struct MissingEmbeddedSnapshotTests {
    @Test(arguments: [["resolve"], ["lint"], ["resolve", "--env-manager", "virtualenv"]])
    func aBinaryWithNoSnapshotSaysSo(command: [String]) throws {
        let scratch = try CITools.scratch("lone-binary")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let copy = scratch + "/mlenv"
        try FileManager.default.copyItem(atPath: CLI.binary.path, toPath: copy)
        var environment = ProcessInfo.processInfo.environment
        environment["MLENV_SOURCES"] = "embedded"
        environment["MLENV_DATA_DIR"] = nil
        let model = CLI.repository.appendingPathComponent("fixtures/models/sklearn-conda").path
        let result = try CITools.run(copy, command + [model], in: scratch, environment: environment)
        #expect(result.status == 2, "\(result.output)")
        #expect(result.output.contains("embedded sources: no channels/ snapshot found"), "\(result.output)")
    }
}
