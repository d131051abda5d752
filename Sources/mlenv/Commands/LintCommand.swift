// `mlenv lint PATH...`: wiring only; the rules, the solving and the formats live in the Lint module.

import ArgumentParser
import Channels
import Deploy
import FoundationEssentials
import Glibc
import JSON
import Lint
import Requests

enum LintFormat: String, ExpressibleByArgument, CaseIterable, Sendable {
    case text, json, sarif, github
}

struct LintCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check model environments for problems that break builds, reproducibility or deployment (for CI).",
        discussion: """
            Finds every MLflow model directory (a directory with an MLmodel file) under the \
            paths; a file stands for the model directory it is in (a file in none is skipped; \
            .mlenv.yaml for every model below it), as a pre-commit hook passes them. Resolves \
            each model's environment for the deployment against the configured channels \
            (loaded once, one solve per distinct environment), and runs every rule: \
            environment files, Python, MLflow, reproducibility, resolution, known deployment \
            breakers and serving. Rules and what they catch: docs/lint-rules.md, or --list-rules.

            Configuration: .mlenv.yaml in the nearest ancestor directory of the first path (or \
            --config FILE) sets the default deployment, channels and indexes, turns rules off or \
            re-levels them, and overrides them per path. A comment `# mlenv: ignore MLE030` on a \
            line of a requirements file, conda.yaml or python_env.yaml (or on the line before) \
            suppresses findings there; `# mlenv: ignore-file MLE012` the whole file.

            A registry: `models:/` stands for the latest versions of every model registered on \
            the tracking server in MLFLOW_TRACKING_URI (each read as models:/NAME/VERSION is).

            More than one machine: --shard K/N lints the K-th of N parts of the models, chosen by \
            a stable hash of each model's path below the argument it was found under (or of its \
            URI), so N runners given the same arguments check every model exactly once. Each \
            shard's SARIF run has its own automationDetails id (mlenv-lint/shard-K-of-N/), so \
            code scanning keeps the shards' alerts apart; a shard with no models passes. \
            Runners may share one --cache-dir. CI workflows: docs/ci.md.

            Exit codes: 0 no errors (and no more warnings than --max-warnings); 1 errors, or too \
            many warnings; 2 bad usage, an unreadable path or configuration.

            Examples:
              mlenv lint models/
              mlenv lint models/ --deployment mlflow-serve --format json
              mlenv lint models/ --format sarif > mlenv.sarif
              mlenv lint models/ --format github --max-warnings 0
              mlenv lint models/ --shard 2/4 --format sarif > mlenv-2.sarif
              MLFLOW_TRACKING_URI=http://mlflow:5000 mlenv lint models:/ --shard 1/8
            """
    ).underMLEnv()

    @Argument(
        help:
            "Model directories, directories to search for models, files of a model, or MLflow model URIs (models:/NAME/VERSION, models:/NAME@ALIAS, models:/NAME/STAGE, models:/NAME/latest, models:/MODEL_ID, runs:/RUN_ID/PATH, mlflow-artifacts:/PATH; models:/ for every registered model's latest versions; default: the current directory)."
    )
    var paths: [String] = []

    @Option(
        help: ArgumentHelp(
            "The deployment type: azureml-online, azureml-batch, kubernetes-online, mlflow-serve, none (default: .mlenv.yaml's, else azureml-online).",
            valueName: "type"))
    var deployment: String?

    @Option(help: ArgumentHelp("A deployment profile file to use instead of a built-in one.", valueName: "file"))
    var profileFile: String?

    @Option(help: "Output format.")
    var format: LintFormat = .text

    @Option(
        help: ArgumentHelp(
            "The configuration file (default: .mlenv.yaml in the nearest ancestor of the first path).",
            valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Threads to use (default: the number of processors).", valueName: "n"))
    var jobs: Int?

    @Option(help: ArgumentHelp("Exit 1 when there are more warnings than this.", valueName: "n"))
    var maxWarnings: Int?

    @Option(
        help: ArgumentHelp(
            "Lint only the K-th of N parts of the models (1 <= K <= N), chosen by a stable hash of each model's path or URI.",
            valueName: "K/N"))
    var shard: String?

    @Flag(help: "List the rules (id, default severity, name, what each catches) and exit.")
    var listRules = false

    @Option(
        help: ArgumentHelp("Judge end-of-life dates as of this day (YYYY-MM-DD; default: today).", visibility: .hidden))
    var asOf: String?

    @OptionGroup var channelOptions: ChannelOptions

    func validate() throws {
        if let jobs, jobs < 1 { throw ValidationError("--jobs: expected 1 or more") }
        if let maxWarnings, maxWarnings < 0 { throw ValidationError("--max-warnings: expected 0 or more") }
        if let shard {
            do { _ = try LintShard(parsing: shard) } catch { throw ValidationError(error.message) }
        }
    }

    func run() throws {
        let breakers: BreakerCatalog
        do { breakers = try BreakerCatalog.builtIn() } catch { throw CommandError(error.description) }
        let rules = RuleRegistry.descriptions(breakers: breakers)
        if listRules {
            var text = ""
            for rule in rules {
                text += "\(rule.id)  \(padded(rule.severity.rawValue, to: 7))  \(rule.name): \(rule.summary)\n"
            }
            StandardOutput.write(text)
            return
        }

        let given = paths.isEmpty ? ["."] : paths
        let shard = try self.shard.map { text in
            do throws(LintShardError) { return try LintShard(parsing: text) } catch {
                throw CommandError(error.message)
            }
        }
        // On a terminal, one line that follows the work; nothing in a log (see ProgressLine).
        let progressLine = ProgressLine()
        // Erased on every way out, a fetch that fails too, so the error starts on a clean line.
        defer { progressLine.finish() }
        // Model URIs are read from their temporary copies and named by their URIs in the report;
        // `models:/` is every registered model's latest versions. A shard fetches only its own.
        let remote = RemoteModelFiles()
        defer { remote.removeAll() }
        let arguments = try RegistryModels.expand(given)
        let uris = arguments.filter { MLflowModelURI.isURI($0) && (shard?.contains(key: $0) ?? true) }.count
        var roots: [String] = []
        var names: [String?] = []
        var fetched = 0
        for argument in arguments {
            guard MLflowModelURI.isURI(argument) else {
                roots.append(argument)
                names.append(nil)
                continue
            }
            if let shard, !shard.contains(key: argument) { continue }
            fetched += 1
            progressLine.step(fetched, of: uris, "fetching \(argument)")
            roots.append(try remote.local(argument))
            names.append(argument)
        }
        for path in roots where !FileManager.default.fileExists(atPath: path) {
            throw CommandError("no such file or directory '\(path)'")
        }
        // A directory the walk cannot read would hide the models below it: bad input, not a pass.
        for path in roots {
            if let (directory, reason) = ModelDiscovery.scan(path).unreadable.first {
                throw CommandError(
                    "cannot read the directory '\(directory)' (\(reason)): the models below it could not be checked")
            }
        }
        var configuration = LintConfiguration()
        let configPath =
            config ?? LintConfiguration.find(from: Self.directory(of: MLflowModelURI.isURI(given[0]) ? "." : given[0]))
        if let configPath {
            do { configuration = try LintConfiguration.load(path: configPath, rules: rules) } catch {
                throw CommandError(error.description)
            }
        }

        var channelSettings = channelOptions
        channelSettings.takeDefaults(from: configuration)
        let set = try channelSettings.channelSet(
            target: Target(python: PythonVersion(major: 3, minor: 11)), conda: true)
        // What every verdict below was made from, said with the report.
        let summary = channelSettings.summary(set)
        let sources = ChannelSources(
            condaChannels: set.condaChannels, pypiIndexes: set.pypiIndexes, excludeNewer: channelSettings.excludeNewer,
            cacheDirectory: channelSettings.noCache ? nil : channelSettings.cacheRoot + "/channels", client: set.client)

        let options = LintOptions(
            deployment: deployment, profileFile: profileFile,
            jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
            today: asOf ?? LintOptions.currentDate(), configuration: configuration)
        let linter: Linter
        do { linter = try Linter(options: options, sources: sources, breakers: breakers) } catch {
            throw CommandError(error.message)
        }
        progressLine.step(
            "linting \(given.joined(separator: " "))\(shard.map { " (shard \($0))" } ?? "") for \(linter.defaultDeployment)...",
            final: true)
        var selection = LintSelection.discover(roots, names: names)
        if let shard { selection = selection.sharded(shard) }
        let report = linter.lint(selection, shard: shard) { done, total, step in
            progressLine.step(done, of: total, step)
        }
        progressLine.finish()

        switch format {
        case .text:
            let formatter = TextFormatter(
                color: StandardOutput.isTerminal && ProcessInfo.processInfo.environment["NO_COLOR"] == nil)
            var files: [String: [Substring]] = [:]
            // The sources first, so that the summary stays the last line.
            StandardOutput.write(summary.line + "\n")
            StandardOutput.write(
                remote.display(
                    formatter.format(report) { path in
                        if let known = files[path] { return known }
                        let lines = FileManager.default.contents(atPath: path).map {
                            String(decoding: $0, as: UTF8.self).physicalLines
                        }
                        files[path] = lines ?? []
                        return lines
                    }))
        case .json:
            var value = JSONFormatter.format(report.renamingPaths(remote.display), toolVersion: MLEnvVersion.current)
            if case .object(var root) = value {
                root.append(
                    "sources",
                    .array(
                        summary.sources.map {
                            [
                                "ecosystem": .string($0.ecosystem), "location": .string($0.location),
                                "live": .bool($0.live)
                            ]
                        }))
                root.append("resolved_at", .string(summary.resolvedAt))
                root.append("partial_sources", .optional(summary.partialNote))
                value = .object(root)
            }
            StandardOutput.write(value.serialized(pretty: true) + "\n")
        case .sarif:
            StandardOutput.write(
                SARIFFormatter.format(report.renamingPaths(remote.display), toolVersion: MLEnvVersion.current)
                    .serialized(pretty: true) + "\n")
        case .github:
            StandardOutput.write(GitHubFormatter.format(report.renamingPaths(remote.display)))
        }

        if report.hasErrors { throw ReportedFailure.verdict }
        if let limit = maxWarnings ?? configuration.maxWarnings, report.count(.warning) > limit {
            StandardError.write("mlenv lint: \(report.count(.warning)) warnings, more than --max-warnings \(limit)\n")
            throw ReportedFailure.verdict
        }
    }

    /// A path's directory (the path itself when it is one), for finding .mlenv.yaml.
    static func directory(of path: String) -> String {
        var isDirectory = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory { return path }
        return URL(fileURLWithPath: path).deletingLastPathComponent().path
    }
}

/// `text` cut or space-padded to `width` characters (NSString's `padding(toLength:withPad:startingAt:)`).
private func padded(_ text: String, to width: Int) -> String {
    text.count >= width ? String(text.prefix(width)) : text + String(repeating: " ", count: width - text.count)
}
