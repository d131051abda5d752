// MIRROR.json, the stamp `mlenv mirror` writes at the root of each mirror it makes (a PyPI
// simple index, a conda channel subset): how and when it was made. Any source with a stamp holds
// the closure of some roots, not its whole upstream, so every verdict about what is missing from
// it says so, and says which copy and which day it looked at.

import Glibc
import JSON

public enum MirrorStamp {
    public static let fileName = "MIRROR.json"
    /// Stamps are small; anything bigger is not one.
    static let limit = 16 << 20

    /// Today in UTC, `yyyy-MM-dd`.
    public static func today() -> String {
        String(SourceSummary.utc(Int64(time(nil))).prefix(10))
    }

    /// The stamp of a local source directory, when it has one that parses.
    public static func read(directory: String) -> JSONValue? {
        let path = directory + "/" + fileName
        var info = stat()
        guard stat(path, &info) == 0, Int(info.st_size) <= limit, let bytes = FileBytes.readPlain(path) else { return nil }
        return try? JSONValue.parse(bytes)
    }

    /// "channels/conda-forge is a subset of conda-forge made by mlenv on 2026-11-25 (the
    /// dependency closure of 214 roots): a version missing there may exist upstream"; nil for a
    /// directory without a stamp (taken to be complete: a full mirror or the real channel).
    public static func partiality(directory: String, name: String) -> String? {
        guard let stamp = read(directory: directory) else { return nil }
        let roots = stamp["roots"]?.arrayValue.map { Set($0.compactMap(\.stringValue)).count }
        let closure = roots.map { "the dependency closure of \($0) root\($0 == 1 ? "" : "s")" } ?? "the closure of its roots"
        if stamp["kind"]?.stringValue == "conda-subset" {
            let upstream = stamp["upstream"]?.stringValue ?? "its upstream channel"
            let made = stamp["made"]?.stringValue.map { " on \($0)" } ?? ""
            return "\(name) is a subset of \(upstream) made by mlenv\(made) (\(closure)): a package or build missing there may exist upstream"
        }
        var parts = [closure]
        if let since = stamp["since"]?.stringValue { parts.append("releases since \(since)") }
        if let before = stamp["series_only_before"]?.stringValue { parts.append("before \(before) only the newest release of each minor series (plus pinned ones)") }
        if let cutoff = stamp["exclude_newer"]?.stringValue { parts.append("nothing uploaded on or after \(cutoff)") }
        return "\(name) is a partial mirror made by mlenv (\(parts.joined(separator: "; "))): a release missing there may exist upstream"
    }
}
