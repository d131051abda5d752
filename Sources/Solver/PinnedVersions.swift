// What the request's exact pins say about every solution, for the resolver's pinned attempt
// (`Resolver.solve`): releases that can never be installed with the request are walked past
// instead of counting toward a limited universe's newest few.

import Basics
import Channels
import Requests
import Specs

/// The versions a request pins exactly (`==V`, no wildcard, marker true for the target), by
/// project, and what those pins imply. A release is ruled out (no solution can install it) when
/// every wheel of it has, for its base install, a requirement that
/// - excludes the version a project is pinned to (a pinned `typing-extensions==4.1.1` sends a
///   dependency back to its releases that accept 4.1.1, instead of stopping at its newest few,
///   which all need 4.5);
/// - admits no version of a project that the requirements of a pinned, requested release allow
///   (`mlflow==2.5.0` requires `packaging<24`, so a `wheel` needing `packaging>=24` is out);
/// - is dead: none of the installable releases it admits is left (mlflow-skinny's
///   `pydantic>=1.10.8` with that typing-extensions pin: every such pydantic needs 4.2). Dead
///   requirements are found while loading; the universe then walks again, up to
///   `maximumPasses` times.
/// Only where pip installs everything (a conda build may satisfy a pip requirement otherwise).
final class PinnedVersions: Sendable {
    let versions: [NormalizedName: PEP440Version]
    /// The base requirements every solution meets: those of the pinned releases the request
    /// asks for (a `-c` constraint installs nothing), by project.
    let implied: [NormalizedName: [SpecifierSet]]
    /// The target's, for base requirements (no extra).
    let environment: MarkerEnvironment
    /// Where the versions of a project `implied` constrains are read.
    private let channels: ChannelSet?
    /// Requirements found dead, shared by the loadings of one universe.
    let dead = DeadRequirements()
    private let memo = Locked([RequirementKey: Bool]())

    /// Versions a walk looks at, ruled out or not, per requirement and attempt.
    static let walkLimit = 256
    /// Times a universe walks the projects with a newly dead requirement again.
    static let maximumPasses = 16

    /// nil when the request pins nothing exactly. With `loaded` (a universe of the request),
    /// also the base requirements of each pinned, requested release as it holds them (those
    /// every wheel of the release agrees on).
    init?(_ request: SolveRequest, loaded universe: Universe? = nil) {
        guard let pins = PinnedVersions.pins(request) else { return nil }
        versions = pins
        var environment = request.target.markerEnvironment
        environment.extra = nil
        self.environment = environment
        channels = universe?.channels
        var implied: [NormalizedName: [SpecifierSet]] = [:]
        for r in request.pip where !r.isConstraint {
            let name = r.requirement.normalizedName
            guard let universe, let version = pins[name] else { continue }
            let wheels = (universe.pypi[name] ?? []).filter { $0.version == version }
            var common: Set<RequirementKey>?
            for wheel in wheels {
                let keys = Set(
                    universe.requirements(of: wheel, extra: nil).map {
                        RequirementKey(name: $0.normalizedName, specifier: $0.specifier)
                    })
                common = common.map { $0.intersection(keys) } ?? keys
            }
            for key in common ?? [] where !key.specifier.isEmpty && pins[key.name] == nil {
                implied[key.name, default: []].append(key.specifier)
            }
        }
        self.implied = implied
    }

    private static func pins(_ request: SolveRequest) -> [NormalizedName: PEP440Version]? {
        let environment = request.target.markerEnvironment
        var found: [NormalizedName: Set<PEP440Version>] = [:]
        for r in request.pip {
            let requirement = r.requirement
            guard requirement.url == nil,
                requirement.marker.map({ (try? $0.evaluate(environment)) == true }) ?? true,
                requirement.specifier.specifiers.count == 1,
                let pin = requirement.specifier.specifiers.first, pin.op == .equal, !pin.isWildcard,
                let version = pin.version
            else { continue }
            found[requirement.normalizedName, default: []].insert(version)
        }
        // Two different pins of one project are a conflict the solve reports as it is.
        let versions = found.compactMapValues { $0.count == 1 ? $0.first : nil }
        return versions.isEmpty ? nil : versions
    }

    /// The projects whose versions the pins decide or constrain.
    var projects: Set<NormalizedName> { Set(versions.keys).union(implied.keys) }

    /// Whether a wheel with this metadata can never be installed with the request (`dead`:
    /// `self.dead` as of the caller's batch).
    func excludes(_ metadata: CoreMetadata, dead: [NormalizedName: Set<SpecifierSet>]) -> Bool {
        metadata.requiresDist.contains { requirement in
            guard requirement.url == nil else { return false }
            let name = requirement.normalizedName
            if let pinned = versions[name] {
                if requirement.specifier.contains(pinned, prereleases: true) { return false }
            } else if dead[name]?.contains(requirement.specifier) != true
                && !admitsNoneImplied(RequirementKey(name: name, specifier: requirement.specifier))
            {
                return false
            }
            guard let marker = requirement.marker else { return true }
            return (try? marker.evaluate(environment)) == true
        }
    }

    /// Whether a requirement admits no version of its project that the implied requirements
    /// allow (any version the index lists, installable or not: it only ever rules out less).
    private func admitsNoneImplied(_ key: RequirementKey) -> Bool {
        guard let constraints = implied[key.name], let channels else { return false }
        if let known = memo.withLock({ $0[key] }) { return known }
        var none = false
        if let project = try? channels.judgedProject(key.name) {
            let files = project.files
            none = !(0..<files.releases.count).contains { r in
                let version = files.version(ofRelease: r)
                return key.specifier.contains(version, prereleases: true)
                    && constraints.allSatisfy { $0.contains(version, prereleases: true) }
            }
        }
        memo.withLock { $0[key] = none }
        return none
    }

    struct RequirementKey: Hashable {
        let name: NormalizedName
        let specifier: SpecifierSet
    }
}

/// Requirements with no release left that the pins do not rule out (by project, their
/// specifiers; the empty set for "any version").
final class DeadRequirements: Sendable {
    private let state = Locked([NormalizedName: Set<SpecifierSet>]())

    func insert(_ name: NormalizedName, _ specs: [SpecifierSet]) {
        state.withLock { $0[name, default: []].formUnion(specs) }
    }

    func snapshot() -> [NormalizedName: Set<SpecifierSet>] { state.withLock { $0 } }
}
