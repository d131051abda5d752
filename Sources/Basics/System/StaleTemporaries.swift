// Temporaries a killed mlenv left behind (SIGKILL allows no cleanup): every temporary name
// carries its process id, so the next run removes those whose process is gone.

import FoundationEssentials
import Glibc
import Specs

public enum StaleTemporaries {
    /// Removes the entries of `directory` named `<prefix><pid><rest>` whose process no longer
    /// exists (`rest` empty or starting with `-` or `.`). Returns what was removed.
    @discardableResult
    public static func sweep(_ directory: String, prefix: String) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count < 10, let pid = Int32(digits), pid > 0, pid != getpid() else {
                continue
            }
            let after = rest.dropFirst(digits.count)
            guard after.isEmpty || after.hasPrefix("-") || after.hasPrefix(".") else { continue }
            guard kill(pid, 0) == -1 && errno == ESRCH else { continue }
            if (try? FileManager.default.removeItem(atPath: directory + "/" + name)) != nil { removed.append(name) }
        }
        return removed
    }

    /// Removes the leftovers of `FileBytes.writeAtomically` in `directory` (`<name>.tmp-<pid>-<n>`)
    /// whose process is gone, once per directory per process (a mirror folder holds thousands
    /// of files: listing it on every write would be quadratic).
    public static func sweepAtomicWrites(in directory: String) {
        let first = swept.withLock { $0.insert(directory).inserted }
        guard first, let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names {
            guard let marker = name.lastLiteralRange(of: ".tmp-") else { continue }
            let rest = name[marker.upperBound...]
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count < 10, let pid = Int32(digits), pid > 0, pid != getpid(),
                rest.dropFirst(digits.count).hasPrefix("-")
            else { continue }
            guard kill(pid, 0) == -1 && errno == ESRCH else { continue }
            unlink(directory + "/" + name)
        }
    }

    private static let swept = Locked<Set<String>>([])
}
