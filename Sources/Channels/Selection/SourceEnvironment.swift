// What source selection reads from outside the command line: environment variables
// (MLENV_SOURCES, PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, CONDARC, CONDA_CHANNEL_ALIAS,
// CONDA_DEFAULT_CHANNELS, MLENV_DATA_DIR), the home directory (`.condarc`), where the embedded
// snapshot is, and how a `.condarc` is read (YAML, which this module does not parse: the caller
// gives the reader). A value, so the selection rules can be tested without a process of their own.

import FoundationEssentials

public struct SourceEnvironment: Sendable {
    /// Reads a `.condarc`'s bytes into channel names; a parse failure is thrown with its own
    /// wording (the path is added by the caller).
    public typealias CondarcReader = @Sendable ([UInt8]) throws(ChannelError) -> CondaChannelNames

    public var variables: [String: String]
    public var home: String
    /// The embedded snapshot's directory, looked for only when it is used.
    public var embeddedDirectory: @Sendable () -> String?
    public var readCondarc: CondarcReader

    public init(
        variables: [String: String], home: String, embeddedDirectory: @escaping @Sendable () -> String?,
        readCondarc: @escaping CondarcReader
    ) {
        self.variables = variables
        self.home = home
        self.embeddedDirectory = embeddedDirectory
        self.readCondarc = readCondarc
    }

    /// This process's environment and home, the snapshot found as `EmbeddedData` looks for it.
    public static func process(readCondarc: @escaping CondarcReader) -> SourceEnvironment {
        let variables = ProcessInfo.processInfo.environment
        return SourceEnvironment(
            variables: variables, home: FileManager.default.homeDirectoryForCurrentUser.path,
            embeddedDirectory: { EmbeddedData.directory(variables: variables) }, readCondarc: readCondarc)
    }
}
