// Work spread over threads, results in input order: many solves at once (`resolve` and `lint`
// with several models; the resolver, its channels and caches are safe to share), the subdirs of
// the conda channels parsed side by side.

import Dispatch
import Glibc

/// Runs `body` over `items` on up to `jobs` threads and returns the results in item order.
public enum Parallel {
    /// Processors online (at least 1).
    public static let processors = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))

    public static func map<T: Sendable, R: Sendable>(_ items: [T], jobs: Int, _ body: @escaping @Sendable (T) -> R)
        -> [R]
    {
        if jobs <= 1 || items.count <= 1 { return items.map(body) }
        let slots = Slots<R>(count: items.count)
        DispatchQueue.concurrentPerform(iterations: min(jobs, items.count)) { _ in
            while let index = slots.claim() {
                slots.store(body(items[index]), at: index)
            }
        }
        return slots.values()
    }

    /// `map` for work that waits on the network: `jobs` threads of its own (dispatch's
    /// concurrentPerform keeps to one thread per processor, which leaves a 2-core machine
    /// fetching two pages at a time).
    public static func mapWaiting<T: Sendable, R: Sendable>(
        _ items: [T], jobs: Int, _ body: @escaping @Sendable (T) -> R
    ) -> [R] {
        if jobs <= 1 || items.count <= 1 { return items.map(body) }
        let slots = Slots<R>(count: items.count)
        let work: @Sendable () -> Void = {
            while let index = slots.claim() { slots.store(body(items[index]), at: index) }
        }
        var threads: [pthread_t] = []
        for _ in 0..<min(jobs, items.count) {
            let context = Unmanaged.passRetained(Work(work)).toOpaque()
            var thread = pthread_t()
            if pthread_create(
                &thread, nil,
                { context in
                    Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().run()
                    return nil
                }, context) == 0
            {
                threads.append(thread)
            } else {
                Unmanaged<Work>.fromOpaque(context).release()
            }
        }
        work()  // this thread helps too (and does everything if no thread started)
        for thread in threads { pthread_join(thread, nil) }
        return slots.values()
    }

    private final class Work: Sendable {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// Results by index, and the next index to work on; one lock for both.
    private final class Slots<R: Sendable>: Sendable {
        private let state: Locked<(results: [R?], next: Int)>

        init(count: Int) { state = Locked((Array(repeating: nil, count: count), 0)) }

        func claim() -> Int? {
            state.withLock { state in
                guard state.next < state.results.count else { return nil }
                state.next += 1
                return state.next - 1
            }
        }

        func store(_ value: R, at index: Int) {
            state.withLock { $0.results[index] = value }
        }

        func values() -> [R] {
            state.withLock { $0.results.compactMap { $0 } }
        }
    }
}
