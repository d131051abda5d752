// `mlenv package MODEL_URI`: the whole model directory fetched from the tracking server (see
// MLflowArtifactTree: listed recursively through the artifact proxy, bounded in files, bytes and
// depth, every name checked) into a temporary directory that lives as long as the command
// (removed on interruption too). The model's folder in it is named after the registered or
// logged model, so the bundle names the model as the registry does.

import Basics
import FoundationEssentials
import Glibc

public final class FetchedModelTree {
    /// The model directory to read (inside `root`).
    public let path: String
    /// What the server resolved the URI to (for MANIFEST.json), `uri` the one given.
    public let source: MLflowModelSource
    public let summary: ArtifactTreeSummary
    private let root: String
    private let token: Interruption.Token

    private init(
        path: String, source: MLflowModelSource, summary: ArtifactTreeSummary, root: String, token: Interruption.Token
    ) {
        self.path = path
        self.source = source
        self.summary = summary
        self.root = root
        self.token = token
    }

    public func remove() {
        try? FileManager.default.removeItem(atPath: root)
        Interruption.release(token)
    }

    /// Fetches every file of the model a URI names. Errors about the URI or the server are
    /// `ChannelError`s; nothing is left behind when an error is thrown.
    public static func fetch(_ model: String, limits: ArtifactTreeLimits, progress: @escaping (String) -> Void) throws
        -> FetchedModelTree
    {
        let uri = try MLflowModelURI(parsing: model)
        let registry = try MLflowRegistry.fromEnvironment()
        var resolved = try registry.source(of: uri)
        resolved.uri = model
        let base = try registry.proxyPath(of: resolved.artifactURI, for: uri)
        try RemoteModelFiles.requireMLmodel(
            in: try registry.list(base, for: uri), model: model, artifact: resolved.artifactURI)

        let fm = FileManager.default
        let (root, token) = RemoteModelFiles.newTemporaryDirectory()
        let directory = root + "/" + folderName(resolved.name)
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let summary = try registry.downloadTree(base, into: directory, limits: limits, for: uri, progress: progress)
            return FetchedModelTree(path: directory, source: resolved, summary: summary, root: root, token: token)
        } catch {
            try? fm.removeItem(atPath: root)
            Interruption.release(token)
            throw error
        }
    }

    /// A folder name from a model's name: letters, digits, `.`, `_` and `-` kept, anything else
    /// a `-`; never empty, `.` or `..`, at most 100 characters.
    public static func folderName(_ name: String) -> String {
        let kept = String(
            name.unicodeScalars.prefix(100).map { scalar -> Character in
                let c = Character(scalar)
                return c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") ? c : "-"
            })
        return kept.allSatisfy({ $0 == "." }) ? "model" : kept
    }
}
