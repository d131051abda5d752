// The conda builds of each name that become solvables, newest first, with two things that keep a
// full-size channel linear:
//
// - Equivalent builds are one solvable. Builds of one name with the same version text, channel,
//   subdir, depends, constrains, noarch, purls and plain-or-featured status, and the same answer
//   from every spec of the universe that looks at build strings, build numbers or channels, sit
//   in exactly the same clauses: any solution with one holds with another. Only the newest (the
//   one libsolv's "highest evr" policy would pick among them) enters the pool. libsolv adds a
//   rule for every pair of same-name solvables it reaches, so k equivalent builds cost k² rules
//   and make a solve quadratic in the records per name; merged, they cost one solvable.
// - Versions in runs. Builds are sorted newest first, so the builds of one version are adjacent;
//   a spec's version part is matched once per run, not once per build.

import CLibsolv
import Channels
import Specs

struct CondaCandidates {
    /// One name's builds that are solvables, newest first.
    struct Name {
        var records: [Channels.CondaRecord] = []
        var ids: [Id] = []
        /// Adjacent builds of one version.
        var runs: [(version: CondaVersion, range: Range<Int>)] = []
    }

    private(set) var names: [String: Name] = [:]
    /// Builds left out as equivalent to a newer build.
    private(set) var merged = 0

    /// `specs`: every spec of the universe, by the name it is about (dependencies, constrains and
    /// requests); those that look past the version decide which builds may merge. nil: every
    /// build is a solvable.
    init(conda: [String: [Channels.CondaRecord]], specs: [String: [MatchSpec]]?) {
        for (name, unsorted) in conda {
            let records = CondaCandidates.newestFirst(unsorted)
            let deciding = (specs?[name] ?? []).filter { $0.build != nil || $0.buildNumber != nil || $0.channel != nil }
            var entry = Name()
            guard !records.isEmpty else {
                names[name] = entry
                continue
            }
            entry.records.reserveCapacity(records.count)
            var start = 0
            for end in 1...records.count
            where end == records.count || !CondaCandidates.sameVersion(records[end], records[start]) {
                // Equivalent builds share a version, so they are in one run. Only the specs
                // whose name and version part admit the run can tell its builds apart.
                let version = records[start].version
                let live =
                    specs == nil ? nil : deciding.indices.filter { deciding[$0].matches(name: name, version: version) }
                let first = entry.records.count
                var seen = Set<Equivalence>()
                for record in records[start..<end] {
                    if let live,
                        !seen.insert(
                            Equivalence(
                                record,
                                answers: live.map {
                                    deciding[$0].matchesBuild(record.build, buildNumber: record.buildNumber)
                                        && (deciding[$0].channel == nil || deciding[$0].channel == record.channel)
                                })
                        ).inserted
                    {
                        merged += 1
                        continue
                    }
                    entry.records.append(record)
                }
                entry.runs.append((version, first..<entry.records.count))
                start = end
            }
            names[name] = entry
        }
    }

    static func sameVersion(_ a: Channels.CondaRecord, _ b: Channels.CondaRecord) -> Bool {
        a.versionText == b.versionText || a.version == b.version
    }

    mutating func setIds(_ ids: [Id], of name: String) { names[name]?.ids = ids }

    /// The solvables of `name` whose version the spec admits and, when the spec looks past the
    /// version, whose build matches too (`channel` compared as strict priority does).
    func matching(_ spec: MatchSpec, name: String) -> [Id] {
        guard let entry = names[name] else { return [] }
        var ids: [Id] = []
        forEachMatch(spec, entry) { i, matches in
            if matches && (spec.channel == nil || entry.records[i].channel == spec.channel) { ids.append(entry.ids[i]) }
        }
        return ids
    }

    /// The solvables of `name` that the spec does not match, channel aside (what a `constrains`
    /// entry excludes).
    func excluded(by spec: MatchSpec, name: String) -> [Id] {
        guard let entry = names[name] else { return [] }
        var ids: [Id] = []
        forEachMatch(spec, entry) { i, matches in if !matches { ids.append(entry.ids[i]) } }
        return ids
    }

    /// Calls `body` with each build's position, newest first, and whether the spec matches its
    /// name, version, build and build number. A spec that says nothing of builds is matched
    /// once per version.
    private func forEachMatch(_ spec: MatchSpec, _ entry: Name, _ body: (Int, Bool) -> Void) {
        let looksAtBuilds = spec.build != nil || spec.buildNumber != nil
        for run in entry.runs {
            let admitted = spec.matches(name: entry.records[run.range.lowerBound].name, version: run.version)
            for i in run.range {
                let r = entry.records[i]
                body(i, admitted && (!looksAtBuilds || spec.matchesBuild(r.build, buildNumber: r.buildNumber)))
            }
        }
    }

    /// Newest first (`CondaRecord.preferredFirst`); channels give each name's builds sorted, so
    /// this only checks, unless builds from several channels were put together.
    static func newestFirst(_ records: [Channels.CondaRecord]) -> [Channels.CondaRecord] {
        for (a, b) in zip(records, records.dropFirst()) where !Channels.CondaRecord.preferredFirst(a, b) {
            return records.sorted(by: Channels.CondaRecord.preferredFirst)
        }
        return records
    }
}

/// What makes two builds of a name interchangeable in a solve.
private struct Equivalence: Hashable {
    let channel: String
    let subdir: String
    let versionText: String
    let depends: [String]
    let constrains: [String]
    let plain: Bool
    let noarch: String?
    let purls: [String]
    let answers: [Bool]

    init(_ r: Channels.CondaRecord, answers: [Bool]) {
        channel = r.channel
        subdir = r.subdir
        versionText = r.versionText
        depends = r.depends
        constrains = r.constrains
        plain = r.trackFeatures.isEmpty
        noarch = r.noarch
        purls = r.purls
        self.answers = answers
    }

    /// The short fields only: builds of a version differ mostly in their lists, which `==`
    /// compares (at once when both are one decoded list, as builds of a channel share them).
    func hash(into hasher: inout Hasher) {
        hasher.combine(versionText)
        hasher.combine(depends.count)
        hasher.combine(constrains.count)
        hasher.combine(answers)
    }
}
