import ArgumentParser
import Dispatch
import JSON
import Requests

struct ChannelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "channels",
        abstract: "Load every configured channel and index and report what they hold (and how long loading took).",
        discussion: """
            Reads every conda record (all subdirs of the target) and every PyPI project page of \
            the configured channels, the way a large lint run does, and prints counts and load \
            times. A second run is warm: conda records come from the parsed-channel cache \
            (--cache-dir); --no-cache measures a cold load.

            Examples:
              mlenv channels
              mlenv channels --no-cache --format json
            """
    ).underMLEnv()

    @OptionGroup var sources: TargetChannels

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func run() throws {
        let start = DispatchTime.now()
        let channels = try sources.load()
        let condaRecords = channels.condaRecordCount
        let sharded = channels.hasShardedConda
        let condaDone = DispatchTime.now()
        var projects = 0
        var files = 0
        for index in channels.pypiIndexes {
            for name in index.projectNames() {
                do {
                    if let project = try index.project(name) {
                        projects += 1
                        files += project.files.count
                    }
                } catch {
                    throw CommandError(error.message)
                }
            }
        }
        let end = DispatchTime.now()
        func seconds(_ a: DispatchTime, _ b: DispatchTime) -> Double {
            Double(b.uptimeNanoseconds - a.uptimeNanoseconds) / 1e9
        }
        let condaSeconds = seconds(start, condaDone)
        let pypiSeconds = seconds(condaDone, end)
        let total = seconds(start, end)
        switch format {
        case .json:
            let value: JSONValue = [
                "conda": [
                    "channels": .array(channels.condaChannels.map { .string($0.location) }),
                    "records": .int(condaRecords),
                    "names": .int(channels.condaNames.count), "sharded": .bool(sharded),
                    "seconds": .number(JSONNumber(text: fixedPoint(condaSeconds, digits: 4)))
                ],
                "pypi": [
                    "indexes": .array(channels.pypiIndexes.map { .string($0.location) }), "projects": .int(projects),
                    "files": .int(files),
                    "seconds": .number(JSONNumber(text: fixedPoint(pypiSeconds, digits: 4)))
                ],
                "seconds": .number(JSONNumber(text: fixedPoint(total, digits: 4))),
                "records_per_second": .int(Int(Double(condaRecords + files) / max(total, 1e-9))),
                "cache": sources.channelOptions.noCache
                    ? .null : .string(sources.channelOptions.cacheRoot + "/channels")
            ]
            StandardOutput.write(value.serialized(pretty: true) + "\n")
        case .text:
            var out = ""
            for channel in channels.condaChannels { out += "conda  \(channel.location)\n" }
            out +=
                "       \(condaRecords) records, \(channels.condaNames.count) names, loaded in \(fixedPoint(condaSeconds, digits: 3)) s\n"
            if sharded {
                out +=
                    "       (sharded channels: records are fetched by name as a solve needs them, and not counted here)\n"
            }
            for index in channels.pypiIndexes { out += "pypi   \(index.location)\n" }
            out += "       \(projects) projects, \(files) files, loaded in \(fixedPoint(pypiSeconds, digits: 3)) s\n"
            out +=
                "total  \(fixedPoint(total, digits: 3)) s (\(Int(Double(condaRecords + files) / max(total, 1e-9))) records/s)\n"
            StandardOutput.write(out)
        }
    }
}
