// Wheel file names (PEP 427, binary distribution format spec):
//   {distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl
// Traps: tags may be compressed sets (`py2.py3`, `manylinux_2_17_x86_64.manylinux2014_x86_64`);
// the build tag must start with a digit; the distribution uses `_` for `-`; some old wheels on
// PyPI have names with non-normalised versions, which we keep as written.

import Specs

public struct WheelTag: Hashable, Sendable, CustomStringConvertible {
    public let python: String
    public let abi: String
    public let platform: String
    public init(_ python: String, _ abi: String, _ platform: String) {
        self.python = python
        self.abi = abi
        self.platform = platform
    }
    public var description: String { "\(python)-\(abi)-\(platform)" }
}

public struct WheelFilename: Hashable, Sendable, CustomStringConvertible {
    public let filename: String
    public let name: NormalizedName
    public let versionText: String
    public let version: PEP440Version?
    public let buildTag: String?
    public let pythonTags: [String]
    public let abiTags: [String]
    public let platformTags: [String]

    /// Every tag the compressed sets expand to.
    public var tags: [WheelTag] {
        var result: [WheelTag] = []
        for p in pythonTags { for a in abiTags { for plat in platformTags { result.append(WheelTag(p, a, plat)) } } }
        return result
    }

    public var description: String { filename }

    public struct ParseError: Error, Hashable, Sendable, CustomStringConvertible {
        public let filename: String
        public let reason: String
        public var description: String { "invalid wheel filename '\(filename)': \(reason)" }
    }

    /// From parts already split and the version already parsed (the page cache).
    init(
        filename: String, name: NormalizedName, versionText: String, version: PEP440Version?, buildTag: String?,
        pythonTags: [String], abiTags: [String], platformTags: [String]
    ) {
        self.filename = filename
        self.name = name
        self.versionText = versionText
        self.version = version
        self.buildTag = buildTag
        self.pythonTags = pythonTags
        self.abiTags = abiTags
        self.platformTags = platformTags
    }

    public init(parsing filename: String) throws(ParseError) {
        self.filename = filename
        guard filename.hasSuffix(".whl") else {
            throw ParseError(filename: filename, reason: "it does not end in .whl")
        }
        let stem = filename.dropLast(4)
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 5 || parts.count == 6 else {
            throw ParseError(
                filename: filename,
                reason:
                    "expected 5 or 6 '-'-separated parts (name-version[-build]-python-abi-platform), found \(parts.count)"
            )
        }
        guard parts.allSatisfy({ !$0.isEmpty }) else { throw ParseError(filename: filename, reason: "a part is empty") }
        name = NormalizedName(parts[0])
        versionText = parts[1]
        version = try? PEP440Version(parsing: parts[1])
        if parts.count == 6 {
            guard let first = parts[2].first, first.isNumber else {
                throw ParseError(filename: filename, reason: "the build tag '\(parts[2])' must start with a digit")
            }
            buildTag = parts[2]
        } else {
            buildTag = nil
        }
        let tagParts = parts.suffix(3)
        pythonTags = tagParts[tagParts.startIndex].split(separator: ".").map(String.init)
        abiTags = tagParts[tagParts.startIndex + 1].split(separator: ".").map(String.init)
        platformTags = tagParts[tagParts.startIndex + 2].split(separator: ".").map(String.init)
        guard !pythonTags.isEmpty, !abiTags.isEmpty, !platformTags.isEmpty else {
            throw ParseError(filename: filename, reason: "a tag set is empty")
        }
    }
}

/// A source distribution's file name: `{name}-{version}.tar.gz` (or `.zip`, older `.tar.bz2`).
/// The name part may itself contain `-` in old uploads, so the project name is needed to split.
public struct SdistFilename: Hashable, Sendable {
    public let filename: String
    public let versionText: String
    public let version: PEP440Version?

    init(filename: String, versionText: String, version: PEP440Version?) {
        self.filename = filename
        self.versionText = versionText
        self.version = version
    }

    public static let extensions = [".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"]

    public init?(parsing filename: String, project: NormalizedName) {
        guard let ext = SdistFilename.extensions.first(where: { filename.lowercased().hasSuffix($0) }) else {
            return nil
        }
        let stem = String(filename.dropLast(ext.count))
        // Find the '-' after which the rest is the version: the prefix must normalise to the project.
        var candidate: String?
        var index = stem.startIndex
        while let dash = stem[index...].firstIndex(of: "-") {
            if NormalizedName(String(stem[..<dash])) == project {
                candidate = String(stem[stem.index(after: dash)...])
                break
            }
            index = stem.index(after: dash)
        }
        guard let versionText = candidate, !versionText.isEmpty else { return nil }
        self.filename = filename
        self.versionText = versionText
        self.version = try? PEP440Version(parsing: versionText)
    }
}
