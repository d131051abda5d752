import Basics
import Specs

/// Values worked out once per key, shared by the threads that load a round's projects. Behind
/// one lock, the parallel metadata loads spent 30–40 % of a warm resolve's CPU waiting on each
/// other (perf, BENCHMARKS.md). The keys are spread over 64
/// shards by hash, so two loaders rarely want the same one; each key is hashed once, for its
/// shard and its table both.
final class ShardedMemo<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    /// A key with its hash worked out once.
    private struct Hashed: Hashable, Sendable {
        let key: Key
        let hash: Int
        static func == (a: Hashed, b: Hashed) -> Bool { a.hash == b.hash && a.key == b.key }
        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    private final class Shard: Sendable {
        let values = Locked<[Hashed: Value]>([:])
    }

    private static var shardCount: Int { 64 }
    private let shards = (0..<ShardedMemo.shardCount).map { _ in Shard() }

    /// The value of `key` (whose hash is `hash`), made by `make` the first time; nil from
    /// `make` is not kept.
    func value(for key: Key, hash: Int, make: () -> Value?) -> Value? {
        let hashed = Hashed(key: key, hash: hash)
        let shard = shards[Int(UInt(bitPattern: hash) % UInt(ShardedMemo.shardCount))]
        if let known = shard.values.withLock({ $0[hashed] }) { return known }
        guard let value = make() else { return nil }
        shard.values.withLock { $0[hashed] = value }
        return value
    }
}

/// Requires-Dist lines parsed once per index (the same lines recur across every release of a
/// project).
final class RequirementMemo: Sendable {
    private let parsed = ShardedMemo<String, Requirement?>()

    func requirement(_ line: String) -> Requirement? {
        parsed.value(for: line, hash: line.hashValue) { .some(try? Requirement(parsing: line)) } ?? nil
    }
}
