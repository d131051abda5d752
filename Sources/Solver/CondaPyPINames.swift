// The PyPI project a conda record installs: PackageNameMap's table (in Specs) and the rules that
// read a record's purls and dependencies.

import Channels
import Specs

extension PackageNameMap {
    /// Conda packages that depend on python but are not PyPI projects of the same name.
    static let notPyPI: Set<String> = ["python", "python_abi", "pip-tools-deps", "libpython-static", "cpython"]

    /// The PyPI project a conda record installs, or nil when it is not a Python package.
    public static func pypiName(of record: Channels.CondaRecord) -> NormalizedName? {
        if let fromPurl = record.pypiNamesFromPurls.first { return fromPurl }
        if let mapped = condaToPyPI[record.name] { return NormalizedName(mapped) }
        guard !notPyPI.contains(record.name) else { return nil }
        let isPython =
            record.noarch == "python"
            || record.depends.contains { $0 == "python" || $0.hasPrefix("python ") || $0.hasPrefix("python_abi") }
        return isPython ? NormalizedName(record.name) : nil
    }
}
