// What a result was computed from, said in every output: each conda channel and PyPI index
// (credentials removed), whether it was read live over the network or from a local copy, and
// when. A local copy (the embedded snapshot, a mirror) holds only part of its upstream, so a
// verdict made from it says so.

import Glibc

public struct SourceSummary: Sendable {
    public struct Source: Sendable {
        public let ecosystem: String  // "conda" or "pypi"
        public let location: String
        public let live: Bool
    }

    public let sources: [Source]
    /// UTC time of the resolve (ISO 8601, seconds).
    public let resolvedAt: String
    /// Set for sources that are a partial copy (a mirror made by `mlenv mirror`, such as the
    /// embedded snapshot; their MIRROR.json says so): what to tell the reader.
    public let partialNote: String?

    public init(channels: ChannelSet, now: Int64 = Int64(time(nil))) {
        var sources: [Source] = []
        for channel in channels.condaChannels {
            sources.append(Source(ecosystem: "conda", location: channel.displayLocation, live: !channel.isLocal))
        }
        for index in channels.pypiIndexes {
            sources.append(Source(ecosystem: "pypi", location: URLText.redacted(index.location), live: index.isRemote))
        }
        self.sources = sources
        self.resolvedAt = SourceSummary.utc(now)
        let partial =
            SourceSummary.partiality(conda: channels.condaChannels)
            + SourceSummary.partiality(pypi: channels.pypiIndexes)
        self.partialNote =
            partial.isEmpty
            ? nil
            : partial.joined(separator: "; ")
                + " (resolve against the live sources or a full mirror for a verdict on what is missing)"
    }

    /// What each local conda channel made by `mlenv mirror` leaves out (its MIRROR.json).
    public static func partiality(conda channels: [CondaChannel]) -> [String] {
        channels.filter(\.isLocal).compactMap {
            MirrorStamp.partiality(directory: $0.location, name: "conda \($0.displayLocation)")
        }
    }

    /// What each local PyPI index made by `mlenv mirror` leaves out (its MIRROR.json).
    public static func partiality(pypi indexes: [PyPIIndex]) -> [String] {
        indexes.filter { !$0.isRemote }.compactMap {
            MirrorStamp.partiality(directory: $0.location, name: "pypi \($0.location)")
        }
    }

    /// One line for text reports.
    public var line: String {
        let list = sources.map { "\($0.ecosystem) \($0.location)\($0.live ? "" : " (local)")" }.joined(separator: ", ")
        return "Sources: \(list.isEmpty ? "none" : list); resolved \(resolvedAt)"
            + (partialNote.map { ". \($0)" } ?? "")
    }

    static func utc(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return
            "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
