// Where a package comes from: a conda channel or a PyPI index. Requests, resolutions and
// deployment breakers name it.

public enum Ecosystem: String, Hashable, Sendable, Comparable {
    case conda, pypi
    public static func < (a: Ecosystem, b: Ecosystem) -> Bool { a.rawValue < b.rawValue }
}
