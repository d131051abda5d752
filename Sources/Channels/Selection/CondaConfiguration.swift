// conda's own configuration of channel names: `CONDA_CHANNEL_ALIAS` and `CONDA_DEFAULT_CHANNELS`,
// then `.condarc` (`$CONDARC`, else `~/.condarc`, else `~/.config/conda/.condarc`):
// `channel_alias`, `custom_channels`, `default_channels`; `--channel-alias` over all.

import FoundationEssentials

public enum CondaConfiguration {
    public static func load(alias explicit: String?, environment: SourceEnvironment) throws(ChannelError)
        -> CondaChannelNames
    {
        let variables = environment.variables
        let home = environment.home
        let candidates = [variables["CONDARC"], home + "/.condarc", home + "/.config/conda/.condarc"].compactMap {
            $0
        }.filter { !$0.isEmpty }
        var names = CondaChannelNames()
        if let path = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }),
            let bytes = FileBytes.readPlain(path)
        {
            do throws(ChannelError) { names = try environment.readCondarc(bytes) } catch {
                throw ChannelError("\(path): \(error.message)")
            }
        }
        if let alias = variables["CONDA_CHANNEL_ALIAS"], !alias.isEmpty { names.alias = alias }
        if let defaults = variables["CONDA_DEFAULT_CHANNELS"], !defaults.isEmpty {
            names.defaults = defaults.split(separator: ",").map { String($0).trimmingWhitespaceAndNewlines() }
        }
        if let explicit { names.alias = explicit }
        return CondaChannelNames(alias: names.alias, custom: names.custom, defaults: names.defaults)
    }
}
