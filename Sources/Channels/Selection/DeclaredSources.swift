// What a model itself says about where its packages come from: the `channels:` of its
// conda.yaml and the index options of its requirements (`--index-url`, `--extra-index-url`,
// `--no-index`). A plain description, so that source selection does not read model files; the
// caller fills it from the declared environment, with each channel's place for messages.

public struct DeclaredSources: Sendable, Hashable {
    /// A conda channel as the model writes it, with where (`MODEL/conda.yaml:4:3`).
    public struct CondaChannelLine: Sendable, Hashable {
        public let name: String
        public let origin: String
        public init(name: String, origin: String) {
            self.name = name
            self.origin = origin
        }
    }

    /// The model's conda file: its path as shown (`MODEL/conda.yaml`) and its channels, in order.
    public struct CondaFile: Sendable, Hashable {
        public let path: String
        public let channels: [CondaChannelLine]
        public init(path: String, channels: [CondaChannelLine]) {
            self.path = path
            self.channels = channels
        }
    }

    /// An index option of the model's requirements (`--index-url`/`-i`, `--extra-index-url`,
    /// `--no-index`), in file order.
    public struct PipOption: Sendable, Hashable {
        public let name: String
        public let value: String?
        public init(name: String, value: String?) {
            self.name = name
            self.value = value
        }
    }

    /// nil when the model has no conda file.
    public let conda: CondaFile?
    public let pipOptions: [PipOption]

    public init(conda: CondaFile?, pipOptions: [PipOption]) {
        self.conda = conda
        self.pipOptions = pipOptions
    }
}
