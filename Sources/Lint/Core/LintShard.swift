// `lint --shard K/N`: one of N parts of the models lint would visit, so that N runners (a CI
// matrix) lint a registry in parallel and between them check every model exactly once.
//
// A model belongs to shard `fnv1a64(key) mod N + 1`, where the key says which model it is the
// same way on every runner: its path relative to the argument it was found under (`a/b` for
// `models/a/b` found under `models/`, whether the checkout is at /home/runner/work or C:\a), or
// its MLflow URI (`models:/iris/3`). FNV-1a over the key's UTF-8 bytes, not Swift's Hasher, which
// is seeded anew in every process. Adding or removing a model moves no other model.

import FoundationEssentials

/// `K/N`: the K-th of N shards (1 ≤ K ≤ N).
public struct LintShard: Hashable, Sendable, CustomStringConvertible {
    /// K, from 1.
    public let index: Int
    /// N.
    public let count: Int

    /// N is bounded so a typo (`--shard 1/10000000000`) is said, not run.
    public static let maxCount = 100_000

    public init(index: Int, count: Int) throws(LintShardError) {
        guard count >= 1, count <= Self.maxCount else {
            throw LintShardError("--shard \(index)/\(count): N must be between 1 and \(Self.maxCount)")
        }
        guard index >= 1, index <= count else {
            throw LintShardError("--shard \(index)/\(count): K must be between 1 and N (\(count))")
        }
        self.index = index
        self.count = count
    }

    /// `K/N`, as `--shard` takes it (`2/4`).
    public init(parsing text: String) throws(LintShardError) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        func number(_ part: Substring) -> Int? {
            guard !part.isEmpty, part.count <= 9, part.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
            return Int(part)
        }
        guard parts.count == 2, let k = number(parts[0]), let n = number(parts[1]) else {
            throw LintShardError(
                "--shard '\(Self.printable(text))': expected K/N, two whole numbers with 1 <= K <= N (2/4 is the second of four shards)"
            )
        }
        try self.init(index: k, count: n)
    }

    /// Whether the model with this key is in this shard.
    public func contains(key: String) -> Bool { Self.shard(of: key, count: count) == index }

    /// The shard (1...count) a key falls in.
    public static func shard(of key: String, count: Int) -> Int {
        Int(fnv1a64(key) % UInt64(max(1, count))) + 1
    }

    /// The SARIF `automationDetails.id` of this shard's run: the part before the last slash is
    /// the run's category (SARIF 2.1.0 §3.17.4), which code scanning keeps apart and shows
    /// together; the empty part after it is the instance.
    public var automationID: String { "mlenv-lint/shard-\(index)-of-\(count)/" }

    public var description: String { "\(index)/\(count)" }

    /// 64-bit FNV-1a of the UTF-8 bytes.
    public static func fnv1a64(_ text: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        return hash
    }

    /// A model's key: its path relative to the argument it was found under (`models/a/b`
    /// under `models` → `a/b`), or, for the argument itself or a model a file argument names,
    /// the model directory's last component, so that no machine's absolute path is hashed.
    public static func key(model: String, root: String) -> String {
        let m = trimmed(model)
        let r = trimmed(root)
        if r == "." {
            if m != "." && !m.hasPrefix("/") && !m.hasPrefix("../") && m != ".." { return m }
        } else if m.hasPrefix(r + "/") {
            return String(m.dropFirst(r.count + 1))
        } else if r == "/" && m.hasPrefix("/") && m != "/" {
            return String(m.dropFirst())
        }
        return lastComponent(m)
    }

    private static func trimmed(_ path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        while p.hasPrefix("./") && p.count > 2 { p.removeFirst(2) }
        return p
    }

    /// The last component, resolving `.` and `..` against the working directory's name when
    /// the path has nothing better (`.` → the directory's own name).
    private static func lastComponent(_ path: String) -> String {
        let last = path.split(separator: "/").last.map(String.init) ?? path
        guard last == "." || last == ".." || last.isEmpty else { return last }
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        return absolute.split(separator: "/").last.map(String.init) ?? "/"
    }

    private static func printable(_ text: String) -> String {
        String(text.prefix(40).unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? "?" : Character($0) })
    }
}

public struct LintShardError: Error, Hashable, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
