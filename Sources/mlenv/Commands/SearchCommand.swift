import ArgumentParser
import Channels
import JSON
import Requests
import Specs

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract:
            "List what the configured channels offer for a package, and whether each file installs on the target.",
        discussion: """
            Shows conda builds and PyPI files of NAME in every configured channel and index, newest \
            first, each with whether it can be installed on the target (CPython X.Y on Linux x86_64) \
            and why not: Python tag, glibc, Requires-Python, yanked, or hidden by a higher-priority \
            channel. The question to ask first when a resolve fails.

            Examples:
              mlenv search numpy --python 3.11
              mlenv search scikit-learn --python 3.8 --format json
              mlenv search torch --index path/to/mirror --channel path/to/conda-forge
            """
    ).underMLEnv()

    @Argument(help: "The package name (PyPI or conda; both are searched).")
    var name: String

    @OptionGroup var sources: TargetChannels

    @Option(help: "Show at most this many versions per ecosystem (0 = all).")
    var limit: Int = 20

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func run() throws {
        let channels = try sources.load()
        let rows: [SearchRow]
        do { rows = try PackageSearch(channels: channels).rows(for: name) } catch { throw CommandError(error.message) }
        let shown = limit > 0 ? PackageSearch.limitVersions(rows, perEcosystem: limit) : rows
        switch format {
        case .json:
            StandardOutput.write(JSONValue.array(shown.map(\.json)).serialized(pretty: true) + "\n")
        case .text:
            StandardOutput.write(PackageSearch.text(shown, total: rows.count, target: sources.target, name: name))
        }
        if rows.isEmpty { throw ReportedFailure.verdict }
    }
}
