// One conda package build as a channel's repodata.json describes it (conda's PackageRecord).
// Traps: `timestamp` is seconds in old records and milliseconds in new ones; `packages` holds
// `.tar.bz2` files and `packages.conda` the `.conda` files, often the same build twice (prefer
// `.conda`); `noarch` is absent, `python` or `generic` (or a legacy boolean).
//
// A final class, not a struct: a full-size channel has hundreds of thousands of records, and a
// solve copies them into name tables, orderings and solvable tables; a copy of a struct of this
// size costs a retain and a release of every field, a copy of a reference one of each.

import Specs

public final class CondaRecord: Hashable, Sendable {
    /// The channel's name (`conda-forge`), as `channel::name` specs refer to it.
    public let channel: String
    /// Where the channel lives: a directory path or a URL, without a trailing slash.
    public let channelLocation: String
    public let subdir: String
    public let filename: String
    public let name: String
    public let versionText: String
    public let version: CondaVersion
    public let build: String
    public let buildNumber: Int
    public let depends: [String]
    public let constrains: [String]
    public let trackFeatures: [String]
    public let noarch: String?
    /// Milliseconds since the epoch.
    public let timestamp: Int64?
    public let md5: String?
    public let sha256: String?
    public let size: Int64?
    public let license: String?
    public let purls: [String]

    public init(
        channel: String, channelLocation: String, subdir: String, filename: String, name: String,
        versionText: String, version: CondaVersion, build: String, buildNumber: Int, depends: [String],
        constrains: [String], trackFeatures: [String], noarch: String?, timestamp: Int64?, md5: String?,
        sha256: String?, size: Int64?, license: String?, purls: [String]
    ) {
        self.channel = channel
        self.channelLocation = channelLocation
        self.subdir = subdir
        self.filename = filename
        self.name = name
        self.versionText = versionText
        self.version = version
        self.build = build
        self.buildNumber = buildNumber
        self.depends = depends
        self.constrains = constrains
        self.trackFeatures = trackFeatures
        self.noarch = noarch
        self.timestamp = timestamp
        self.md5 = md5
        self.sha256 = sha256
        self.size = size
        self.license = license
        self.purls = purls
    }

    /// The file's location: `<channel>/<subdir>/<filename>`.
    public var url: String { "\(channelLocation)/\(subdir)/\(filename)" }

    /// `name-version-build`, the key that identifies a build whatever its archive format.
    public var distName: String { "\(name)-\(versionText)-\(build)" }

    public var isCondaFormat: Bool { filename.hasSuffix(".conda") }

    /// conda's ordering of builds of one name, newest first: version, then no track_features,
    /// then build number, then timestamp.
    public static func preferredFirst(_ a: CondaRecord, _ b: CondaRecord) -> Bool {
        // Equal texts are equal versions; builds of one version share one text (and its storage).
        if a.versionText != b.versionText && a.version != b.version { return a.version > b.version }
        if a.trackFeatures.isEmpty != b.trackFeatures.isEmpty { return a.trackFeatures.isEmpty }
        if a.buildNumber != b.buildNumber { return a.buildNumber > b.buildNumber }
        if (a.timestamp ?? 0) != (b.timestamp ?? 0) { return (a.timestamp ?? 0) > (b.timestamp ?? 0) }
        return a.filename < b.filename
    }

    public static func == (a: CondaRecord, b: CondaRecord) -> Bool {
        a === b
            || (a.channel == b.channel && a.channelLocation == b.channelLocation && a.subdir == b.subdir
                && a.filename == b.filename && a.name == b.name && a.versionText == b.versionText && a.build == b.build
                && a.buildNumber == b.buildNumber && a.depends == b.depends && a.constrains == b.constrains
                && a.trackFeatures == b.trackFeatures && a.noarch == b.noarch && a.timestamp == b.timestamp
                && a.md5 == b.md5
                && a.sha256 == b.sha256 && a.size == b.size && a.license == b.license && a.purls == b.purls)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(channelLocation)
        hasher.combine(subdir)
        hasher.combine(filename)
        hasher.combine(build)
    }

    /// PyPI names this record provides, from `purls` (`pkg:pypi/numpy`), else nil.
    public var pypiNamesFromPurls: [NormalizedName] {
        purls.compactMap { purl -> NormalizedName? in
            guard purl.hasPrefix("pkg:pypi/") else { return nil }
            let rest = purl.dropFirst("pkg:pypi/".count)
            let name = rest.prefix { $0 != "@" && $0 != "?" && $0 != "#" }
            return name.isEmpty ? nil : NormalizedName(String(name))
        }
    }
}
