import ArgumentParser
import Channels
import Foundation
import JSON

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

    @OptionGroup var channelOptions: ChannelOptions

    @Option(help: "Target Python version (X.Y).")
    var python: PythonVersion = PythonVersion(major: 3, minor: 11)

    @Option(help: "Output format.")
    var format: OutputFormat = .text

    func run() throws {
        let start = DispatchTime.now()
        let channels = try channelOptions.channelSet(target: Target(python: python))
        do { try channels.loadCondaChannels() } catch { throw CommandError(error.message) }
        let condaRecords = channels.condaRecordCount
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
        func seconds(_ a: DispatchTime, _ b: DispatchTime) -> Double { Double(b.uptimeNanoseconds - a.uptimeNanoseconds) / 1e9 }
        let condaSeconds = seconds(start, condaDone), pypiSeconds = seconds(condaDone, end), total = seconds(start, end)
        switch format {
        case .json:
            let value: JSONValue = [
                "conda": ["channels": .array(channels.condaChannels.map { .string($0.location) }), "records": .int(condaRecords),
                          "names": .int(channels.condaNames.count), "seconds": .number(JSONNumber(text: String(format: "%.4f", condaSeconds)))],
                "pypi": ["indexes": .array(channels.pypiIndexes.map { .string($0.location) }), "projects": .int(projects), "files": .int(files),
                         "seconds": .number(JSONNumber(text: String(format: "%.4f", pypiSeconds)))],
                "seconds": .number(JSONNumber(text: String(format: "%.4f", total))),
                "records_per_second": .int(Int(Double(condaRecords + files) / max(total, 1e-9))),
                "cache": channelOptions.noCache ? .null : .string(channelOptions.cacheRoot + "/channels"),
            ]
            StandardOutput.write(value.serialized(pretty: true) + "\n")
        case .text:
            var out = ""
            for channel in channels.condaChannels { out += "conda  \(channel.location)\n" }
            out += "       \(condaRecords) records, \(channels.condaNames.count) names, loaded in \(String(format: "%.3f", condaSeconds)) s\n"
            for index in channels.pypiIndexes { out += "pypi   \(index.location)\n" }
            out += "       \(projects) projects, \(files) files, loaded in \(String(format: "%.3f", pypiSeconds)) s\n"
            out += "total  \(String(format: "%.3f", total)) s (\(Int(Double(condaRecords + files) / max(total, 1e-9))) records/s)\n"
            StandardOutput.write(out)
        }
    }
}
