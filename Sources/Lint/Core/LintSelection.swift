// The models one lint run visits: every model under the paths given (ModelDiscovery), each
// once, in the order the paths were given, with the paths that hold none (reported as such),
// and the key each is sharded by (LintShard). `sharded(_:)` keeps one shard's part.

import FoundationEssentials

public struct LintSelection: Sendable, Equatable {
    /// Model directories, in order, each once.
    public private(set) var models: [String]
    /// Paths with no model below them (each becomes a finding of its own).
    public private(set) var empty: [String]
    /// The shard key of each of `models` and then of `empty`.
    public private(set) var keys: [String]

    public init(models: [String] = [], empty: [String] = [], keys: [String] = []) {
        self.models = models
        self.empty = empty
        self.keys = keys
    }

    /// The models under `paths`. `names[i]`, when given, is the key of every model under
    /// `paths[i]` (a model URI read from a temporary copy is keyed by its URI); otherwise a
    /// model is keyed by its path relative to the path it was found under.
    public static func discover(_ paths: [String], names: [String?] = []) -> LintSelection {
        // A file names the model it belongs to (ModelDiscovery); one in no model is skipped.
        var selection = LintSelection()
        var emptyKeys: [String] = []
        var seen = Set<String>()
        for (i, path) in paths.enumerated() {
            let name = i < names.count ? names[i] : nil
            var root = ModelDiscovery.trimmed(path)
            if !ModelDiscovery.isFile(root), root.hasSuffix("/MLmodel") || root == "MLmodel" {
                root = root == "MLmodel" ? "." : String(root.dropLast("/MLmodel".count))
            }
            let isFile = ModelDiscovery.isFile(root)
            // A file's models are keyed from its directory, as the directory's would be.
            let base = isFile ? (ModelDiscovery.parent(root) ?? ".") : root
            let found = ModelDiscovery.find(root)
            if found.isEmpty && !isFile {
                selection.empty.append(root)
                emptyKeys.append(name ?? LintShard.key(model: root, root: root))
            }
            for model in found where seen.insert(URL(fileURLWithPath: model).standardizedFileURL.path).inserted {
                selection.models.append(model)
                selection.keys.append(name ?? LintShard.key(model: model, root: base))
            }
        }
        selection.keys += emptyKeys
        return selection
    }

    /// The part of this selection in `shard` (order kept).
    public func sharded(_ shard: LintShard) -> LintSelection {
        var part = LintSelection()
        var emptyKeys: [String] = []
        for (i, model) in models.enumerated() where shard.contains(key: keys[i]) {
            part.models.append(model)
            part.keys.append(keys[i])
        }
        for (i, path) in empty.enumerated() where shard.contains(key: keys[models.count + i]) {
            part.empty.append(path)
            emptyKeys.append(keys[models.count + i])
        }
        part.keys += emptyKeys
        return part
    }
}
