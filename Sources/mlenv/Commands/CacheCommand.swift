import ArgumentParser
import Channels
import FoundationEssentials
import JSON

struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Show how much the cache holds, or empty it.",
        discussion: """
            The cache (default $XDG_CACHE_HOME/mlenv, else ~/.cache/mlenv; --cache-dir elsewhere) \
            holds HTTP responses of live indexes and channels (revalidated with ETag and \
            Last-Modified as pip and uv do), parsed channels and index pages, and package files. \
            Every part is safe to delete: it is fetched or rebuilt when next needed. Several mlenv \
            processes may share one cache.

            Examples:
              mlenv cache info
              mlenv cache info --format json
              mlenv cache clean
            """,
        subcommands: [CacheInfoCommand.self, CacheCleanCommand.self]
    ).underMLEnv()
}

struct CacheLocation: ParsableArguments {
    @Option(
        help: ArgumentHelp("The cache directory (default: $XDG_CACHE_HOME/mlenv or ~/.cache/mlenv).", valueName: "dir"))
    var cacheDir: String?

    var root: String { cacheDir ?? ArtifactCache.defaultRoot }
}

struct CacheInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Files and bytes in each part of the cache.")

    @OptionGroup var location: CacheLocation

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func run() throws {
        let usage = HTTPCache.usage(root: location.root)
        switch format {
        case .json:
            let value: JSONValue = [
                "root": .string(location.root),
                "parts": .array(
                    usage.map { ["name": .string($0.part), "files": .int($0.files), "bytes": .int(Int($0.bytes))] }),
                "bytes": .int(Int(usage.reduce(0) { $0 + $1.bytes }))
            ]
            StandardOutput.write(value.serialized(pretty: true) + "\n")
        case .text:
            var out = "cache \(location.root)\n"
            for part in usage {
                out += "  \(Self.size(part.bytes).padding(9)) \(String(part.files).padding(7)) files  \(part.part)\n"
            }
            out += "  \(Self.size(usage.reduce(0) { $0 + $1.bytes }).padding(9)) total\n"
            StandardOutput.write(out)
        }
    }

    static func size(_ bytes: Int64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : "\(fixedPoint(value, digits: 1)) \(units[unit])"
    }
}

struct CacheCleanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clean", abstract: "Remove everything mlenv cached (and nothing else in the directory).")

    @OptionGroup var location: CacheLocation

    func run() throws {
        let before = HTTPCache.usage(root: location.root).reduce(0) { $0 + $1.bytes }
        do throws(ChannelError) { try HTTPCache.clean(root: location.root) } catch { throw CommandError(error.message) }
        StandardOutput.write("removed \(CacheInfoCommand.size(before)) from \(location.root)\n")
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
