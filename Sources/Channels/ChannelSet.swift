// Every package record mlenv can install for one target: conda channels in priority order
// (strict priority: a name found in a higher channel hides it in lower ones, as conda's
// `channel_priority: strict`) and PyPI indexes (the first index that has a project wins, as
// uv's default `first-index` strategy; pip would merge them).

import Foundation
import Specs

public final class ChannelSet: @unchecked Sendable {
    public let condaChannels: [CondaChannel]
    public let pypiIndexes: [PyPIIndex]
    public let target: Target
    /// Files uploaded after this ISO 8601 time are invisible (`--exclude-newer`).
    public let excludeNewer: String?

    /// conda records by name, per channel, in channel order.
    private let condaByChannel: [[String: [CondaRecord]]]
    public let condaRecordCount: Int

    public init(condaChannels: [CondaChannel], pypiIndexes: [PyPIIndex], target: Target, excludeNewer: String? = nil) throws(ChannelError) {
        self.condaChannels = condaChannels
        self.pypiIndexes = pypiIndexes
        self.target = target
        self.excludeNewer = excludeNewer
        var byChannel: [[String: [CondaRecord]]] = []
        var count = 0
        for channel in condaChannels {
            var byName: [String: [CondaRecord]] = [:]
            for subdir in target.condaSubdirs {
                for record in try channel.records(subdir: subdir) {
                    if let cutoff = excludeNewer, let t = record.timestamp, ISO8601.milliseconds(cutoff).map({ t > $0 }) == true { continue }
                    byName[record.name, default: []].append(record)
                    count += 1
                }
            }
            for name in byName.keys { byName[name]?.sort(by: CondaRecord.preferredFirst) }
            byChannel.append(byName)
        }
        condaByChannel = byChannel
        condaRecordCount = count
    }

    // MARK: conda

    /// The builds of `name`, newest first, from the highest-priority channel that has the name,
    /// or from `channel` only when the spec pins one (`conda-forge::numpy`).
    public func condaRecords(named name: String, channel: String? = nil) -> [CondaRecord] {
        for (i, byName) in condaByChannel.enumerated() {
            if let channel, condaChannels[i].name != channel { continue }
            if let records = byName[name], !records.isEmpty { return records }
        }
        return []
    }

    /// Builds of `name` in every channel, including those strict priority hides (for search).
    public func allCondaRecords(named name: String) -> [CondaRecord] {
        condaByChannel.flatMap { $0[name] ?? [] }
    }

    public var condaNames: Set<String> {
        var names = Set<String>()
        for byName in condaByChannel { names.formUnion(byName.keys) }
        return names
    }

    // MARK: PyPI

    /// The project from the first index that has it.
    public func pypiProject(_ name: NormalizedName) throws(ChannelError) -> (PyPIProject, PyPIIndex)? {
        for index in pypiIndexes {
            if let project = try index.project(name) { return (project, index) }
        }
        return nil
    }

    /// Every file of the project with whether it can be installed on the target and why not.
    public func pypiCandidates(_ name: NormalizedName, pinned: Bool = false) throws(ChannelError) -> [PyPICandidate] {
        guard let (project, index) = try pypiProject(name) else { return [] }
        let policy = TagPolicy(target: target)
        return project.files.map { PyPICandidate.evaluate($0, index: index, policy: policy, target: target, excludeNewer: excludeNewer, pinned: pinned) }
    }
}

/// A PyPI file judged against a target.
public struct PyPICandidate: Sendable {
    public enum Verdict: Hashable, Sendable {
        /// A wheel that installs; lower rank is the better tag match.
        case wheel(rank: Int, portable: Bool)
        /// An sdist: installable only by building it (compilers in the image).
        case needsBuild
        case excluded(reason: String)
    }

    public let file: PyPIFile
    public let index: PyPIIndex
    public let verdict: Verdict

    public var isInstallable: Bool {
        switch verdict {
        case .wheel, .needsBuild: return true
        case .excluded: return false
        }
    }

    static func evaluate(_ file: PyPIFile, index: PyPIIndex, policy: TagPolicy, target: Target,
                         excludeNewer: String?, pinned: Bool) -> PyPICandidate {
        func excluded(_ reason: String) -> PyPICandidate { PyPICandidate(file: file, index: index, verdict: .excluded(reason: reason)) }
        guard file.version != nil else { return excluded("its version '\(file.versionText ?? file.filename)' is not a valid PEP 440 version") }
        if let cutoff = excludeNewer, let uploaded = file.uploadTime, uploaded > cutoff {
            return excluded("uploaded \(uploaded), after --exclude-newer \(cutoff)")
        }
        if let yanked = file.yanked, !pinned {
            return excluded("yanked" + (yanked.isEmpty ? "" : ": \(yanked)"))
        }
        if let requires = file.requiresPython, let set = try? SpecifierSet(parsing: requires),
           let python = try? PEP440Version(parsing: target.python.fullString),
           !set.contains(python, prereleases: true) {
            return excluded("requires Python \(requires), the target is \(target.python.fullString)")
        }
        switch file.kind {
        case .wheel(let wheel):
            switch policy.verdict(for: wheel) {
            case .compatible(let rank, let portable): return PyPICandidate(file: file, index: index, verdict: .wheel(rank: rank, portable: portable))
            case .incompatible(let reason): return excluded(reason)
            }
        case .sdist:
            return PyPICandidate(file: file, index: index, verdict: .needsBuild)
        case .other:
            return excluded("not a wheel or an sdist")
        }
    }
}

enum ISO8601 {
    /// Milliseconds since the epoch of `2024-05-01` or `2024-05-01T12:00:00Z`.
    static func milliseconds(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        formatter.formatOptions = [.withFullDate]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970 * 1000) }
        return nil
    }
}
