// `mlenv search`: what the channels offer for one package name in both ecosystems.

import JSON
import Requests
import Specs

public struct SearchRow: Sendable {
    public let name: String
    public let version: String
    public let ecosystem: String
    public let channel: String
    public let filename: String
    /// conda build string, or the wheel's tags.
    public let detail: String
    public let installable: Bool
    public let reason: String?
    public let prerelease: Bool
    public let yanked: Bool

    public var json: JSONValue {
        var o = JSONObject()
        o.append("name", .string(name))
        o.append("version", .string(version))
        o.append("ecosystem", .string(ecosystem))
        o.append("channel", .string(channel))
        o.append("filename", .string(filename))
        o.append(ecosystem == "conda" ? "build" : "tags", .string(detail))
        o.append("installable", .bool(installable))
        o.append("reason", .optional(reason))
        o.append("prerelease", .bool(prerelease))
        o.append("yanked", .bool(yanked))
        return .object(o)
    }
}

public struct PackageSearch {
    public let channels: ChannelSet
    public init(channels: ChannelSet) { self.channels = channels }

    public func rows(for name: String) throws(ChannelError) -> [SearchRow] {
        var rows: [SearchRow] = []
        // conda: the conda name as given, and lowercased.
        let condaName = name.lowercased()
        try channels.prefetchConda([condaName])  // a sharded channel's shard: its fetch errors are errors here
        let visible = Set(channels.condaRecords(named: condaName).map(\.url))
        for record in channels.allCondaRecords(named: condaName) {
            var reason: String?
            if !visible.contains(record.url) {
                reason = Unavailability.hiddenByChannelPriority(name: condaName, higherChannel: nil).description
            }
            rows.append(
                SearchRow(
                    name: record.name, version: record.versionText, ecosystem: "conda", channel: record.channel,
                    filename: record.filename, detail: record.build, installable: reason == nil, reason: reason,
                    prerelease: false, yanked: false))
        }
        let normalized = NormalizedName(name)
        let candidates = try channels.pypiCandidates(normalized)
        for candidate in candidates.sorted(by: PackageSearch.newestFirst) {
            let file = candidate.file
            var reason: String?
            switch candidate.verdict {
            case .wheel(_, let portable):
                reason =
                    portable ? nil : "a linux_x86_64 wheel: installs, but is not portable across Linux distributions"
            case .needsBuild: reason = "source distribution: installing it needs a build (compilers in the image)"
            case .excluded(let why): reason = why.description
            }
            let detail: String
            if let wheel = file.wheel {
                detail =
                    "\(wheel.pythonTags.joined(separator: "."))-\(wheel.abiTags.joined(separator: "."))-\(wheel.platformTags.joined(separator: "."))"
            } else {
                detail = "sdist"
            }
            rows.append(
                SearchRow(
                    name: normalized.value, version: file.versionText ?? "?", ecosystem: "pypi",
                    channel: candidate.index.name, filename: file.filename, detail: detail,
                    installable: candidate.isInstallable, reason: reason,
                    prerelease: file.version?.isPrerelease ?? false, yanked: file.isYanked))
        }
        return rows
    }

    static func newestFirst(_ a: PyPICandidate, _ b: PyPICandidate) -> Bool {
        if let va = a.file.version, let vb = b.file.version, va != vb { return va > vb }
        return a.file.filename < b.file.filename
    }

    /// Keeps the rows of the newest `perEcosystem` versions of each ecosystem.
    public static func limitVersions(_ rows: [SearchRow], perEcosystem limit: Int) -> [SearchRow] {
        var versions: [String: [String]] = [:]
        return rows.filter { row in
            var seen = versions[row.ecosystem] ?? []
            if !seen.contains(row.version) {
                guard seen.count < limit else { return false }
                seen.append(row.version)
                versions[row.ecosystem] = seen
            }
            return true
        }
    }

    public static func text(_ rows: [SearchRow], total: Int, target: Target, name: String) -> String {
        guard !rows.isEmpty else { return "No package named '\(name)' in the configured channels.\n" }
        var out = "\(name) for \(target)\n"
        for ecosystem in ["conda", "pypi"] {
            let group = rows.filter { $0.ecosystem == ecosystem }
            guard !group.isEmpty else { continue }
            out += "\n\(ecosystem):\n"
            for row in group {
                let mark = row.installable ? (row.reason == nil ? "ok " : "ok*") : "no "
                out += "  \(mark) \(row.version.padding(16)) \(row.detail.padding(44)) \(row.channel)"
                if let reason = row.reason { out += "  — \(reason)" }
                out += "\n"
            }
        }
        if rows.count < total { out += "\n(\(total - rows.count) older file(s) not shown; use --limit 0)\n" }
        return out
    }
}

extension String {
    func padding(_ width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }
}
