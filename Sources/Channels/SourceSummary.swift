// What a result was computed from, said in every output: each conda channel and PyPI index
// (credentials removed), whether it was read live over the network or from a local copy, and
// when. A local copy (the embedded snapshot, a mirror) holds only part of its upstream, so a
// verdict made from it says so.

import Glibc

public struct SourceSummary: Sendable {
    public struct Source: Sendable {
        public let ecosystem: String   // "conda" or "pypi"
        public let location: String
        public let live: Bool
    }

    public let sources: [Source]
    /// UTC time of the resolve (ISO 8601, seconds).
    public let resolvedAt: String
    /// Set for sources that are a partial copy (the embedded snapshot): what to tell the reader.
    public let partialNote: String?

    public init(channels: ChannelSet, partialNote: String? = nil, now: Int64 = Int64(time(nil))) {
        var sources: [Source] = []
        for channel in channels.condaChannels { sources.append(Source(ecosystem: "conda", location: channel.displayLocation, live: !channel.isLocal)) }
        for index in channels.pypiIndexes { sources.append(Source(ecosystem: "pypi", location: URLText.redacted(index.location), live: index.isRemote)) }
        self.sources = sources
        self.resolvedAt = SourceSummary.utc(now)
        self.partialNote = partialNote
    }

    /// One line for text reports.
    public var line: String {
        let list = sources.map { "\($0.ecosystem) \($0.location)\($0.live ? "" : " (local)")" }.joined(separator: ", ")
        return "Sources: \(list.isEmpty ? "none" : list); resolved \(resolvedAt)" + (partialNote.map { ". \($0)" } ?? "")
    }

    static func utc(_ seconds: Int64) -> String {
        var t = time_t(seconds)
        var parts = tm()
        gmtime_r(&t, &parts)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }
}
