// What a profile may add: never a version its own breaker catalogue says breaks the
// deployment. For a package the profile adds (mlflow-skinny, the inference server), every
// single-package `installs` case of a rule for this deployment (error or warning) names a range
// to keep out: `>=3.7` and `>=3,<3.7` leave `<3`, `==1.3.4` becomes `!=1.3.4`. Cases with
// several packages depend on what else is installed and stay lint's to judge.

import Specs

struct ProfileAddition {
    /// Specifier clauses to append to the added requirement (`<3`, `!=1.3.4`), empty when
    /// nothing is kept out.
    let clauses: [String]
    /// The rules whose ranges were kept out (`MLE052`).
    let rules: [String]
    /// Whether `preferred` (the coupled `==X.Y.*` range) lies wholly in what is allowed.
    let keepsPreferred: Bool

    static let catalog: BreakerCatalog? = try? BreakerCatalog.builtIn()

    /// The clauses for adding `package` for `deployment`, preferring versions in `preferred`.
    static func guarding(
        _ package: String, deployment: String, preferred: SpecifierSet? = nil,
        catalog: BreakerCatalog? = ProfileAddition.catalog
    ) -> ProfileAddition {
        let name = NormalizedName(package)
        var allowed = [VersionInterval.everything]
        var holes: [String] = []
        var rules: [String] = []
        for rule in catalog?.rules ?? [] where rule.deployments?.contains(deployment) ?? true {
            for c in rule.cases where c.missing.isEmpty && c.declares.isEmpty && c.any.isEmpty && c.installs.count == 1
            {
                let condition = c.installs[0]
                guard condition.packages.contains(name), condition.ecosystem != .conda,
                    let versions = condition.versions
                else { continue }
                if versions.specifiers.count == 1, let only = versions.specifiers.first, only.op == .equal,
                    !only.isWildcard
                {
                    holes.append("!=" + only.versionText)
                } else if let forbidden = VersionInterval(versions) {
                    allowed = allowed.flatMap { $0.subtracting(forbidden) }
                } else {
                    continue
                }
                if !rules.contains(rule.header.id) { rules.append(rule.header.id) }
            }
        }
        guard !rules.isEmpty else { return ProfileAddition(clauses: [], rules: [], keepsPreferred: true) }
        let wanted = preferred.flatMap(VersionInterval.init)
        if let wanted, allowed.contains(where: { $0.contains(wanted) }) {
            return ProfileAddition(clauses: holes, rules: rules, keepsPreferred: true)
        }
        // The newest versions that are allowed.
        let newest = allowed.max { a, b in
            guard let au = a.upper else { return false }
            guard let bu = b.upper else { return true }
            return au.version < bu.version
        }
        return ProfileAddition(clauses: (newest?.clauses ?? []) + holes, rules: rules, keepsPreferred: wanted == nil)
    }
}

/// A run of versions between two bounds (nil: unbounded), for keeping ranges out.
struct VersionInterval {
    struct Bound {
        let version: PEP440Version
        let inclusive: Bool
    }
    var lower: Bound?
    var upper: Bound?

    static let everything = VersionInterval(lower: nil, upper: nil)

    init(lower: Bound?, upper: Bound?) {
        self.lower = lower
        self.upper = upper
    }

    /// The versions a specifier set of range clauses admits; nil for `!=`, `===` and versions
    /// that do not parse (those are not ranges).
    init?(_ set: SpecifierSet) {
        var result = VersionInterval.everything
        for specifier in set.specifiers {
            let text = specifier.isWildcard ? String(specifier.versionText.dropLast(2)) : specifier.versionText
            guard let version = try? PEP440Version(parsing: text) else { return nil }
            let clause: VersionInterval
            switch specifier.op {
            case .greaterThanOrEqual:
                clause = VersionInterval(lower: Bound(version: version, inclusive: true), upper: nil)
            case .greaterThan: clause = VersionInterval(lower: Bound(version: version, inclusive: false), upper: nil)
            case .lessThan: clause = VersionInterval(lower: nil, upper: Bound(version: version, inclusive: false))
            case .lessThanOrEqual: clause = VersionInterval(lower: nil, upper: Bound(version: version, inclusive: true))
            case .equal where specifier.isWildcard, .compatible:
                let prefix = specifier.op == .compatible ? Array(version.release.dropLast()) : version.release
                guard let next = VersionInterval.after(prefix) else { return nil }
                clause = VersionInterval(
                    lower: Bound(version: version, inclusive: true), upper: Bound(version: next, inclusive: false))
            case .equal:
                clause = VersionInterval(
                    lower: Bound(version: version, inclusive: true), upper: Bound(version: version, inclusive: true))
            case .notEqual, .arbitrary: return nil
            }
            result = result.intersecting(clause)
        }
        self = result
    }

    /// `3.7` → `3.8` (the first version after every `3.7.*`).
    static func after(_ release: [Numeral]) -> PEP440Version? {
        guard let last = release.last, let number = Int(last.description) else { return nil }
        let text = (release.dropLast().map(\.description) + [String(number + 1)]).joined(separator: ".")
        return try? PEP440Version(parsing: text)
    }

    func intersecting(_ other: VersionInterval) -> VersionInterval {
        VersionInterval(
            lower: VersionInterval.tighter(lower, other.lower, upper: false),
            upper: VersionInterval.tighter(upper, other.upper, upper: true))
    }

    private static func tighter(_ a: Bound?, _ b: Bound?, upper: Bool) -> Bound? {
        guard let a else { return b }
        guard let b else { return a }
        if a.version == b.version { return Bound(version: a.version, inclusive: a.inclusive && b.inclusive) }
        return (a.version < b.version) == upper ? a : b
    }

    var isEmpty: Bool {
        guard let lower, let upper else { return false }
        return lower.version > upper.version
            || (lower.version == upper.version && !(lower.inclusive && upper.inclusive))
    }

    /// This run without `other`: up to two runs.
    func subtracting(_ other: VersionInterval) -> [VersionInterval] {
        var pieces: [VersionInterval] = []
        if let start = other.lower {
            pieces.append(
                intersecting(
                    VersionInterval(lower: nil, upper: Bound(version: start.version, inclusive: !start.inclusive))))
        }
        if let end = other.upper {
            pieces.append(
                intersecting(VersionInterval(lower: Bound(version: end.version, inclusive: !end.inclusive), upper: nil))
            )
        }
        return pieces.filter { !$0.isEmpty }
    }

    func contains(_ other: VersionInterval) -> Bool {
        other.subtracting(self).isEmpty
    }

    /// As specifier clauses: `>=3.7`, `<3`.
    var clauses: [String] {
        var result: [String] = []
        if let lower { result.append((lower.inclusive ? ">=" : ">") + lower.version.description) }
        if let upper { result.append((upper.inclusive ? "<=" : "<") + upper.version.description) }
        return result
    }
}
