// What went wrong, read from an inference server's log: the Python exception that stopped it.
// A log holds one traceback per chained exception ("The above exception was the direct cause
// of the following exception"); the first is the cause (the model's own error, such as a
// missing artifact), the last is the server's wrapper. Lines are read once, left to right.

enum ServerLog {
    struct Failure: Equatable {
        /// `FileNotFoundError: [Errno 2] No such file or directory: 'model/model.pkl'`.
        let exception: String
        /// The innermost frame: `mlflow/sklearn/__init__.py, line 568, in _load_model_from_local_file`.
        let frame: String?
        /// The exceptions it caused, outermost last (the server's wrapper).
        let raised: [String]

        var summary: String {
            var text = exception
            if let frame { text += " (in \(frame))" }
            if let wrapper = raised.last { text += "; the server then raised \(wrapper)" }
            return text
        }
    }

    /// Reads at most this much of a log's end (a server that loops on errors writes a lot).
    static let limit = 4 << 20

    /// The exception of the first traceback in `log`, with the paths in `strip` removed from
    /// every line (the scratch directory, so messages name `model/model.pkl`).
    static func failure(in log: String, strip prefixes: [String] = []) -> Failure? {
        let text = log.utf8.count > limit ? String(decoding: Array(log.utf8.suffix(limit)), as: UTF8.self) : log
        var blocks: [(frame: String?, exception: String)] = []
        var inTraceback = false
        var lastFrame: String?
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            var line = String(raw)
            for prefix in prefixes where !prefix.isEmpty { line = line.replacing(prefix, with: "") }
            if line.contains("Traceback (most recent call last):") {
                inTraceback = true
                lastFrame = nil
                continue
            }
            guard inTraceback else { continue }
            if line.hasPrefix(" ") || line.hasPrefix("\t") {
                let trimmed = line.drop { $0 == " " || $0 == "\t" }
                if trimmed.hasPrefix("File \"") { lastFrame = frame(trimmed) }
                continue
            }
            if line.isEmpty { continue }
            blocks.append((lastFrame, line))
            inTraceback = false
        }
        guard let first = blocks.first else { return nil }
        return Failure(exception: first.exception, frame: first.frame, raised: blocks.dropFirst().map(\.exception))
    }

    /// `File "x/site-packages/mlflow/sklearn/__init__.py", line 568, in f` → `mlflow/sklearn/__init__.py, line 568, in f`.
    private static func frame(_ line: Substring) -> String {
        let rest = line.dropFirst("File \"".count)
        guard let quote = rest.firstIndex(of: "\"") else { return String(line) }
        var path = rest[..<quote]
        if let packages = path.ranges(of: "site-packages/").last { path = path[packages.upperBound...] }
        return String(path) + rest[rest.index(after: quote)...]
    }
}
