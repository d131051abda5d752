// conda's own configuration file (`.condarc`): the channel settings mlenv takes from it
// (`channel_alias`, `custom_channels`, `default_channels`). Anything else in it is conda's.
// A file whose top level is not a mapping says nothing.

import YAML

public struct CondaRC: Hashable, Sendable {
    public var channelAlias: String?
    /// `custom_channels`: name -> base URL.
    public var customChannels: [String: String] = [:]
    public var defaultChannels: [String] = []

    public init(channelAlias: String? = nil, customChannels: [String: String] = [:], defaultChannels: [String] = []) {
        self.channelAlias = channelAlias
        self.customChannels = customChannels
        self.defaultChannels = defaultChannels
    }

    public static func parse(_ bytes: [UInt8]) throws(YAMLError) -> CondaRC {
        var settings = CondaRC()
        guard let root = try YAMLLoader.load(bytes), root.isMapping else { return settings }
        settings.channelAlias = root["channel_alias"]?.scalarText
        for pair in root["custom_channels"]?.pairs ?? [] {
            if let name = pair.key.scalarText, let base = pair.value.scalarText { settings.customChannels[name] = base }
        }
        settings.defaultChannels = root["default_channels"]?.sequence?.compactMap(\.scalarText) ?? []
        return settings
    }
}
