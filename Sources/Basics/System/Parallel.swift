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
    /// fetching two pages at a time). With `waits`, it starts with one thread per processor
    /// and grows to `jobs` only once `waits` says the work waits after all (a warm run whose
    /// pages all come from a cache computes: more threads than cores only contend).
    public static func mapWaiting<T: Sendable, R: Sendable>(
        _ items: [T], jobs: Int, waits: (@Sendable () -> Bool)? = nil, _ body: @escaping @Sendable (T) -> R
    ) -> [R] {
        if jobs <= 1 || items.count <= 1 { return items.map(body) }
        let crew = Crew(items, most: min(jobs, items.count), waits: waits, body)
        crew.grow(to: waits.map { $0() } ?? true ? crew.most : min(crew.most, processors))
        crew.work()  // this thread helps too (and does everything if no thread started)
        crew.joinAll()
        return crew.slots.values()
    }

    /// The threads of one `mapWaiting` (the calling thread counts as one) and their work.
    private final class Crew<T: Sendable, R: Sendable>: Sendable {
        let items: [T]
        let most: Int
        let waits: (@Sendable () -> Bool)?
        let body: @Sendable (T) -> R
        let slots: Slots<R>
        private let threads = Locked<(list: [pthread_t], count: Int)>(([], 1))

        init(_ items: [T], most: Int, waits: (@Sendable () -> Bool)?, _ body: @escaping @Sendable (T) -> R) {
            self.items = items
            self.most = most
            self.waits = waits
            self.body = body
            slots = Slots(count: items.count)
        }

        func work() {
            while let index = slots.claim() {
                slots.store(body(items[index]), at: index)
                if let waits, threads.withLock({ $0.count }) < most, waits() { grow(to: most) }
            }
        }

        /// Starts threads up to `total`. Under the claim lock: a thread starts only while items
        /// are left to claim, so every one is listed before the caller's own loop runs out.
        func grow(to total: Int) {
            slots.whileItemsLeft {
                while threads.withLock({ $0.count }) < total {
                    let context = Unmanaged.passRetained(Work { self.work() }).toOpaque()
                    var thread = pthread_t()
                    guard
                        pthread_create(
                            &thread, nil,
                            { context in
                                Unmanaged<Work>.fromOpaque(context!).takeRetainedValue().run()
                                return nil
                            }, context) == 0
                    else {
                        Unmanaged<Work>.fromOpaque(context).release()
                        return
                    }
                    threads.withLock {
                        $0.list.append(thread)
                        $0.count += 1
                    }
                }
            }
        }

        func joinAll() {
            while let thread = threads.withLock({ $0.list.popLast() }) { pthread_join(thread, nil) }
        }
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

        /// Runs `body` under the lock if some item is not claimed yet.
        func whileItemsLeft(_ body: () -> Void) {
            state.withLock { state in if state.next < state.results.count { body() } }
        }

        func values() -> [R] {
            state.withLock { $0.results.compactMap { $0 } }
        }
    }
}
