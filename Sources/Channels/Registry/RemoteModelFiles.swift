// Model arguments that are MLflow model URIs (`models:/NAME/VERSION`, `models:/NAME@ALIAS`,
// `runs:/RUN_ID/PATH`, `mlflow-artifacts:/PATH`): the files `inspect`, `resolve` and `lint` read
// (MLmodel, the environment files it names, requirements.txt and constraints.txt, the input
// example) are fetched from the tracking server (see MLflowRegistry) into a temporary directory
// that lives as long as the command (removed on interruption too). The model's other top-level
// entries (the pickled model, data directories) are listed by the server but not downloaded:
// empty placeholders stand for them, so the checks that they exist see what the server holds.

import Basics
import FoundationEssentials
import Glibc

public final class RemoteModelFiles {
    public init() {}

    private var fetched: [(uri: String, path: String, token: Interruption.Token)] = []
    /// The temporary directory every fetched model is under.
    private var fetchedRoot: String?

    public static let prefix = "mlenv-model-"

    /// The directory to read for a model argument: the argument itself, or a temporary
    /// directory holding the URI's files. `namedFiles` lists the files a model directory's
    /// MLmodel names (ModelFiles reads models; this module does not). Errors about the URI or
    /// the server are `ChannelError`s; a file that cannot be written throws the file system's.
    public func local(_ model: String, namedFiles: (String) -> [String]) throws -> String {
        guard MLflowModelURI.isURI(model) else { return model }
        if let known = fetched.first(where: { $0.uri == model }) { return known.path }
        return try fetch(model, namedFiles: namedFiles)
    }

    /// A model argument's name in messages: the URI for a fetched directory (and paths in it).
    /// One pass over the text whatever the number of models (a registry lint fetches thousands):
    /// each `<tmp>/mlenv-model-<digits and dashes>` is looked up whole, so one directory's name
    /// that begins another's (`...-45` and `...-456`) cannot take the other's place.
    public func display(_ text: String) -> String {
        guard let temporary = fetchedRoot, !fetched.isEmpty else { return text }
        let uris = Dictionary(fetched.map { ($0.path, $0.uri) }, uniquingKeysWith: { first, _ in first })
        let marker = temporary + "/" + Self.prefix
        var out = ""
        var rest = text[...]
        while let found = rest.firstRange(of: marker) {
            var end = found.upperBound
            while end < rest.endIndex, rest[end].isASCII, rest[end].isNumber || rest[end] == "-" {
                end = rest.index(after: end)
            }
            out += rest[..<found.lowerBound]
            let path = String(rest[found.lowerBound..<end])
            out += uris[path] ?? path
            rest = rest[end...]
        }
        return out + rest
    }

    /// A model folder must hold an MLmodel file; otherwise say what the server holds there.
    public static func requireMLmodel(in entries: [(name: String, isDirectory: Bool)], model: String, artifact: String)
        throws(ChannelError)
    {
        guard !entries.contains(where: { $0.name == "MLmodel" && !$0.isDirectory }) else { return }
        let names = entries.prefix(10).map { $0.name + ($0.isDirectory ? "/" : "") }
        throw ChannelError(
            "\(model): there is no MLmodel at \(artifact)"
                + (names.isEmpty
                    ? " (nothing is stored there)"
                    : " (it holds \(names.joined(separator: ", "))\(entries.count > 10 ? ", ..." : ""))"))
    }

    /// A fresh path under the temporary directory for fetched model files (not created yet),
    /// removed if the command is interrupted; earlier runs' leftovers are swept first.
    public static func newTemporaryDirectory() -> (path: String, token: Interruption.Token) {
        let temporary = FileManager.default.temporaryDirectory.path
        StaleTemporaries.sweep(temporary, prefix: prefix)
        let path = temporary + "/" + prefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        return (path, Interruption.guardPath(path))
    }

    public func removeAll() {
        for entry in fetched {
            try? FileManager.default.removeItem(atPath: entry.path)
            Interruption.release(entry.token)
        }
        fetched.removeAll()
    }

    private func fetch(_ model: String, namedFiles: (String) -> [String]) throws -> String {
        let uri = try MLflowModelURI(parsing: model)
        let registry = try MLflowRegistry.fromEnvironment()
        let artifact = try registry.artifactURI(of: uri)
        let base = try registry.proxyPath(of: artifact, for: uri)
        let entries = try registry.list(base, for: uri)
        try Self.requireMLmodel(in: entries, model: model, artifact: artifact)

        let fm = FileManager.default
        let (directory, token) = Self.newTemporaryDirectory()
        fetchedRoot = fm.temporaryDirectory.path
        fetched.append((model, directory, token))
        try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)

        func join(_ name: String) -> String { base.isEmpty ? name : base + "/" + name }
        func write(_ name: String, _ bytes: [UInt8]) throws {
            let path = directory + "/" + name
            let parent = String(path[..<path.lastIndex(of: "/")!])
            try fm.createDirectory(atPath: parent, withIntermediateDirectories: true)
            guard fm.createFile(atPath: path, contents: Data(bytes)) else { throw ChannelError("cannot write \(path)") }
        }

        guard let mlmodel = try registry.download(join("MLmodel"), for: uri) else {
            throw ChannelError("\(model): the tracking server listed MLmodel at \(artifact) but does not serve it")
        }
        try write("MLmodel", mlmodel)
        let named = namedFiles(directory)
        var wanted: [String] = []
        for name in named + ["requirements.txt", "constraints.txt"] where !wanted.contains(name) {
            // A name MLmodel gives is checked like the server's: nothing outside the model.
            guard (try? MLflowModelURI.checkRelative(name, in: model)) != nil, !name.isEmpty else { continue }
            wanted.append(name)
        }
        let topLevel = Dictionary(entries.map { ($0.name, $0.isDirectory) }, uniquingKeysWith: { first, _ in first })
        for name in wanted {
            // A top-level file the server did not list is not there; a nested one is asked for.
            if !name.contains("/") && topLevel[name] != false { continue }
            if let bytes = try registry.download(join(name), for: uri) { try write(name, bytes) }
        }
        for entry in entries where !fm.fileExists(atPath: directory + "/" + entry.name) {
            if entry.isDirectory {
                try fm.createDirectory(atPath: directory + "/" + entry.name, withIntermediateDirectories: true)
            } else {
                _ = fm.createFile(atPath: directory + "/" + entry.name, contents: Data())
            }
        }
        return directory
    }
}
