import Specs
import Synchronization

/// Requires-Dist lines parsed once per index (the same lines recur across every release of a
/// project). The parallel metadata loads ask for thousands of lines each, and a waiting
/// `Mutex` spins: with one lock the two loaders spent 30–40 % of a warm resolve's CPU waiting
/// on each other (perf, BENCHMARKS.md). The lines are spread over shards by hash, so two
/// loaders rarely want the same one.
final class RequirementMemo: Sendable {
    private final class Shard: Sendable {
        let parsed = Mutex<[String: Requirement?]>([:])
    }

    private static let shardCount = 64
    private let shards = (0..<RequirementMemo.shardCount).map { _ in Shard() }

    func requirement(_ line: String) -> Requirement? {
        let shard = shards[Int(UInt(bitPattern: line.hashValue) % UInt(RequirementMemo.shardCount))]
        if let cached = shard.parsed.withLock({ $0[line] }) { return cached }
        let parsed = try? Requirement(parsing: line)
        shard.parsed.withLock { $0[line] = parsed }
        return parsed
    }
}
