// Loading one YAML file of a model, with errors that name the file, line and column.

import YAML

enum YAMLFile {
    /// The document's root node; `nil` for an empty file (PyYAML's `None`).
    static func load(
        _ relativePath: String, in directory: ModelDirectory, referencedAt: SourceLocation? = nil,
        missingMessage: String? = nil
    ) -> Result<YAMLNode?, ModelFilesError> {
        let bytes: [UInt8]
        switch directory.read(relativePath, referencedAt: referencedAt, missingMessage: missingMessage) {
        case .success(let b): bytes = b
        case .failure(let e): return .failure(e)
        }
        // Check the encoding ourselves first: libyaml also accepts UTF-16, which MLflow never writes
        // and cannot read (it opens these files as UTF-8 text), and libyaml's message for a bad
        // byte has no line ("control characters are not allowed" for UTF-16 without a BOM).
        if let encoding = TextDecoding.utf16Kind(bytes) {
            return .failure(
                ModelFilesError(
                    "not-utf8",
                    "the file is encoded as UTF-16 (\(encoding)); MLflow reads it as UTF-8 and fails: re-save it as UTF-8",
                    at: SourceLocation(file: relativePath)))
        }
        if case .failure(let e) = TextDecoding.decode(bytes, file: relativePath) { return .failure(e) }
        let root: YAMLNode?
        do { root = try YAMLLoader.load(bytes) } catch {
            return .failure(
                ModelFilesError(
                    "invalid-yaml", Message.invalidYAML(error),
                    at: SourceLocation(file: relativePath, mark: error.mark)))
        }
        if let (tag, node) = firstUnsafeTag(root) {
            return .failure(
                ModelFilesError(
                    "invalid-yaml",
                    "the tag '\(tag)' is one PyYAML's safe_load (how MLflow reads this file) refuses: \"could not determine a constructor for the tag\"",
                    at: SourceLocation(file: relativePath, mark: node.mark)))
        }
        return .success(root)
    }

    /// The tags PyYAML's SafeLoader constructs (yaml/constructor.py SafeConstructor).
    static let safeTags: Set<String> = Set(
        ["null", "bool", "int", "float", "binary", "timestamp", "omap", "pairs", "set", "str", "seq", "map"]
            .map { "tag:yaml.org,2002:" + $0 }
    ).union(["!"])

    /// The first node (in document order) whose explicit tag safe_load would refuse, with the
    /// tag as written (`!!python/object:os.system`).
    static func firstUnsafeTag(_ root: YAMLNode?) -> (String, YAMLNode)? {
        var pending = root.map { [$0] } ?? []
        while let node = pending.popLast() {
            if let tag = node.tag, !safeTags.contains(tag) {
                let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
                return (String(shown), node)
            }
            switch node.kind {
            case .scalar: continue
            case .sequence(let items): pending += items.reversed()
            case .mapping(let pairs): for pair in pairs.reversed() { pending += [pair.value, pair.key] }
            }
        }
        return nil
    }
}

/// Reading typed fields out of a YAML mapping, turning wrong shapes into diagnostics.
struct FieldReader {
    let file: String
    var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func location(_ node: YAMLNode) -> SourceLocation { SourceLocation(file: file, mark: node.mark) }

    /// A scalar's text as written; `nil` (no diagnostic) for null; a diagnostic for lists/mappings.
    mutating func string(_ node: YAMLNode?, field: String) -> String? {
        guard let node, !node.isNull else { return nil }
        if let text = node.scalarText { return text }
        diagnostics.append(
            Diagnostic(
                .warning, "unexpected-type", "\(field): " + Message.expected("a string", found: node),
                at: location(node)))
        return nil
    }

    mutating func strings(_ node: YAMLNode?, field: String) -> [Located<String>] {
        guard let node, !node.isNull else { return [] }
        if let text = node.scalarText {
            // `channels: 5` is a number to PyYAML, not a list of names: say so.
            switch node.resolved {
            case .int, .float, .bool:
                diagnostics.append(
                    Diagnostic(
                        .warning, "unexpected-type",
                        "\(field): " + Message.expected("a list of strings", found: node) + " ('\(text)')",
                        at: location(node)))
                return []
            default: return [Located(text, at: location(node))]
            }
        }
        guard let items = node.sequence else {
            diagnostics.append(
                Diagnostic(
                    .warning, "unexpected-type", "\(field): " + Message.expected("a list of strings", found: node),
                    at: location(node)))
            return []
        }
        var result: [Located<String>] = []
        for item in items {
            if let text = item.scalarText, !item.isNull {
                result.append(Located(text, at: location(item)))
            } else {
                diagnostics.append(
                    Diagnostic(
                        .warning, "unexpected-type", "\(field): " + Message.expected("a string", found: item),
                        at: location(item)))
            }
        }
        return result
    }
}

/// A value with the place it was written.
public struct Located<Value: Hashable & Sendable>: Hashable, Sendable {
    public let value: Value
    public let location: SourceLocation
    public init(_ value: Value, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}
