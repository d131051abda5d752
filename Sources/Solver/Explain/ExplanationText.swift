// The one place explanation steps and hints become sentences:
//   conda.yaml:6:5 requires numpy==1.23.5
//   scikit-learn 1.5.2 (pypi) requires numpy>=1.19.5, but ...
//   scikit-learn 0.24.2 (conda) is built in the channels only for Python 3.9

import Channels
import Specs

extension ExplanationStep: CustomStringConvertible {
    public var description: String {
        switch self {
        case .request(let origin, let requirement, let provided):
            return "\(origin) requires \(requirement)"
                + (provided ? "" : ", but no package in the channels provides it")
        case .dependency(let p, let requirement, let provided):
            let verb = p.versions.count > 1 ? "require" : "requires"
            return "\(ExplanationText.name(p)) \(verb) \(requirement)"
                + (provided ? "" : ", which no package in the channels provides")
        case .constraint(let p, let requirement, let excluded):
            let verb = p.versions.count > 1 ? "constrain" : "constrains"
            return "\(ExplanationText.name(p)) \(verb) \(requirement), which excludes \(ExplanationText.name(excluded))"
        case .sameFiles(let pypi, let conda):
            return
                "\(ExplanationText.name(pypi)) and \(ExplanationText.name(conda)) both install \(pypi.name); pip and conda would overwrite each other's files"
        case .conflict(let p, let requirement):
            return "\(ExplanationText.name(p)) conflicts with \(requirement)"
        case .notInstallable(let p):
            return "\(ExplanationText.name(p)) cannot be installed on this target"
        case .builtOnlyForPython(let p, let pythons):
            return
                "\(ExplanationText.name(p)) \(p.versions.count > 1 ? "are" : "is") built in the channels only for Python \(pythons.joined(separator: ", "))"
        }
    }
}

extension ExplanationHint: CustomStringConvertible {
    public var description: String {
        switch self {
        case .notInIndexes(let name):
            return "\(name) is not in the configured PyPI indexes"
        case .sourceOnly(let name, let versions):
            return "\(name) \(ExplanationText.summary(versions)) only as source distributions (a build would be needed)"
        case .wheelsOnlyForOtherPythons(let name, let version, let tags, let target):
            return "\(name) \(version): wheels only for \(tags.joined(separator: ", ")), not CPython \(target)"
        case .unavailable(let name, let versions, let reason):
            return "\(name) \(ExplanationText.summary(versions)): \(reason)"
        case .noAdmittedRelease(let name, let mirror):
            var text = "the configured indexes have no release of \(name) that this requirement admits"
            if let mirror {
                let range =
                    mirror.pythons.count > 1
                    ? "\(mirror.pythons.first!)–\(mirror.pythons.last!)" : mirror.pythons.first ?? "?"
                text +=
                    "; the index \(mirror.index) is a mirror that keeps only files for \(mirror.platform) and CPython \(range), so releases published only for other platforms are not in it"
            }
            return text
        case .installableVersions(let name, let target, let versions):
            return "\(name) versions that install on \(target): \(ExplanationText.summary(versions))"
        case .virtualPackage(let name, let provided):
            return provided.isEmpty
                ? "the target does not provide \(name)" : "the target provides \(provided.joined(separator: ", "))"
        case .noCondaPackage(let name, let channels):
            return "no conda package named \(name) in the channels (\(channels.joined(separator: ", ")))"
        case .condaVersions(let name, let versions):
            return "\(name) in the conda channels: \(ExplanationText.summary(versions))"
        case .builtOnlyForPython(let requirement, let origin, let pythons, let target):
            return
                "\(requirement) (\(origin)) is built in the channels only for Python \(pythons.joined(separator: ", ")); the target is Python \(target)"
        case .onlyMissingShown(let remote, let leftOut, let projects):
            let why =
                remote
                ? "with a remote index mlenv does not load every release to look for further conflicts"
                : "mlenv loaded releases newest first as far as the solve needed and left out \(leftOut) releases of \(projects) projects"
            return "only the requests nothing provides are shown: \(why); fix these and resolve again"
        case .conflictsProven(let leftOut, let projects):
            return
                "these conflicts hold whatever else the sources have; mlenv loaded releases newest first as far as they needed and left out \(leftOut) releases of \(projects) projects not in them, so further conflicts may show once these are fixed"
        }
    }
}

enum ExplanationText {
    /// `numpy 1.3.0 (pypi)`, `numpy 1.3.0, 1.3.1 (pypi)`, `numpy 1.2.0 … 1.5.2 (9 versions) (pypi)`.
    static func name(_ p: PackageVersions) -> String {
        let list =
            p.versions.count <= 3
            ? p.versions.joined(separator: ", ")
            : "\(p.versions.first!) … \(p.versions.last!) (\(p.versions.count) versions)"
        return "\(p.name) \(list) (\(p.ecosystem))"
    }

    /// Solver versions oldest first (PEP 440 order where both parse).
    static func sortedSolvables(_ versions: [String]) -> [String] {
        versions.sorted { a, b in
            if let va = try? PEP440Version(parsing: a), let vb = try? PEP440Version(parsing: b) { return va < vb }
            return a < b
        }
    }

    /// Versions in hints: unique, conda order, oldest first.
    static func sortedUnique(_ versions: [String]) -> [String] {
        // Each version parsed once, not in every comparison (a hint may list hundreds).
        var seen = Set<String>()
        let unique = versions.filter { seen.insert($0).inserted }.map { ($0, try? CondaVersion(parsing: $0)) }
        return unique.sorted { a, b in
            if let va = a.1, let vb = b.1 { return va < vb }
            return a.0 < b.0
        }.map(\.0)
    }

    /// Up to six versions, or the first three … the last two (n versions).
    static func summary(_ versions: [String]) -> String {
        let sorted = sortedUnique(versions)
        if sorted.count <= 6 { return sorted.joined(separator: ", ") }
        return sorted.prefix(3).joined(separator: ", ") + " … " + sorted.suffix(2).joined(separator: ", ")
            + " (\(sorted.count) versions)"
    }
}
