// What a model itself says about where its packages come from: the `channels:` of its
// conda.yaml and the index options of its requirements (`--index-url`, `--extra-index-url`,
// `--no-index`). A plain description, so that source selection does not read model files; the
// caller fills it from the declared environment, with each channel's place for messages.

public struct DeclaredSources: Sendable, Hashable {
    /// A conda channel as the model writes it, with where (`MODEL/conda.yaml:4:3`).
    public struct CondaChannelLine: Sendable, Hashable {
        public let name: String
        public let origin: String
    }

    /// The model's conda file: its path as shown (`MODEL/conda.yaml`) and its channels, in order.
    public struct CondaFile: Sendable, Hashable {
        public let path: String
        public let channels: [CondaChannelLine]
    }

    /// An index option of the model's requirements (`--index-url`/`-i`, `--extra-index-url`,
    /// `--no-index`), in file order.
    public struct PipOption: Sendable, Hashable {
        public let name: String
        public let value: String?
    }

    /// nil when the model has no conda file.
    public let conda: CondaFile?
    public let pipOptions: [PipOption]

    /// `conda`: the conda file's path as shown and each channel with where it is written (nil:
    /// the model has no conda file); `pipOptions`: each index option with its value, in order.
    public init(
        conda: (path: String, channels: [(name: String, origin: String)])?,
        pipOptions: [(name: String, value: String?)]
    ) {
        self.conda = conda.map { file in
            CondaFile(
                path: file.path, channels: file.channels.map { CondaChannelLine(name: $0.name, origin: $0.origin) })
        }
        self.pipOptions = pipOptions.map { PipOption(name: $0.name, value: $0.value) }
    }
}
