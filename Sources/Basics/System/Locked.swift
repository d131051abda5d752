// A value behind a lock that sleeps when taken. The standard library's `Mutex` is a
// priority-inheriting futex on Linux: a waiter first spins (about a thousand pause
// instructions), then the kernel spins again on the owner in `rt_mutex`. On a 2-core machine
// running 16 loader threads, that spinning was a fifth of a warm resolve's CPU (perf,
// BENCHMARKS.md). glibc's default mutex neither spins nor inherits priority: a waiter
// sleeps on a plain futex until the owner lets go.

import Glibc

/// `value` guarded by a pthread mutex; every access goes through `withLock`.
public final class Locked<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` on the value while holding the lock (not reentrant: `body` must not take it
    /// again).
    @inline(__always)
    public func withLock<R, E: Error>(_ body: (inout Value) throws(E) -> R) throws(E) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
