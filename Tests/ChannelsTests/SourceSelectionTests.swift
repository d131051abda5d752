// Which channels and indexes a run reads, decided by `SourceSelection` from the options, the
// model's own declarations and the environment: the rules the CLI tests check by spawning the
// binary (MissingEmbeddedSnapshotTests, ProjectDefaultsTests, LiveIndexTests, LiveUpstreamTests),
// here against an environment of our own making (variables, a scratch home with a real
// `.condarc` read by ModelFiles' reader, the checkout's embedded snapshot, pip itself).

import Channels
import Foundation
import ModelFiles
import Requests
import Specs
import Testing
import YAML

@Suite struct SourceSelectionTests {
    static let embedded = Paths.path("channels")
    static let target = Target(python: PythonVersion(major: 3, minor: 11))

    /// sklearn-conda as the model reader describes it: `channels: [conda-forge]` at line 2.
    static let condaModel = DeclaredSources(
        conda: (
            path: "m/conda.yaml", channels: [(name: "conda-forge", origin: "m/conda.yaml:2:3")]
        ),
        pipOptions: [])

    /// A scratch home directory, with a `.condarc` when given.
    static func home(condarc: String? = nil) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mlenv-sources-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if let condarc { try condarc.write(toFile: path + "/.condarc", atomically: true, encoding: .utf8) }
        return path
    }

    /// `.condarc` read as the executable reads it (YAML is ModelFiles' to parse).
    @Sendable static func readCondarc(_ bytes: [UInt8]) throws(ChannelError) -> CondaChannelNames {
        let file: CondaRC
        do throws(YAMLError) { file = try CondaRC.parse(bytes) } catch { throw ChannelError(error.description) }
        return CondaChannelNames(alias: file.channelAlias, custom: file.customChannels, defaults: file.defaultChannels)
    }

    static func selection(
        _ options: SourceOptions, variables: [String: String] = [:], home: String? = nil,
        embedded: String? = SourceSelectionTests.embedded, clients: HTTPClientRegistry = HTTPClientRegistry()
    ) throws -> SourceSelection {
        let home = try home ?? Self.home()
        return SourceSelection(
            options,
            environment: SourceEnvironment(
                variables: variables, home: home, embeddedDirectory: { embedded }, readCondarc: readCondarc),
            clients: clients)
    }

    // MARK: conda channels

    @Test func aChannelFlagWinsOverTheModelAndTheEmbeddedSnapshot() throws {
        for mode in [SourceMode.live, .embedded] {
            let selection = try Self.selection(SourceOptions(channels: ["/srv/b", "/srv/a", "/srv/b"], sources: mode))
            let (locations, problem) = selection.condaLocations(model: Self.condaModel)
            #expect(locations == ["/srv/b", "/srv/a"])
            #expect(problem == nil)
        }
    }

    @Test func embeddedSourcesIgnoreTheModelsChannels() throws {
        let selection = try Self.selection(SourceOptions(sources: .embedded))
        #expect(selection.condaLocations(model: Self.condaModel).locations == [Self.embedded + "/conda-forge"])
        #expect(try selection.indexLocations(model: Self.condaModel) == [Self.embedded + "/pypi"])
    }

    @Test func theModeIsTheFlagElseMLENV_SOURCESElseLive() throws {
        #expect(try Self.selection(SourceOptions()).mode == .live)
        #expect(try Self.selection(SourceOptions(), variables: ["MLENV_SOURCES": "embedded"]).mode == .embedded)
        #expect(try Self.selection(SourceOptions(), variables: ["MLENV_SOURCES": "mirror"]).mode == .live)
        #expect(
            try Self.selection(SourceOptions(sources: .live), variables: ["MLENV_SOURCES": "embedded"]).mode == .live)
    }

    @Test func liveChannelNamesGoUnderTheAliasTheFlagFirst() throws {
        let home = try Self.home(condarc: "channel_alias: https://from-condarc.invalid/\n")
        let model = Self.condaModel
        let fromFile = try Self.selection(SourceOptions(), home: home)
        #expect(fromFile.condaLocations(model: model).locations == ["https://from-condarc.invalid/conda-forge"])
        let fromVariable = try Self.selection(
            SourceOptions(), variables: ["CONDA_CHANNEL_ALIAS": "https://from-env.invalid"], home: home)
        #expect(fromVariable.condaLocations(model: model).locations == ["https://from-env.invalid/conda-forge"])
        let fromFlag = try Self.selection(
            SourceOptions(channelAlias: "https://from-flag.invalid/"),
            variables: ["CONDA_CHANNEL_ALIAS": "https://from-env.invalid"], home: home)
        #expect(fromFlag.condaLocations(model: model).locations == ["https://from-flag.invalid/conda-forge"])
        // $CONDARC names the file instead of ~/.condarc.
        let other = try Self.home(condarc: "channel_alias: https://other.invalid\n")
        let named = try Self.selection(SourceOptions(), variables: ["CONDARC": other + "/.condarc"], home: home)
        #expect(named.condaLocations(model: model).locations == ["https://other.invalid/conda-forge"])
    }

    @Test func aModelWithNoChannelsMeansDefaultsAndNoModelMeansCondaForge() throws {
        let home = try Self.home(
            condarc: "channel_alias: https://alias.invalid\ndefault_channels: [https://repo.invalid/main, r]\n")
        let noChannels = DeclaredSources(conda: (path: "m/conda.yaml", channels: []), pipOptions: [])
        let selection = try Self.selection(SourceOptions(), home: home)
        #expect(
            selection.condaLocations(model: noChannels).locations == [
                "https://repo.invalid/main", "https://alias.invalid/r"
            ])
        let overridden = try Self.selection(
            SourceOptions(), variables: ["CONDA_DEFAULT_CHANNELS": "/srv/one, /srv/two"], home: home)
        #expect(overridden.condaLocations(model: noChannels).locations == ["/srv/one", "/srv/two"])
        #expect(selection.condaLocations(model: nil).locations == ["https://alias.invalid/conda-forge"])
        let virtualenvModel = DeclaredSources(conda: nil, pipOptions: [])
        #expect(selection.condaLocations(model: virtualenvModel).locations == ["https://alias.invalid/conda-forge"])
    }

    @Test func aNameWithNoAliasIsAProblemNamingTheModelsLineRaisedOnlyForConda() throws {
        let selection = try Self.selection(SourceOptions())
        let (locations, problem) = selection.condaLocations(model: Self.condaModel)
        #expect(locations.isEmpty)
        let message = try #require(problem?.message)
        #expect(message.hasPrefix("m/conda.yaml:2:3: conda channel 'conda-forge' is a name and no channel alias"))
        // `defaults` with no default_channels, said with the file the model left them out of.
        let noChannels = DeclaredSources(conda: (path: "m/conda.yaml", channels: []), pipOptions: [])
        #expect(
            selection.condaLocations(model: noChannels).problem?.message.hasPrefix(
                "m/conda.yaml (no channels: conda's default): conda channel 'defaults' has no configured meaning")
                == true)
        // A virtualenv solve never reads conda: the problem waits in the set; a conda solve fails now.
        let indexed = try Self.selection(SourceOptions(indexes: [Self.embedded + "/pypi"]))
        let set = try indexed.channelSet(target: Self.target, model: Self.condaModel)
        #expect(set.condaChannels.isEmpty)
        #expect(throws: ChannelError(message)) {
            try indexed.channelSet(target: Self.target, model: Self.condaModel, conda: true)
        }
    }

    @Test func aBrokenCondarcNamesItsFile() throws {
        let home = try Self.home(condarc: "channel_alias: [unclosed\n")
        let problem = try Self.selection(SourceOptions(), home: home).condaLocations().problem
        #expect(problem?.message.hasPrefix(home + "/.condarc: ") == true, "\(String(describing: problem))")
        #expect(problem?.failureKind == .badInput)
        // Embedded sources never read it.
        #expect(try Self.selection(SourceOptions(sources: .embedded), home: home).condaLocations().problem == nil)
    }

    // MARK: PyPI indexes

    @Test func indexFlagsWinOverEverythingElse() throws {
        let model = DeclaredSources(conda: nil, pipOptions: [(name: "--index-url", value: "http://model.invalid")])
        let variables = ["PIP_INDEX_URL": "http://env.invalid", "PIP_EXTRA_INDEX_URL": "http://env-extra.invalid"]
        for mode in [SourceMode.live, .embedded] {
            let index = try Self.selection(
                SourceOptions(indexes: ["/srv/pypi"], extraIndexURL: ["http://extra.invalid"], sources: mode),
                variables: variables)
            #expect(try index.indexLocations(model: model) == ["/srv/pypi", "http://extra.invalid"])
            let url = try Self.selection(
                SourceOptions(indexURL: "http://flag.invalid", sources: mode), variables: variables)
            #expect(try url.indexLocations(model: model) == ["http://flag.invalid"])
        }
        // Under embedded sources, --extra-index-url alone replaces the snapshot's index.
        let extraOnly = try Self.selection(SourceOptions(extraIndexURL: ["/srv/extra"], sources: .embedded))
        #expect(try extraOnly.indexLocations() == ["/srv/extra"])
    }

    @Test func liveIndexesAreTheModelsElsePIP_INDEX_URLThenTheExtras() throws {
        let model = DeclaredSources(
            conda: nil,
            pipOptions: [
                (name: "-i", value: "http://first.invalid"),
                (name: "--index-url", value: "http://model.invalid"),
                (name: "--extra-index-url", value: "http://model-extra.invalid"),
                (name: "--extra-index-url", value: "http://flag-extra.invalid")
            ])
        let variables = [
            "PIP_INDEX_URL": "http://env.invalid", "PIP_EXTRA_INDEX_URL": "http://e1.invalid\nhttp://e2.invalid"
        ]
        let selection = try Self.selection(
            SourceOptions(extraIndexURL: ["http://flag-extra.invalid"]), variables: variables)
        #expect(
            try selection.indexLocations(model: model) == [
                "http://model.invalid", "http://flag-extra.invalid", "http://e1.invalid", "http://e2.invalid",
                "http://model-extra.invalid"
            ])
        #expect(
            try selection.indexLocations() == [
                "http://env.invalid", "http://flag-extra.invalid", "http://e1.invalid", "http://e2.invalid"
            ])
    }

    @Test func aModelsNoIndexLeavesNoIndexUnlessAnExtraIsGiven() throws {
        let model = DeclaredSources(conda: nil, pipOptions: [(name: "--no-index", value: nil)])
        let variables = ["PIP_INDEX_URL": "http://env.invalid"]
        #expect(try Self.selection(SourceOptions(), variables: variables).indexLocations(model: model) == [])
        #expect(
            try Self.selection(SourceOptions(extraIndexURL: ["http://x.invalid"]), variables: variables)
                .indexLocations(model: model) == ["http://env.invalid", "http://x.invalid"])
    }

    /// With no PIP_INDEX_URL, the index pip itself is configured with (pip.conf), asked of pip.
    @Test(.enabled(if: SourceSelectionTests.hasPip)) func pipsConfigurationIsAskedOfPip() throws {
        let home = try Self.home()
        try FileManager.default.createDirectory(atPath: home + "/.config/pip", withIntermediateDirectories: true)
        try "[global]\nindex-url = http://127.0.0.1:9/from-pip-conf/simple\n".write(
            toFile: home + "/.config/pip/pip.conf", atomically: true, encoding: .utf8)
        let variables = ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": home]
        let selection = try Self.selection(SourceOptions(), variables: variables, home: home)
        #expect(try selection.indexLocations() == ["http://127.0.0.1:9/from-pip-conf/simple"])
        var withVariable = variables
        withVariable["PIP_INDEX_URL"] = "http://env.invalid"
        #expect(
            try Self.selection(SourceOptions(), variables: withVariable, home: home).indexLocations() == [
                "http://env.invalid"
            ])
    }

    static var hasPip: Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-m", "pip", "--version"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    // MARK: the project's defaults

    @Test func theProjectsSourcesCountAsGivenWhereTheFlagsGiveNone() {
        var none = SourceOptions()
        none.takeDefaults(channels: ["/p/conda"], indexes: ["/p/pypi"], excludeNewer: "2024-01-01")
        #expect(none == SourceOptions(channels: ["/p/conda"], indexes: ["/p/pypi"], excludeNewer: "2024-01-01"))
        var flagged = SourceOptions(channels: ["/f/conda"], indexURL: "http://f.invalid", excludeNewer: "2025-01-01")
        flagged.takeDefaults(channels: ["/p/conda"], indexes: ["/p/pypi"], excludeNewer: "2024-01-01")
        #expect(
            flagged == SourceOptions(channels: ["/f/conda"], indexURL: "http://f.invalid", excludeNewer: "2025-01-01"))
    }

    @Test func theProjectsSourcesComeBeforeTheEmbeddedSnapshot() throws {
        var options = SourceOptions(sources: .embedded)
        options.takeDefaults(channels: ["/p/conda"], indexes: ["/p/pypi"], excludeNewer: nil)
        let selection = try Self.selection(options)
        #expect(selection.condaLocations().locations == ["/p/conda"])
        #expect(try selection.indexLocations() == ["/p/pypi"])
    }

    // MARK: failures and the channel set

    @Test func aMissingSnapshotIsBadInputSayingWhatToDo() throws {
        let selection = try Self.selection(SourceOptions(sources: .embedded), embedded: nil)
        #expect(selection.condaLocations().problem == ChannelError(EmbeddedData.missing))
        for conda in [false, true] {
            let error = #expect(throws: ChannelError.self) {
                try selection.channelSet(target: Self.target, conda: conda)
            }
            #expect(error?.message.hasPrefix("embedded sources: no channels/ snapshot found") == true)
            #expect(error?.failureKind == .badInput)
        }
    }

    @Test func anIndexThatIsNotThereIsBadInputNamingIt() throws {
        let selection = try Self.selection(SourceOptions(indexes: ["no-such-mirror/pypi"], sources: .embedded))
        let error = #expect(throws: ChannelError.self) { try selection.channelSet(target: Self.target) }
        #expect(error?.message.contains("no-such-mirror/pypi") == true, "\(String(describing: error))")
    }

    @Test func theEmbeddedSetIsLocalCachedAndReadsSdistsUnlessNoBuild() throws {
        let cache = try Self.home()
        let selection = try Self.selection(SourceOptions(sources: .embedded, cacheDir: cache))
        let set = try selection.channelSet(target: Self.target, conda: true)
        #expect(set.condaChannels.map(\.location) == [Self.embedded + "/conda-forge"])
        #expect(set.pypiIndexes.map(\.location) == [Self.embedded + "/pypi"])
        #expect(set.client == nil)
        #expect(set.sdists != nil)
        #expect(selection.summary(set).sources.map(\.live) == [false, false])
        for options in [
            SourceOptions(sources: .embedded, noBuild: true), SourceOptions(sources: .embedded, onlyBinary: [":all:"])
        ] {
            #expect(try Self.selection(options).channelSet(target: Self.target).sdists == nil)
        }
    }

    @Test func remoteSourcesShareOneClientPerSetOfURLsAndOfflineIsPassedOn() throws {
        let clients = HTTPClientRegistry()
        let cache = try Self.home()
        let options = SourceOptions(
            channels: ["http://127.0.0.1:9/conda-forge"], indexURL: "http://127.0.0.1:9/simple", sources: .live,
            offline: true, cacheDir: cache)
        let selection = try Self.selection(options, clients: clients)
        let set = try selection.channelSet(target: Self.target)
        let client = try #require(set.client)
        #expect(client.settings.offline)
        #expect(set.pypiIndexes.map(\.isRemote) == [true])
        // The same sources in another order: the same client; other sources: another.
        let again = try selection.client(for: ["http://127.0.0.1:9/simple", "http://127.0.0.1:9/conda-forge"])
        #expect(again === client)
        #expect(try selection.client(for: ["http://127.0.0.1:9/other"]) !== client)
    }
}
