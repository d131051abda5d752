// Shared test support: the repository's paths, the embedded channels (one set of indexes for
// every test, so project pages are read once), and the fixtures' expectation markers.
//
// A fixture marks where a finding must land with a comment line under the offending line, its
// caret in the finding's column (or the column after the caret when a caret cannot reach it):
//
//   - pyyaml==5.4.1
//   #   ^ MLE033            → MLE033 at this file, the line above, column 5
//   #^1 MLE003              → MLE003 at the line above, column 1
//
// Findings without a line go in `lint-expect.txt`: `MLE061 input_example.json`,
// `MLE001 MLmodel:1:1`, or `MLE001 .` for the model directory itself.

import Channels
import Deploy
import Foundation
import Lint
import Requests
import Testing

enum Repo {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static func path(_ relative: String) -> String { root + "/" + relative }
    static let fixtures = path("fixtures/lint")
    static let sharedModels = URL(fileURLWithPath: root + "/../shared/models").standardizedFileURL.path
    /// Tests judge end-of-life as of this day, so they do not change with the calendar.
    static let today = "2026-11-25"
}

enum TestChannels {
    /// The embedded PyPI snapshot, or why it did not open.
    static let pypi = Result { () throws(ChannelError) in try PyPIIndex(Repo.path("channels/pypi")) }

    /// Whether the embedded conda channel reads, checked once.
    static let conda = Result { () throws(ChannelError) in
        try ChannelSet(
            condaChannels: sources.condaChannels, pypiIndexes: [], target: Target(python: PythonVersion("3.11.9")!),
            cacheDirectory: sources.cacheDirectory
        ).loadCondaChannels()
    }

    static let sources: ChannelSources = {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-lint-tests-cache").path
        let indexes = (try? pypi.get()).map { [$0] } ?? []
        return ChannelSources(
            condaChannels: [CondaChannel(Repo.path("channels/conda-forge"))], pypiIndexes: indexes,
            cacheDirectory: cache)
    }()

    /// Throws when the embedded channels do not load: a lint without them would report other
    /// findings, and a test on them would pass or fail for the wrong reason.
    static func linter(deployment: String? = nil, configuration: LintConfiguration = LintConfiguration(), jobs: Int = 2)
        throws -> Linter
    {
        _ = try pypi.get()
        try conda.get()
        let options = LintOptions(deployment: deployment, jobs: jobs, today: Repo.today, configuration: configuration)
        return try Linter(options: options, sources: sources, breakers: try BreakerCatalog.builtIn())
    }
}

/// Where a fixture says a finding lands.
struct ExpectedFinding: Hashable, CustomStringConvertible {
    let rule: String
    let file: String?
    let line: Int?
    let column: Int?

    init(rule: String, file: String?, line: Int? = nil, column: Int? = nil) {
        self.rule = rule
        self.file = file
        self.line = line
        self.column = column
    }

    init(_ finding: Finding) {
        self.init(
            rule: finding.ruleID, file: finding.location.file, line: finding.location.line,
            column: finding.location.column)
    }

    var description: String {
        "\(rule) at \(file ?? ".")" + (line.map { ":\($0)" } ?? "") + (column.map { ":\($0)" } ?? "")
    }
}

enum Markers {
    /// Every expectation in a model directory's text files and its lint-expect.txt.
    static func expectations(in model: String) -> [ExpectedFinding] {
        var result: [ExpectedFinding] = []
        let fm = FileManager.default
        let files = (fm.enumerator(atPath: model)?.allObjects as? [String] ?? []).sorted()
        for file in files
        where !file.hasSuffix(".json") && !file.hasSuffix(".pkl") && !file.hasSuffix(".whl")
            && file != "lint-expect.txt"
        {
            guard let data = fm.contents(atPath: model + "/" + file) else { continue }
            let lines = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
            var lastContent = 0
            for (index, line) in lines.enumerated() {
                if let (column, rules) = marker(line) {
                    for rule in rules {
                        result.append(ExpectedFinding(rule: rule, file: file, line: lastContent, column: column))
                    }
                } else {
                    lastContent = index + 1
                }
            }
        }
        if let data = fm.contents(atPath: model + "/lint-expect.txt") {
            for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
                let parts = line.split(separator: " ").map(String.init)
                guard parts.count == 2 else { continue }
                if parts[1] == "." {
                    result.append(ExpectedFinding(rule: parts[0], file: nil))
                    continue
                }
                let location = parts[1].split(separator: ":").map(String.init)
                result.append(
                    ExpectedFinding(
                        rule: parts[0], file: location[0], line: location.count > 1 ? Int(location[1]) : nil,
                        column: location.count > 2 ? Int(location[2]) : nil))
            }
        }
        return result
    }

    /// `#   ^ MLE033` → (5, [MLE033]); `#^1 MLE003, MLE030` → (1, [MLE003, MLE030]).
    static func marker(_ line: String) -> (Int, [String])? {
        let trimmed = line.drop { $0 == " " }
        guard trimmed.hasPrefix("#"), let caret = line.firstIndex(of: "^") else { return nil }
        var rest = line[line.index(after: caret)...]
        let digits = rest.prefix { $0.isNumber }
        rest = rest.dropFirst(digits.count)
        let rules = rest.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        guard !rules.isEmpty, rules.allSatisfy({ $0.hasPrefix("MLE") && $0.count == 6 }) else { return nil }
        let column = digits.isEmpty ? line.distance(from: line.startIndex, to: caret) + 1 : Int(digits)!
        return (column, rules)
    }
}
