// `mlenv package MODEL_URI`: the whole model directory fetched from the tracking server (see
// MLflowArtifactTree: listed recursively through the artifact proxy, bounded in files, bytes and
// depth, every name checked) into a temporary directory that lives as long as the command
// (removed on interruption too). The model's folder in it is named after the registered or
// logged model, so the bundle names the model as the registry does.

import Basics
import Channels
import Emit
import FoundationEssentials
import Glibc

final class FetchedModel {
    /// The model directory to read (inside `root`).
    let path: String
    /// What the server resolved the URI to, for MANIFEST.json.
    let source: BundleModelSource
    let summary: ArtifactTreeSummary
    private let root: String
    private let token: Interruption.Token

    private init(path: String, source: BundleModelSource, summary: ArtifactTreeSummary, root: String, token: Interruption.Token) {
        self.path = path
        self.source = source
        self.summary = summary
        self.root = root
        self.token = token
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
        Interruption.release(token)
    }

    /// Fetches every file of the model a URI names. Errors are `CommandError`s (exit 2); nothing
    /// is left behind when one is thrown.
    static func fetch(_ model: String, limits: ArtifactTreeLimits, progress: @escaping (String) -> Void) throws -> FetchedModel {
        do {
            return try fetchOrThrow(model, limits: limits, progress: progress)
        } catch let error as ChannelError {
            throw CommandError(error.message)
        }
    }

    private static func fetchOrThrow(_ model: String, limits: ArtifactTreeLimits, progress: @escaping (String) -> Void) throws -> FetchedModel {
        let uri = try MLflowModelURI(parsing: model)
        let registry = try MLflowRegistry.fromEnvironment()
        var resolved = try registry.source(of: uri)
        resolved.uri = model
        let base = try registry.proxyPath(of: resolved.artifactURI, for: uri)
        try RemoteModels.requireMLmodel(in: try registry.list(base, for: uri), model: model, artifact: resolved.artifactURI)

        let fm = FileManager.default
        let (root, token) = RemoteModels.newTemporaryDirectory()
        let directory = root + "/" + folderName(resolved.name)
        do {
            try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let summary = try registry.downloadTree(base, into: directory, limits: limits, for: uri, progress: progress)
            let source = BundleModelSource(uri: model, artifactURI: resolved.artifactURI, registeredModel: resolved.registeredModel,
                                           version: resolved.version, runID: resolved.runID, modelID: resolved.modelID)
            return FetchedModel(path: directory, source: source, summary: summary, root: root, token: token)
        } catch {
            try? fm.removeItem(atPath: root)
            Interruption.release(token)
            throw error
        }
    }

    /// A folder name from a model's name: letters, digits, `.`, `_` and `-` kept, anything else
    /// a `-`; never empty, `.` or `..`, at most 100 characters.
    static func folderName(_ name: String) -> String {
        let kept = String(name.unicodeScalars.prefix(100).map { scalar -> Character in
            let c = Character(scalar)
            return c.isASCII && (c.isLetter || c.isNumber || c == "." || c == "_" || c == "-") ? c : "-"
        })
        return kept.allSatisfy({ $0 == "." }) ? "model" : kept
    }
}
