// Which directories are models: every directory with an MLmodel file at or under the paths
// given. A model's own subdirectories are its artifacts (data/, code/, a Databricks Unity
// Catalog `metadata/` copy of MLmodel and the env files, a nested model a pyfunc wraps) and are
// not searched: lint such a nested model by naming its path. Hidden directories (.git,
// .ipynb_checkpoints) are skipped and symbolic links are not followed, so a walk cannot loop or
// leave the tree it was given.

import Foundation

public enum ModelDiscovery {
    /// Model directories under `path`, in path order, spelled from `path` (`models/a/b`).
    public static func find(_ path: String) -> [String] {
        let root = trimmed(path)
        var found: [String] = []
        walk(root, into: &found, depth: 0)
        return found
    }

    static func trimmed(_ path: String) -> String {
        var p = path
        while p.count > 1 && p.hasSuffix("/") { p.removeLast() }
        if p.hasPrefix("./") && p.count > 2 { p.removeFirst(2) }
        return p
    }

    private static func walk(_ directory: String, into found: inout [String], depth: Int) {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory + "/MLmodel") {
            found.append(directory)
            return
        }
        guard depth < 64, let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        for name in names.sorted() where !name.hasPrefix(".") && name != "__pycache__" && name != "node_modules" {
            let child = directory == "." ? name : directory + "/" + name
            var info = stat()
            guard lstat(child, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            walk(child, into: &found, depth: depth + 1)
        }
    }
}

/// Runs `body` over `items` on up to `jobs` threads and returns the results in item order.
enum Parallel {
    static func map<T: Sendable, R: Sendable>(_ items: [T], jobs: Int, _ body: @escaping @Sendable (T) -> R) -> [R] {
        if jobs <= 1 || items.count <= 1 { return items.map(body) }
        let slots = Slots<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: min(jobs, items.count)) { _ in
            while let index = slots.claim() {
                slots.store(body(items[index]), at: index)
            }
        }
        return slots.values()
    }

    /// Results by index, and the next index to work on; one lock for both.
    private final class Slots<R: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var results: [R?]
        private var next = 0

        init(count: Int) { results = Array(repeating: nil, count: count) }

        func claim() -> Int? {
            lock.lock()
            defer { lock.unlock() }
            guard next < results.count else { return nil }
            next += 1
            return next - 1
        }

        func store(_ value: R, at index: Int) {
            lock.lock()
            results[index] = value
            lock.unlock()
        }

        func values() -> [R] {
            lock.lock()
            defer { lock.unlock() }
            return results.compactMap { $0 }
        }
    }
}
