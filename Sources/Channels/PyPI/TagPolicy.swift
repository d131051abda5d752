// Which wheels install on a target, and in which order pip prefers them: the tag list of
// packaging.tags.sys_tags() for CPython X.Y on manylinux x86_64, most preferred first, so a
// tag's position is its priority. Traps:
// - CPython 3.7 and older carry the pymalloc flag in their ABI: `cp37-cp37m-...`, never `cp37-cp37`;
// - manylinux1/2010/2014 are aliases of manylinux_2_5/2_12/2_17 and follow them in order;
// - abi3 wheels built for older CPython minors still install (cp36-abi3 on 3.11);
// - `pyXY`/`py3` with `none` ABI, then `cpXY-none-any`, then `py*-none-any` come last;
// - musllinux wheels need musl, not glibc; a bare `linux_x86_64` wheel is accepted by pip
//   on any Linux but is not portable, so it is flagged.

import Requests

public struct TagPolicy: Sendable {
    public let target: Target
    /// Tag → rank (0 = most preferred).
    private let ranks: [WheelTag: Int]

    public init(target: Target) {
        self.target = target
        var ranks: [WheelTag: Int] = [:]
        for (i, tag) in TagPolicy.orderedTags(for: target).enumerated() where ranks[tag] == nil {
            ranks[tag] = i
        }
        self.ranks = ranks
    }

    /// The rank of one tag (`cp311-cp311-manylinux_2_17_x86_64`), nil when it does not install.
    public func rank(of tag: String) -> Int? {
        let parts = tag.split(separator: "-").map(String.init)
        guard parts.count == 3 else { return nil }
        return ranks[WheelTag(parts[0], parts[1], parts[2])]
    }

    public enum Verdict: Hashable, Sendable {
        /// Installs; lower rank is preferred. `portable` is false for `linux_x86_64` wheels.
        case compatible(rank: Int, portable: Bool)
        case incompatible(reason: Unavailability)
    }

    public func verdict(for wheel: WheelFilename) -> Verdict {
        var best: Int?
        for tag in wheel.tags {
            if let rank = ranks[tag], best.map({ rank < $0 }) ?? true { best = rank }
        }
        if let best {
            let portable = !wheel.platformTags.allSatisfy { $0 == "linux_\(target.architecture)" }
            return .compatible(rank: best, portable: portable)
        }
        return .incompatible(reason: reason(for: wheel))
    }

    /// Says why in the user's terms, checking platform first, then the interpreter.
    private func reason(for wheel: WheelFilename) -> Unavailability {
        let platforms = Set(wheel.platformTags)
        let arch = target.architecture
        if !platforms.contains("any") {
            if platforms.allSatisfy({ $0.hasPrefix("musllinux") }) {
                return .musl(platforms: wheel.platformTags)
            }
            if platforms.allSatisfy({ $0.hasPrefix("win") || $0.hasPrefix("macosx") }) {
                return .otherSystem(platforms: wheel.platformTags)
            }
            if !platforms.contains(where: { $0.hasSuffix("_\(arch)") }) {
                return .otherArchitecture(platforms: wheel.platformTags, architecture: arch)
            }
            let glibcs = wheel.platformTags.compactMap(TagPolicy.manylinuxGlibc)
            if let needed = glibcs.min(), needed > target.glibc {
                return .glibc(
                    needed: needed.description, platforms: wheel.platformTags, target: target.glibc.description)
            }
        }
        return .otherPython(pythonTags: wheel.pythonTags, abiTags: wheel.abiTags, target: target.python.minorString)
    }

    /// `manylinux_2_17_x86_64` → 2.17, `manylinux2014_x86_64` → 2.17; nil otherwise.
    public static func manylinuxGlibc(_ platform: String) -> GlibcVersion? {
        let legacy = [
            "manylinux1_": GlibcVersion(2, 5), "manylinux2010_": GlibcVersion(2, 12),
            "manylinux2014_": GlibcVersion(2, 17)
        ]
        for (prefix, version) in legacy where platform.hasPrefix(prefix) { return version }
        guard platform.hasPrefix("manylinux_") else { return nil }
        let parts = platform.dropFirst("manylinux_".count).split(separator: "_")
        guard parts.count >= 3, let major = Int(parts[0]), let minor = Int(parts[1]) else { return nil }
        return GlibcVersion(major, minor)
    }

    /// packaging.tags platform_tags() for manylinux on this glibc and arch, newest first.
    public static func platformTags(for target: Target) -> [String] {
        let arch = target.architecture
        var tags: [String] = []
        let legacy: [Int: String] = [5: "manylinux1", 12: "manylinux2010", 17: "manylinux2014"]
        if target.glibc.major == 2 {
            // x86_64's oldest manylinux is glibc 2.5 (manylinux1).
            var minor = target.glibc.minor
            while minor >= 5 {
                tags.append("manylinux_2_\(minor)_\(arch)")
                if let alias = legacy[minor] { tags.append("\(alias)_\(arch)") }
                minor -= 1
            }
        }
        tags.append("linux_\(arch)")
        return tags
    }

    /// packaging.tags.sys_tags() for CPython: cpython_tags() then compatible_tags().
    static func orderedTags(for target: Target) -> [WheelTag] {
        let platforms = platformTags(for: target)
        let major = target.python.major
        let minor = target.python.minor
        let interpreter = "cp\(major)\(minor)"
        // CPython before 3.8 is built with pymalloc and says so in its ABI tag (`cp37m`), as
        // packaging's _cpython_abis does for a release build.
        let cpythonABI = major == 3 && minor < 8 ? interpreter + "m" : interpreter
        var tags: [WheelTag] = []
        // cpython_tags: cpXY-cpXY-*, cpXY-abi3-*, cpXY-none-*, then cpXW-abi3-* for older minors.
        for abi in [cpythonABI, "abi3", "none"] {
            for p in platforms { tags.append(WheelTag(interpreter, abi, p)) }
        }
        if minor > 2 {
            for older in stride(from: minor - 1, through: 2, by: -1) {
                for p in platforms { tags.append(WheelTag("cp\(major)\(older)", "abi3", p)) }
            }
        }
        // compatible_tags: pyXY/py3/pyXW-none-<platform>, cpXY-none-any, pyXY/py3/pyXW-none-any.
        var pyVersions = ["py\(major)\(minor)", "py\(major)"]
        for older in stride(from: minor - 1, through: 0, by: -1) { pyVersions.append("py\(major)\(older)") }
        for v in pyVersions {
            for p in platforms { tags.append(WheelTag(v, "none", p)) }
        }
        tags.append(WheelTag(interpreter, "none", "any"))
        for v in pyVersions { tags.append(WheelTag(v, "none", "any")) }
        return tags
    }
}
